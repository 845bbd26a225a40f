"""Tallying a batch run: counts, report lines in input order, progress calls, letters recorded in the case store."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

from plainte.batch_engine import ERROR, OK, SKIPPED, WARNING, _Result
from plainte.batch_report import Report
from plainte.i18n import _

Progress = Callable[[int, int], None]

PROGRESS_SECONDS = 0.1  # the progress callback is called at most about ten times a second (and at the end)


class Recorder:
    """Records the letters written in the case store, a few hundred per transaction (memory stays flat)."""

    FLUSH = 200

    def __init__(self, store: Any) -> None:
        self.store = store
        self.pending: list[tuple[Any, list[str]]] = []

    def add(self, entry: Any, files: list[str]) -> None:
        """A letter written: its cases.LetterEntry and its files."""
        self.pending.append((entry, files))
        if len(self.pending) >= self.FLUSH:
            self.flush()

    def flush(self) -> None:
        from plainte.cases import record_letters

        letters, self.pending = self.pending, []
        if letters:
            record_letters(self.store, letters)


class _Tally:
    """Counts the rows, writes each one's report lines in input order, and calls the progress callback."""

    def __init__(self, report: Report, folder: Path, unknown: tuple[str, ...], header_line: int, total: int,
                 progress: Optional[Progress]) -> None:
        self.report, self.folder, self.unknown, self.header_line = report, folder, set(unknown), header_line
        self.total, self.progress = total, progress
        self.done = self.written = self.skipped = self.duplicates = self.errors = 0
        self.seen: dict[str, int] = {}  # hash -> first line, across workers
        self.recorder: Optional[Recorder] = None
        self._last = 0.0
        for column in unknown:
            report.add(header_line, WARNING, column,
                       _("unknown column: its values are not used, and a row that fills it is refused; "
                         "see plainte batch --template DISPUTE for the columns a dispute needs"))

    def record(self, r: _Result) -> None:
        if r.status != ERROR and r.digest:
            first = self.seen.get(r.digest)
            if first is not None and first != r.line:
                r.status, r.first_line = "duplicate", first
            else:
                self.seen[r.digest] = r.line
        if r.status == ERROR:
            self.errors += 1
            for column, message in r.problems or [("", _("invalid row"))]:
                if column in self.unknown:
                    message = _("unknown column (see line {line})").format(line=self.header_line)
                self.report.add(r.line, ERROR, column, message)
        elif r.status == "duplicate":
            self.duplicates += 1
            self.report.add(r.line, SKIPPED, "", _("same answers as line {line}: no second letter").format(line=r.first_line), r.names)
        elif r.status == SKIPPED:
            self.skipped += 1
            self.report.add(r.line, SKIPPED, "", _("already written; use --force to write it again"), r.names)
        else:
            self.written += 1
            self.report.add(r.line, OK, "", _("written"), r.names)
            if self.recorder is not None and r.entry is not None:
                self.recorder.add(r.entry, [os.path.join(self.folder, n) for n in r.names])
        self.done += 1
        self.tick()

    def tick(self, final: bool = False) -> None:
        now = time.monotonic()
        if final or now - self._last >= PROGRESS_SECONDS:
            self._last = now
            self.report.flush()
            if self.progress is not None:
                self.progress(self.done, self.total)
