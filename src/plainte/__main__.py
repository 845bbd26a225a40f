"""Entry point for `plainte` and `python -m plainte`; answers --version before importing anything heavy."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run plainte with argv (defaults to sys.argv[1:]) and return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from plainte import __version__

        print(f"plainte {__version__}")
        return 0
    from plainte.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
