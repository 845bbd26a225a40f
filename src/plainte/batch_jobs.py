"""Running a batch's rows through the engine: in this process (jobs 1) or in forked worker processes, in input order."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any

from plainte.batch_engine import _Engine, _Result
from plainte.batch_rows import _Row
from plainte.batch_tally import _Tally

CHUNK_ROWS = 64  # rows sent to a worker process at a time with jobs > 1
AUTO_ROWS = 500  # from this many rows, the batch uses a worker per core by default (below, starting them does not pay)
AUTO_MAX = 8  # at most this many workers by default (the parent, reading and reporting, limits what more would give)


def auto_jobs(rows: int) -> int:
    """The workers a batch uses when --jobs is not given: one per core this process may use, for a sheet of
    AUTO_ROWS rows or more where fork is available; else 1 (this process only)."""
    if rows < AUTO_ROWS or not _fork_available():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, AUTO_MAX))


def _run_here(engine: _Engine, source: Iterable[_Row], tally: _Tally) -> None:
    """Every row in this process, in input order, CHUNK_ROWS at a time (see _Engine.process_many); each row is
    reported as soon as its letters are written. Ctrl-C stops the run: the letter under way is written whole or
    not at all (write_atomic), and the rows of the chunk not yet written are not reported (the next run writes them)."""
    for chunk in _chunks(source, CHUNK_ROWS):
        for result in engine.process_many(chunk, tally.seen):
            tally.record(result)


def _run_workers(engine: _Engine, source: Iterable[_Row], tally: _Tally, jobs: int,
                 forked: Callable[[], None] = lambda: None) -> None:
    """The rows in `jobs` forked worker processes, CHUNK_ROWS at a time, reported in input order. forked() is
    called once the workers exist (the executor forks them all at its first task, before any thread of its own)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _WORKER.clear()
    worker = _Engine(engine.cat, engine.formats, engine.folder, engine.force, engine.today, base=engine.base)
    worker.record = engine.record
    if not engine.force:
        worker._existing = engine.existing()  # the folder as it was before any worker wrote to it
    _WORKER["engine"] = worker
    executor = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=_worker_init, initargs=(os.getpid(),))
    window: deque[Future] = deque()  # chunks handed out, in input order
    ready: deque[_Result] = deque()  # results of the first chunk, being reported

    def report_first() -> None:
        ready.extend(window[0].result())
        window.popleft()
        while ready:
            tally.record(ready.popleft())

    try:
        started = False
        for chunk in _chunks(source, CHUNK_ROWS):
            window.append(executor.submit(_worker_chunk, chunk))
            if not started:
                started = True
                forked()
            while len(window) > 2 * jobs or (window and window[0].done()):
                report_first()
        while window:
            report_first()
    except BaseException as exc:
        for fut in window:
            fut.cancel()
        if isinstance(exc, KeyboardInterrupt):  # the chunks under way finish (workers ignore Ctrl-C): report them
            while ready:
                tally.record(ready.popleft())
            while window and not window[0].cancelled():
                report_first()
        raise
    finally:
        executor.shutdown(wait=True)  # a worker always finishes its chunk: no write is cut half-way
        _WORKER.clear()


_WORKER: dict[str, Any] = {}


def _worker_init(parent: int) -> None:
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops handing out rows
    threading.Thread(target=_exit_with_parent, args=(parent,), name="plainte-orphan-watch", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (SIGKILL, SIGTERM) would wait for rows forever: it leaves instead.
    Its writes are atomic, so leaving at any moment loses nothing."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _worker_chunk(rows: list[_Row]) -> list[_Result]:
    engine: _Engine = _WORKER["engine"]
    seen: dict[str, int] = _WORKER.setdefault("seen", {})
    return list(engine.process_many(rows, seen))


def _chunks(rows: Iterable[_Row], size: int) -> Iterator[list[_Row]]:
    chunk: list[_Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _fork_available() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()
