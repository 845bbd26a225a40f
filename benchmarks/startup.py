"""Start-up time of plainte's commands against bare Python, measured side by side in one run."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time

RUNS = int(os.environ.get("RUNS", "15"))


def median_ms(cmd: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def first_prompt_ms(env: dict[str, str], plain: bool = True) -> float | None:
    """Time from start to the first question of the wizard, in a pseudo-terminal (needs pexpect)."""
    try:
        import pexpect
    except ImportError:
        return None
    exe = shutil.which("plainte")
    if exe is None:
        return None
    times = []
    for _ in range(max(3, RUNS // 3)):
        start = time.perf_counter()
        args = ["--ui-lang", "en", "new"] + (["--plain"] if plain else [])
        child = pexpect.spawn(exe, args, env=dict(env, TERM="dumb" if plain else "xterm"), encoding="utf-8", timeout=10)
        try:
            child.expect("Language" if not plain else r"\? ", timeout=10)
        except (pexpect.TIMEOUT, pexpect.EOF):
            child.terminate(force=True)
            return None
        times.append((time.perf_counter() - start) * 1000)
        child.terminate(force=True)
    return statistics.median(times)


def main() -> None:
    env = dict(os.environ, LANG="C.UTF-8", PLAINTE_DATA_DIR=os.environ.get("PLAINTE_DATA_DIR", "/tmp/plainte-bench-data"))
    py = [sys.executable]
    base = median_ms(py + ["-c", "pass"], env)
    rows = [
        ("python -c pass", base, None),
        ("plainte --version", median_ms(py + ["-m", "plainte", "--version"], env), 3.0),
        ("plainte --help", median_ms(py + ["-m", "plainte", "--help"], env), 8.0),
        ("plainte disputes --json", median_ms(py + ["-m", "plainte", "disputes", "--json"], env), None),
        ("plainte institutions --json", median_ms(py + ["-m", "plainte", "institutions", "--json"], env), None),
    ]
    print(f"{'command':32} {'median ms':>10} {'x python':>9} {'target':>8}")
    for name, ms, target in rows:
        ratio = ms / base
        mark = "" if target is None else (f"<= {target:g}x " + ("ok" if ratio <= target else "MISSED"))
        print(f"{name:32} {ms:10.1f} {ratio:9.2f} {mark:>8}")
    for plain, name in ((True, "first wizard prompt (--plain)"), (False, "first wizard prompt (menus)")):
        prompt = first_prompt_ms(env, plain)
        if prompt is not None:
            print(f"{name:32} {prompt:10.1f} {prompt / base:9.2f} {'< 300 ms ' + ('ok' if prompt < 300 else 'MISSED'):>8}")


if __name__ == "__main__":
    main()
