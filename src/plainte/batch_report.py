"""The report of a batch run: one CSV line per row (or per problem of a row), written as the run goes.

The report is meant to be opened in a spreadsheet, so it is written the way Excel in Belgium and France
reads CSV without asking: UTF-8 with a byte-order mark, cells separated by semicolons. Every cell that a
spreadsheet would take for a formula (it starts with = + - @, a tab or a carriage return) gets a leading
apostrophe, so a name such as =HYPERLINK("...") is shown as text and never runs.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from plainte.errors import OutputError
from plainte.i18n import _

REPORT_STEM = "plainte-report"
REPORT_FIELDS = ("line", "status", "column", "message", "files")
DELIMITER = ";"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_REPORTS = 999


def safe_cell(value: Any) -> str:
    """The text of a cell that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


class Report:
    """A new report file in a folder (plainte-report.csv, else -2, -3 ...): never replaces an earlier one."""

    def __init__(self, folder: Path) -> None:
        self.path, handle = _create_exclusive(folder)
        self._fh: TextIO = handle
        self._writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
        self._writer.writerow(REPORT_FIELDS)
        self._fh.flush()

    def add(self, line: int, status: str, column: str = "", message: str = "", files: Iterable[str] = ()) -> None:
        """One line of the report (buffered: see flush)."""
        try:
            self._writer.writerow([safe_cell(line), safe_cell(status), safe_cell(column), safe_cell(message),
                                   safe_cell(", ".join(files))])
        except OSError as exc:
            raise OutputError(_("cannot write the report {path}: {error}").format(path=self.path, error=exc.strerror)) from None

    def flush(self) -> None:
        """Hand the lines written so far to the system: a run killed later still leaves them on disk."""
        try:
            self._fh.flush()
        except OSError as exc:
            raise OutputError(_("cannot write the report {path}: {error}").format(path=self.path, error=exc.strerror)) from None

    def close(self) -> None:
        try:
            self._fh.close()
        except OSError as exc:
            raise OutputError(_("cannot write the report {path}: {error}").format(path=self.path, error=exc.strerror)) from None

    def __enter__(self) -> Report:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:  # an error is already on its way: do not hide it behind a second one
            try:
                self._fh.close()
            except OSError:
                pass


def _create_exclusive(folder: Path) -> tuple[Path, TextIO]:
    for n in range(1, MAX_REPORTS + 1):
        path = folder / (f"{REPORT_STEM}.csv" if n == 1 else f"{REPORT_STEM}-{n}.csv")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(_("cannot write the report {path}: {error}").format(path=path, error=exc.strerror)) from None
        return path, os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
    raise OutputError(_("too many reports named {stem} in {folder}").format(stem=REPORT_STEM, folder=folder))
