"""Batch input opened by its suffix: spreadsheet rows (CSV, ; or , sniffed) and JSON Lines; lists in batch_lists."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from itertools import compress, count
from pathlib import Path
from typing import Any, Optional

from plainte.batch_columns import _apply_defaults, _parse_defaults, _target, known_column
from plainte.batch_lists import _ListSource
from plainte.batch_rows import _mapping_row, _read_error, _Row
from plainte.errors import Problem, UsageError
from plainte.i18n import _

CSV_SUFFIXES = (".csv",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
LIST_SUFFIXES = (".yaml", ".yml", ".json")


class _CsvSource:
    """A spreadsheet export: UTF-8 with or without BOM, ; or , between cells, quoted cells may hold newlines."""

    def __init__(self, path: Path, defaults: list[tuple[str, Optional[str], Any]], cat: Any) -> None:
        self.path = path
        self.defaults = defaults
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                first = fh.readline()
                if not first.strip():
                    raise UsageError(_("{path}: the first line must name the columns (institution, dispute, sender.name ...)").format(path=path))
                self.delimiter = _sniff_delimiter(first)
                fh.seek(0)
                header = next(csv.reader(fh, delimiter=self.delimiter, strict=True))
        except (OSError, UnicodeDecodeError) as exc:
            raise _read_error(path, exc) from None
        except csv.Error as exc:
            raise _csv_error(path, 1, exc) from None
        self.columns = [c.strip() for c in header]
        named = [c for c in self.columns if c]
        dupes = sorted({c for c in named if named.count(c) > 1})
        if dupes:
            raise UsageError(_("{path}: the column {column} appears twice").format(path=path, column=dupes[0]))
        self.targets = [_target(c) if c else None for c in self.columns]
        self.unknown_columns = tuple(c for c in self.columns if c and not known_column(c, cat))

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """(first line, cells) of every record after the header; a broken file is a UsageError naming the line."""
        fh = open(self.path, encoding="utf-8-sig", newline="")
        try:
            reader = csv.reader(fh, delimiter=self.delimiter, strict=True)
            while True:
                start = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise _csv_error(self.path, start, exc) from None
                except UnicodeDecodeError:
                    raise UsageError(_("{path}, line {line}: not UTF-8 text; in your spreadsheet, save as \"CSV UTF-8\"").format(
                        path=self.path, line=start)) from None
                if start == 1:
                    continue  # the header
                if any(c.strip() for c in cells):  # blank lines and empty spreadsheet rows (;;;;) are not rows
                    yield start, cells
        except OSError as exc:
            raise _read_error(self.path, exc) from None
        finally:
            fh.close()

    def count(self) -> int:
        """The number of rows; reads the whole file once, so a broken file fails before any letter is written."""
        return sum(1 for _record in self._records())

    def __iter__(self) -> Iterator[_Row]:
        width = len(self.columns)
        targets = self.targets
        for start, cells in self._records():
            if len(cells) < width or any(c.strip() for c in cells[width:]):
                message = _("this row has {cells} cells but the first line names {columns} columns").format(cells=len(cells), columns=width)
                yield _Row(start, None, [Problem("", message)])
                continue
            answers: dict[str, Any] = {}
            problems: list[Problem] = []
            # a sheet of many disputes has a hundred columns, most of them empty in a given row: compress drops the
            # empty cells in C, and the loop sees only the filled ones
            for number, target, text in compress(zip(count(1), targets, cells), cells):
                if text.isspace():
                    continue
                if target is None:
                    problems.append(Problem(_("column {number}").format(number=number),
                                            _("a value in a column without a name in the first line")))
                    continue
                head, sub = target  # evidence stays text: the validator splits "a|b" (or "a, b") itself
                if sub is None:
                    answers[head] = text
                else:
                    inner = answers.get(head)
                    if inner is None:
                        answers[head] = {sub: text}
                    else:
                        inner[sub] = text
            if problems:
                yield _Row(start, None, problems)
                continue
            _apply_defaults(answers, self.defaults)
            yield _Row(start, answers)


def _csv_error(path: Path, line: int, exc: csv.Error) -> UsageError:
    why = (_("a quote (\") opens a cell and is never closed") if "end of data" in str(exc)
           else _("a quote (\") closes a cell but more text follows in the cell") if "expected after" in str(exc)
           else str(exc))
    return UsageError(_("{path}, line {line}: not valid CSV: {error}").format(path=path, line=line, error=why))


def _sniff_delimiter(header_line: str) -> str:
    """; or , from the header line: csv.Sniffer when it is sure, else whichever occurs more (; on a tie)."""
    try:
        found = csv.Sniffer().sniff(header_line, delimiters=";,").delimiter
    except csv.Error:
        found = ""
    if found in (";", ",") and header_line.count(found) > 0:
        return found
    return "," if header_line.count(",") > header_line.count(";") else ";"


class _JsonLinesSource:
    """One JSON object of answers per line; blank lines are ignored."""

    unknown_columns: tuple[str, ...] = ()

    def __init__(self, path: Path, defaults: list[tuple[str, Optional[str], Any]]) -> None:
        self.path = path
        self.defaults = defaults

    def _lines(self) -> Iterator[tuple[int, str]]:
        try:
            with open(self.path, encoding="utf-8-sig") as fh:
                for number, text in enumerate(fh, 1):
                    if text.strip():
                        yield number, text
        except (OSError, UnicodeDecodeError) as exc:
            raise _read_error(self.path, exc) from None

    def count(self) -> int:
        return sum(1 for _line in self._lines())

    def __iter__(self) -> Iterator[_Row]:
        for number, text in self._lines():
            try:
                data = json.loads(text)
            except ValueError as exc:
                yield _Row(number, None, [Problem("", _("not valid JSON ({error})").format(error=getattr(exc, "msg", exc)))])
                continue
            yield _mapping_row(number, data, self.defaults)


def open_rows(path: Path, cat: Any, defaults: Optional[Mapping[str, str]] = None) -> Any:
    """The rows of an input file, by its suffix: .csv, .jsonl/.ndjson, or .yaml/.yml/.json (a list)."""
    parsed = _parse_defaults(defaults, cat)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise UsageError(_("{path}: is a folder; expected a .csv, .jsonl, .yaml or .json file").format(path=path))
    if suffix in CSV_SUFFIXES:
        return _CsvSource(path, parsed, cat)
    if suffix in JSONL_SUFFIXES:
        return _JsonLinesSource(path, parsed)
    if suffix in LIST_SUFFIXES:
        return _ListSource(path, parsed)
    raise UsageError(_("{path}: unknown kind of file; expected .csv, .jsonl, .yaml, .yml or .json").format(path=path))
