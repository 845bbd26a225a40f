"""Writing a batch's letter files (at once, in threads or in a forked helper), and preparing the output folder."""

from __future__ import annotations

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

from plainte.errors import OutputError
from plainte.i18n import _

WRITE_THREADS = 8  # write_atomic waits for fsync: a few threads let those waits overlap the rendering
POLL_EVERY = 16  # rows between two looks for the writer process's answers (at most WRITE_WINDOW rows wait anyway)
STALE_SECONDS = 60  # a hidden temporary file of write_atomic older than this was left by a killed run


def _write_files(folder: Path, files: dict[str, bytes], force: bool) -> None:
    from plainte.outputs import write_atomic

    for name, data in files.items():
        try:
            write_atomic(folder / name, data, force=force)
        except FileExistsError:  # written meanwhile by another run or worker: it is there, that is what counts
            pass


class _InlineWrites:
    """Write at once, in this thread."""

    def submit(self, folder: Path, files: dict[str, bytes], force: bool) -> Future:
        done: Future = Future()
        try:
            _write_files(folder, files, force)
            done.set_result(None)
        except OSError as exc:
            done.set_exception(exc)
        return done

    def poll(self) -> None:
        pass

    def wait(self, future: Future) -> None:
        pass

    def close(self) -> None:
        pass


class _ThreadWrites(_InlineWrites):
    """Write in a few threads: write_atomic's fsync waits overlap each other and the rendering."""

    def __init__(self, threads: int) -> None:
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="plainte-write")

    def submit(self, folder: Path, files: dict[str, bytes], force: bool) -> Future:
        return self.pool.submit(_write_files, folder, files, force)

    def close(self) -> None:
        self.pool.shutdown(wait=True)  # a write is never abandoned half-way


class _ProcessWrites(_InlineWrites):
    """Write in a forked helper process (with its own threads): the rendering process keeps its interpreter lock.

    Threads in the rendering process itself lose ~10-20 % to lock hand-overs around each system call. The helper
    receives (folder, files, force) through a pipe and answers each with an error or None. If the run is killed,
    the helper sees the pipe close, finishes the writes it received (each atomic) and leaves."""

    def __init__(self, threads: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_writer_main, args=(child, self.conn, threads), name="plainte-writer", daemon=True)
        self.process.start()
        child.close()
        self.pending: dict[int, Future] = {}
        self.sent = self.polls = 0

    def submit(self, folder: Path, files: dict[str, bytes], force: bool) -> Future:
        self.sent += 1
        future: Future = Future()
        self.pending[self.sent] = future
        try:
            self.conn.send((self.sent, folder, files, force))
        except OSError as exc:
            raise OutputError(_("cannot write the letter in {folder}: {error}").format(folder=folder, error=exc.strerror or exc)) from None
        return future

    def _receive(self) -> None:
        try:
            key, error = self.conn.recv()
        except (EOFError, OSError):
            raise OutputError(_("the process writing the letters stopped unexpectedly")) from None
        future = self.pending.pop(key)
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)

    def poll(self) -> None:
        self.polls += 1
        if self.polls % POLL_EVERY:  # asking the pipe costs more than an answer: ask now and then
            return
        while self.pending and self.conn.poll():
            self._receive()

    def wait(self, future: Future) -> None:
        while not future.done():
            self._receive()

    def close(self) -> None:
        try:
            while self.pending:
                self._receive()
        finally:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.conn.close()
            self.process.join()


def _writer_main(conn: Any, parent_end: Any, threads: int) -> None:
    import signal
    import threading

    parent_end.close()  # else the pipe never closes when the run is killed, and this process waits forever
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the reading; the writes received are finished
    lock = threading.Lock()

    def write(key: int, folder: Path, files: dict[str, bytes], force: bool) -> None:
        try:
            _write_files(folder, files, force)
            answer: tuple[int, Optional[OSError]] = (key, None)
        except OSError as exc:
            answer = (key, exc)
        with lock:
            try:
                conn.send(answer)
            except OSError:  # the run is gone: the file itself is written (or not at all) all the same
                pass

    with ThreadPoolExecutor(threads, thread_name_prefix="plainte-write") as pool:
        while True:
            try:
                item = conn.recv()
            except (EOFError, OSError):
                break
            if item is None:
                break
            pool.submit(write, *item)


def _fork_available() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


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
            if entry.name.startswith(".plainte-") and entry.name.endswith(".tmp"):
                try:
                    if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                        os.unlink(entry.path)
                except OSError:
                    pass
