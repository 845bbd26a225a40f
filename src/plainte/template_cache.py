"""Compiled letter templates: kept in memory for the process, and on disk between runs (the user's cache folder)."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

ENV_CACHE = "PLAINTE_CACHE_DIR"  # where compiled templates are kept; empty: nowhere (compiled in every process)


def cache_folder() -> Optional[Path]:
    """PLAINTE_CACHE_DIR (empty: no folder), else the platform's user cache folder for plainte."""
    override = os.environ.get(ENV_CACHE)
    if override is not None:
        return Path(override).expanduser() if override.strip() else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("plainte", appauthor=False))


class CompiledTemplates(BytecodeCache):
    """The compiled code of the templates of one output format, shared by the environments of every letter
    language (the code does not depend on the language: gettext and the filters are looked up when a letter
    renders, see letters._at_render), so each template compiles once, not three times.

    With a folder, the code is also kept on disk, so a new process (each `plainte` command, each worker of a
    batch) loads it instead of compiling every template again (about a third of a second for the letters of one
    format). A file is used only when it was written for the same template source (Jinja checks its checksum),
    Python and Jinja, and plainte's letter environment (`fingerprint`). Any problem with the folder (read-only,
    full, a damaged file) only means compiling, as without it."""

    def __init__(self, fmt: str, folder: Optional[Path], fingerprint: Optional[str]) -> None:
        self._codes: dict[str, tuple[str, Any]] = {}
        self._fmt = fmt
        self._wanted = folder / f"templates-{fmt}-{fingerprint}" if folder is not None and fingerprint else None
        self._checked: Optional[Path] = None
        self._check_done = False

    @property
    def _folder(self) -> Optional[Path]:
        """The folder, created 0700 on first use, if it is safe: the files are code that runs, so a folder another
        user owns or may write in (PLAINTE_CACHE_DIR set to a shared place) is not used (as Jinja does for its own)."""
        if not self._check_done:
            self._check_done = True
            if self._wanted is not None:
                new = not self._wanted.exists()
                self._checked = _private_folder(self._wanted)
                if new and self._checked is not None:
                    _remove_older(self._checked, self._fmt)
        return self._checked

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self._codes.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]
            return
        if self._folder is None:
            return
        try:
            with open(self._folder / f"{bucket.key}.code", "rb") as fh:
                bucket.load_bytecode(fh)  # another checksum, Python or Jinja: the bucket stays empty
        except Exception:  # noqa: BLE001 - a missing or damaged file: the template is compiled
            bucket.reset()
        if bucket.code is not None:
            self._codes[bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._codes[bucket.key] = (bucket.checksum, bucket.code)
        if self._folder is None:
            return
        from plainte.outputs import write_atomic

        try:
            write_atomic(self._folder / f"{bucket.key}.code", bucket.bytecode_to_string(), force=True, durable=False)
        except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
            pass


def _private_folder(folder: Path) -> Optional[Path]:
    """folder, made if missing, when it is a folder of this user that no one else may write in; else None."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
        return None
    return folder


def _remove_older(folder: Path, fmt: str) -> None:
    """The folders of this format that an earlier plainte, Python or Jinja filled (another fingerprint), removed
    when this one is made: about 400 KB each, never read again. A process of the older version still running only
    compiles what it finds missing (two versions used in turn remove each other's, and so compile each time)."""
    for other in folder.parent.glob(f"templates-{fmt}-*"):
        if other != folder and other.is_dir() and not other.is_symlink():
            shutil.rmtree(other, ignore_errors=True)


@lru_cache(maxsize=None)
def fingerprint(*sources: str) -> Optional[str]:
    """What the compiled code depends on besides the template: Python, Jinja, and the files that set up the letter
    environment (its options, extensions and filters). None when a file cannot be read (then nothing is kept)."""
    import jinja2

    digest = hashlib.sha256(f"{sys.version}|{jinja2.__version__}".encode())
    try:
        for source in sources:
            digest.update(Path(source).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()[:16]
