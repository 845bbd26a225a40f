"""Writing a batch's letter files, telling a complete letter from one cut by a power loss, preparing the folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

from plainte.errors import OutputError
from plainte.i18n import _
from plainte.outputs import TEMPORARY_PREFIX, TEMPORARY_SUFFIX, write_atomic

STALE_SECONDS = 60  # a hidden temporary file of write_atomic older than this was left by a killed run
# How every letter file of a format ends: a file that exists without this ending was cut short (written by a
# run the machine lost power under before the run's final sync) and is written again.
ENDINGS = {"txt": b"\n", "md": b"\n", "html": b"</html>\n", "pdf": b"%%EOF\n", "eml": b"--\r\n"}


def write_files(folder: Path, files: dict[str, bytes], force: bool, cut: frozenset[str] = frozenset()) -> None:
    """Write a row's letter files (each atomic, 0600), without waiting for the disk: the run syncs once at its end.
    `cut` names files found incomplete, replaced rather than kept. Raises OSError (the disk is full...)."""
    for name, data in files.items():
        try:
            write_atomic(folder / name, data, force=force or name in cut, durable=False)
        except FileExistsError:  # written meanwhile by another run or worker: it is there, that is what counts
            pass


def is_complete(path: Path) -> bool:
    """True when a letter file ends as every letter of its format does (a file cut by a power loss does not)."""
    ending = ENDINGS.get(path.suffix[1:], b"")
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0 or size < len(ending):
                return False
            fh.seek(size - len(ending))
            return fh.read() == ending
    except OSError:
        return False


def _ensure_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise OutputError(_("cannot create the folder {folder}: {error}").format(folder=folder, error=exc.strerror)) from None
    folder = folder.resolve()
    _remove_stale_temporaries(folder)
    return folder


def _remove_stale_temporaries(folder: Path) -> None:
    """A run killed while writing can leave write_atomic's hidden temporary file (never a letter's own name):
    remove those older than a minute (a live write lasts milliseconds), so no stray copy of a letter stays."""
    limit = time.time() - STALE_SECONDS
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(TEMPORARY_PREFIX) and entry.name.endswith(TEMPORARY_SUFFIX):
                try:
                    if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                        os.unlink(entry.path)
                except OSError:
                    pass
