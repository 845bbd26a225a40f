"""Running a batch's rows through the engine: in this process (jobs 1) or in forked worker processes, in input order."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from typing import Any

from plainte.batch_engine import _Engine, _Result
from plainte.batch_rows import _Row
from plainte.batch_tally import _Tally
from plainte.batch_writes import WRITE_THREADS

WRITE_WINDOW = 64  # rows rendered but not yet reported (bounds the memory held by pending writes)
CHUNK_ROWS = 64  # rows sent to a worker process at a time with jobs > 1


def _run_here(engine: _Engine, source: Iterable[_Row], tally: _Tally) -> None:
    pending: deque[_Result] = deque()
    try:
        for row in source:
            pending.append(engine.process(row, tally.seen))
            engine.poll()
            while pending and (len(pending) > WRITE_WINDOW or pending[0].future is None or pending[0].future.done()):
                tally.record(engine.finish(pending.popleft()))
        while pending:
            tally.record(engine.finish(pending.popleft()))
    except KeyboardInterrupt:  # stop reading; the rows already rendered are written and reported
        while pending:
            tally.record(engine.finish(pending.popleft()))
        raise
    finally:
        engine.close()


def _run_workers(engine: _Engine, source: Iterable[_Row], tally: _Tally, jobs: int) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _WORKER.clear()
    worker = _Engine(engine.cat, engine.formats, engine.folder, engine.force, engine.today, threads=max(2, WRITE_THREADS // jobs),
                     base=engine.base)
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
        for chunk in _chunks(source, CHUNK_ROWS):
            window.append(executor.submit(_worker_chunk, chunk))
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
    results = [engine.process(row, seen) for row in rows]
    return [engine.finish(r) for r in results]


def _chunks(rows: Iterable[_Row], size: int) -> Iterator[list[_Row]]:
    chunk: list[_Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
