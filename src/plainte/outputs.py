"""Writes letters safely: names from a slug, inside the output folder, exclusive create, atomic, 0600."""

from __future__ import annotations

import datetime as dt
import errno
import itertools
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from plainte.errors import OutputError
from plainte.i18n import _

_SLUG = re.compile(r"[^a-z0-9-]+")
MAX_SUFFIX = 999
TEMPORARY_PREFIX, TEMPORARY_SUFFIX = ".plainte-", ".tmp"  # write_atomic's hidden files (a batch removes stale ones)


def slug(*parts: str) -> str:
    """A file-name stem from ids and dates only: lowercase letters, digits and dashes."""
    cleaned = [_SLUG.sub("-", str(p).lower()).strip("-") for p in parts]
    return "_".join(p for p in cleaned if p) or "letter"


def letter_stem(date: dt.date, institution: str, dispute: str, language: str) -> str:
    """The stem of a letter's files: date, institution, dispute and language."""
    return slug(date.isoformat(), institution, dispute, language)


def _ensure_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise OutputError(_("cannot create the folder {folder}: {error}").format(folder=folder, error=exc.strerror)) from None
    return folder.resolve()


def free_stem(folder: Path, stem: str, extensions: list[str]) -> str:
    """The first stem (stem, stem-2, stem-3 ...) for which no file of any extension exists yet."""
    for n in range(1, MAX_SUFFIX + 1):
        candidate = stem if n == 1 else f"{stem}-{n}"
        if not any((folder / f"{candidate}.{ext}").exists() for ext in extensions):
            return candidate
    raise OutputError(_("too many letters named {stem} in {folder}").format(stem=stem, folder=folder))


def write_atomic(path: Path, data: bytes, *, force: bool = False, durable: bool = True) -> None:
    """Write data to path: via a 0600 file of the same folder without a name (Linux) or with a hidden temporary
    name, then an exclusive link (or, with force, a replace of the temporary file).

    durable: wait until the data is on the disk before the name appears (fsync). A batch passes False and makes
    the whole run durable at its end (sync_letters): one flush instead of one per letter. Either way a killed
    process leaves the whole file or none (the name appears only once every byte is written)."""
    if not force and _write_unnamed(path, data, durable):
        return
    folder = os.fspath(path.parent)
    fd, tmp = _temporary(folder)
    try:
        try:
            _write_all(fd, data, durable)
        finally:
            os.close(fd)
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links: exclusive create instead
                with open(path, "xb") as out:
                    out.write(data)
                os.chmod(path, 0o600)
            os.unlink(tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _write_all(fd: int, data: bytes, durable: bool) -> None:
    """Every byte of data to the open file (a write may take only part), then to the disk when durable."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    if durable:
        os.fsync(fd)


_UNNAMED = getattr(os, "O_TMPFILE", 0)  # Linux
_ROOT_FD: list[int] = []  # a descriptor of "/", see _write_unnamed


def _write_unnamed(path: Path, data: bytes, durable: bool) -> bool:
    """Write data to a new file of path's folder that has no name until it is complete (Linux O_TMPFILE), then
    give it path as its name, exclusively: a killed process leaves nothing, not even a temporary file. False
    when the folder's file system (or a missing /proc) does not allow it: the caller then takes the named way."""
    if not _UNNAMED:
        return False
    try:
        fd = os.open(os.fspath(path.parent), _UNNAMED | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError:  # not supported here (or the folder is missing: the named way says so)
        return False
    try:
        _write_all(fd, data, durable)
        if not _ROOT_FD:
            _ROOT_FD.append(os.open("/", os.O_RDONLY | os.O_CLOEXEC))
        # a directory descriptor makes Python call linkat, which can follow /proc's link to the open file (the
        # paths are absolute: the descriptor itself is not used)
        os.link(f"/proc/self/fd/{fd}", os.path.abspath(path), src_dir_fd=_ROOT_FD[0], follow_symlinks=True)
        return True
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS):
            raise  # the named way would fail the same
        return False  # no /proc, no links here...: the named way
    finally:
        os.close(fd)


_TEMPORARIES = itertools.count()


def _temporary(folder: str) -> tuple[int, str]:
    """A new hidden file in folder, created exclusively with mode 0600 (the umask can only narrow it): its
    descriptor and path. Named by process and counter (cheaper than tempfile's random names; O_EXCL decides)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _attempt in range(100):
        tmp = os.path.join(folder, f"{TEMPORARY_PREFIX}{os.getpid()}-{next(_TEMPORARIES)}{TEMPORARY_SUFFIX}")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:  # left by a killed run of an earlier process with the same number
            continue
    fd, tmp = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, dir=folder)
    return fd, tmp


def sync_letters(folder: Path) -> None:
    """Make the files written in folder durable (after a batch wrote its letters without waiting for each): the
    folder's file system is flushed (Linux syncfs), else every file system (sync)."""
    if sync_file_system(folder):
        return
    if hasattr(os, "sync"):
        os.sync()


def sync_file_system(folder: Path) -> bool:
    """Flush the file system folder is on (Linux syncfs); False where that cannot be done (another system, no
    syncfs in the C library)."""
    if not syncfs_available():
        return False
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            return bool(_LIBC[0](fd) == 0)
        finally:
            os.close(fd)
    except OSError:
        return False


def syncfs_available() -> bool:
    """True on Linux with a C library that has syncfs, which is then loaded (once, in the calling thread)."""
    if not sys.platform.startswith("linux"):
        return False
    if not _LIBC:
        try:
            import ctypes

            _LIBC.append(ctypes.CDLL(None, use_errno=True).syncfs)
        except (OSError, AttributeError):
            _LIBC.append(None)
    return _LIBC[0] is not None


_LIBC: list[Any] = []  # libc's syncfs (None: there is none), once looked up


def write_letter(folder: Path, stem: str, files: Mapping[str, bytes], *, force: bool = False) -> list[Path]:
    """Write every format of one letter under one stem; never overwrite unless force."""
    folder = _ensure_folder(folder)
    exts = list(files)
    for _attempt in range(20):
        chosen = stem if force else free_stem(folder, stem, exts)
        written: list[Path] = []
        try:
            for ext, data in files.items():
                target = folder / f"{chosen}.{ext}"
                if target.resolve().parent != folder:
                    raise OutputError(_("refusing to write outside {folder}").format(folder=folder))
                write_atomic(target, data, force=force)
                written.append(target)
            return written
        except FileExistsError:  # another process took the name meanwhile: undo ours and take the next
            for p in written:
                p.unlink(missing_ok=True)
            continue
        except OSError as exc:
            for p in written:
                p.unlink(missing_ok=True)
            raise OutputError(_("cannot write the letter in {folder}: {error}").format(folder=folder, error=exc.strerror)) from None
    raise OutputError(_("cannot find a free file name in {folder}").format(folder=folder))
