"""Batch letters: one letter set per row of a spreadsheet (CSV), a JSON Lines file or a YAML/JSON list.

Each row is an answers mapping, validated on its own by `interview.build_case` (the wizard's validators).
Valid rows become letters; invalid rows are reported with the line where they start in the input file, the
column (the dotted answers key) and the message, in the UI language. Nothing is ever lost or duplicated:

- a letter's file name is `letter_stem(...)` plus a short hash of the row's validated, typed answers, so
  "245,80" and "245.80" name the same letter, and running the same input again writes nothing new
  (the rows are reported as skipped); `force` renders them again and replaces the files;
- every file is written atomically (`outputs.write_atomic`, mode 0600): a run killed half-way leaves no
  partial letter, and the next run writes the rest;
- two identical rows give one letter set; the second is reported as a duplicate of the first.

Rows are streamed and the report is written as the run goes: memory does not grow with the input (only the
set of short hashes does). `run_batch` is the entry point for `plainte batch`; `template_csv` writes the
empty sheet a dispute needs.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from plainte.batch_report import DELIMITER, Report, safe_cell
from plainte.errors import AnswersError, ExitCode, OutputError, PlainteError, Problem, UsageError
from plainte.i18n import _

Progress = Callable[[int, int], None]

HASH_CHARS = 16  # 64 bits: two different rows sharing a name is out of reach (10 hex: ~1 in 200 for 100,000 rows of one kind)
CSV_SUFFIXES = (".csv",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
LIST_SUFFIXES = (".yaml", ".yml", ".json")
NESTED_KEYS = ("sender", "client", "recipient", "references", "facts")
EVIDENCE_SEPARATOR = "|"  # between evidence ids in one cell (the validator also accepts commas)
WRITE_THREADS = 8  # write_atomic waits for fsync: a few threads let those waits overlap the rendering
WRITE_WINDOW = 64  # rows rendered but not yet reported (bounds the memory held by pending writes)
CHUNK_ROWS = 64  # rows sent to a worker process at a time with jobs > 1
POLL_EVERY = 16  # rows between two looks for the writer process's answers (at most WRITE_WINDOW rows wait anyway)
PROGRESS_SECONDS = 0.1  # the progress callback is called at most about ten times a second (and at the end)
STALE_SECONDS = 60  # a hidden temporary file of write_atomic older than this was left by a killed run

OK, ERROR, SKIPPED, WARNING = "ok", "error", "skipped", "warning"


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did. Per-row detail is in the report file, never kept in memory."""

    total: int  # rows read (blank lines and empty spreadsheet rows are not rows)
    written: int  # rows whose letters were written by this run
    skipped: int  # rows whose letters were already there (an earlier run)
    duplicates: int  # rows identical to an earlier row of the same input: no second letter
    errors: int  # rows with a problem: no letter
    report_path: Path
    out_dir: Path
    unknown_columns: tuple[str, ...] = ()  # CSV headers that are no answers key (reported once, at line 1)
    jobs: int = 1
    combined: Optional[Path] = None  # with combine: one PDF of every letter of the run, in input order

    @property
    def exit_code(self) -> int:
        """0 when every row has its letters (written now or before), 7 when a row failed."""
        return ExitCode.BATCH_PARTIAL if self.errors else ExitCode.OK

    def as_dict(self) -> dict[str, Any]:
        """The summary for --json."""
        return {"rows": self.total, "written": self.written, "skipped": self.skipped, "duplicates": self.duplicates,
                "errors": self.errors, "report": str(self.report_path), "output": str(self.out_dir),
                "unknown_columns": list(self.unknown_columns), "exit_code": self.exit_code,
                "combined": str(self.combined) if self.combined else None}


# ----------------------------------------------------------------------------------------------- input


@dataclass
class _Row:
    line: int  # the physical line of the input where the row starts (1-based)
    answers: Optional[dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)  # found while reading: the row is not validated


def _known_nested() -> dict[str, tuple[str, ...]]:
    from plainte.interview import PERSON_KEYS, RECIPIENT_KEYS, REFERENCE_KEYS

    return {"sender": PERSON_KEYS, "client": PERSON_KEYS, "recipient": RECIPIENT_KEYS, "references": REFERENCE_KEYS}


def _scalar_keys() -> tuple[str, ...]:
    from plainte.interview import TOP_KEYS

    return tuple(k for k in TOP_KEYS if k not in NESTED_KEYS)


def _target(column: str) -> tuple[str, Optional[str]]:
    """Where a column goes in the answers: ("sender", "name") for sender.name; ("date", None) for date.

    A dotted name whose head is not a nested key stays one top-level key ("date.x", "foo.bar"), so the
    validator reports it under the column's own name."""
    head, dot, rest = column.partition(".")
    if dot and rest and head in NESTED_KEYS:
        return head, rest
    return column, None


def known_column(column: str, cat: Any) -> bool:
    """True when a column name is an answers key (facts: a question of some dispute of the catalogue)."""
    head, sub = _target(column)
    if sub is None:
        return head in _scalar_keys()
    if head == "facts":
        return any(q.id == sub for d in cat.disputes.values() for q in d.questions)
    return sub in _known_nested()[head]


def _parse_defaults(defaults: Optional[Mapping[str, str]], cat: Any) -> list[tuple[str, Optional[str], Any]]:
    out = []
    for key, value in (defaults or {}).items():
        key = str(key).strip()
        if not known_column(key, cat):
            raise UsageError(_("--set {key}: unknown key; expected a column such as sender.city or facts.creditor").format(key=key))
        if value is None or str(value).strip() == "":
            continue
        head, sub = _target(key)
        out.append((head, sub, str(value)))
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value == [] or value == {}


def _apply_defaults(answers: dict[str, Any], defaults: list[tuple[str, Optional[str], Any]]) -> None:
    """A --set value fills a key the row leaves empty; the row's own value wins."""
    for head, sub, value in defaults:
        if sub is None:
            if _blank(answers.get(head)):
                answers[head] = value
            continue
        inner = answers.get(head)
        if inner is None:
            answers[head] = {sub: value}
        elif isinstance(inner, dict) and _blank(inner.get(sub)):
            inner[sub] = value


def _read_error(path: Path, exc: BaseException) -> UsageError:
    if isinstance(exc, UnicodeDecodeError):
        return UsageError(_("{path}: not UTF-8 text; in your spreadsheet, save as \"CSV UTF-8\"").format(path=path))
    if isinstance(exc, FileNotFoundError):
        return UsageError(_("{path}: no such file").format(path=path))
    return UsageError(_("{path}: cannot be read ({error})").format(path=path, error=getattr(exc, "strerror", None) or exc))


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
            for index, target in enumerate(targets):
                text = cells[index]
                if not text or text.isspace():
                    continue
                if target is None:
                    problems.append(Problem(_("column {number}").format(number=index + 1),
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


def _mapping_row(line: int, data: Any, defaults: list[tuple[str, Optional[str], Any]]) -> _Row:
    if isinstance(data, _Unreadable):
        return _Row(line, None, [Problem("", _("not valid YAML ({error})").format(error=data.why))])
    if not isinstance(data, Mapping):
        return _Row(line, None, [Problem("", _("expected a mapping of answers (institution, dispute, sender, facts ...)"))])
    answers = {str(k): (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()}
    _apply_defaults(answers, defaults)
    return _Row(line, answers)


class _ListSource:
    """A YAML or JSON file holding a list of answers mappings; each row's line is where its item starts."""

    unknown_columns: tuple[str, ...] = ()

    def __init__(self, path: Path, defaults: list[tuple[str, Optional[str], Any]]) -> None:
        self.path = path
        self.defaults = defaults
        try:
            self.text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise _read_error(path, exc) from None
        self.items = _json_items(self.text, path) if path.suffix.lower() == ".json" else _yaml_items(self.text, path)

    def count(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[_Row]:
        for line, data in self.items.rows():
            yield _mapping_row(line, data, self.defaults)


class _YamlItems:
    def __init__(self, loader: Any, nodes: list[Any]) -> None:
        self.loader, self.nodes = loader, nodes

    def __len__(self) -> int:
        return len(self.nodes)

    def rows(self) -> Iterator[tuple[int, Any]]:
        import yaml

        for node in self.nodes:
            try:
                data = self.loader.construct_object(node, deep=True)
            except yaml.YAMLError as exc:  # e.g. an unknown !tag: this item only
                data = _Unreadable(str(getattr(exc, "problem", "") or exc))
            yield node.start_mark.line + 1, data


class _Unreadable:
    def __init__(self, why: str) -> None:
        self.why = why


def _yaml_items(text: str, path: Path) -> _YamlItems:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line {line}").format(line=mark.line + 1) if mark else ""
        raise UsageError(f"{path}: " + _("not valid YAML or JSON {where}").format(where=where).strip()) from None
    if node is None:
        return _YamlItems(loader, [])
    if not isinstance(node, yaml.SequenceNode):
        raise UsageError(_("{path}: expected a list of answers, one mapping per letter (for a single letter, use plainte render)").format(path=path))
    return _YamlItems(loader, list(node.value))


class _JsonItems:
    def __init__(self, items: list[tuple[int, int, int]], text: str) -> None:
        self.spans, self.text = items, text  # (line, start, end) of each item

    def __len__(self) -> int:
        return len(self.spans)

    def rows(self) -> Iterator[tuple[int, Any]]:
        decoder = json.JSONDecoder()
        for line, start, _end in self.spans:
            yield line, decoder.raw_decode(self.text, start)[0]


def _json_items(text: str, path: Path) -> _JsonItems:
    """Where each item of a top-level JSON list starts (checked once; decoded again item by item when read)."""
    decoder = json.JSONDecoder()
    ws = " \t\r\n"
    n = len(text)

    def skip(i: int) -> int:
        while i < n and text[i] in ws:
            i += 1
        return i

    def fail(i: int, why: str) -> UsageError:
        return UsageError(_("{path}: not valid JSON, line {line} ({error})").format(path=path, line=text.count("\n", 0, i) + 1, error=why))

    i = skip(0)
    if i == n:
        return _JsonItems([], text)
    if text[i] != "[":
        raise UsageError(_("{path}: expected a list of answers, one mapping per letter (for a single letter, use plainte render)").format(path=path))
    spans = []
    line, counted = 1, 0
    i = skip(i + 1)
    if i < n and text[i] == "]":
        return _JsonItems([], text)
    while True:
        line += text.count("\n", counted, i)
        counted = i
        try:
            _obj, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise fail(exc.pos, exc.msg) from None
        spans.append((line, i, end))
        i = skip(end)
        if i < n and text[i] == ",":
            i = skip(i + 1)
            continue
        if i < n and text[i] == "]":
            if skip(i + 1) != n:
                raise fail(i + 1, "extra data")
            return _JsonItems(spans, text)
        raise fail(i, "expected , or ]")


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


# ----------------------------------------------------------------------------------------------- letters


def case_digest(case: Any) -> str:
    """A short stable hash of a Case's validated, typed answers: the same letter always has the same name."""
    inst = case.institution
    recipient = case.recipient
    data = {
        "institution": inst.id, "institution_kind": inst.kind, "institution_country": inst.country,
        "dispute": case.dispute.id, "language": case.language, "date": case.date, "sending": case.sending,
        "writer_role": case.writer_role, "segment": case.segment, "organisation": case.organisation,
        "sender": vars(case.sender), "client": vars(case.client) if case.client else None,
        "recipient": {"name": recipient.name, "email": recipient.email,
                      "address": vars(recipient.address) if recipient.address else None},
        "references": dict(case.references), "facts": dict(case.facts), "evidence": list(case.evidence),
    }
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


@dataclass
class _Result:
    """What happened to one row; problems as (column, message) pairs so that it pickles cheaply."""

    line: int
    status: str  # ok | error | skipped | duplicate
    problems: list[tuple[str, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    digest: str = ""
    future: Optional[Future] = None  # the pending writes of an ok row
    first_line: int = 0  # for a duplicate: the row it repeats
    answers: Optional[dict[str, Any]] = None  # an ok row's answers, to record its letter in the case store


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


class _Engine:
    """Validates, names, renders and writes the letters of rows; one per process (the catalogue is loaded once)."""

    def __init__(self, cat: Any, formats: list[str], folder: Path, force: bool, today: dt.date,
                 threads: Optional[int] = None, helper: bool = False) -> None:
        self.cat, self.formats, self.folder, self.force, self.today = cat, formats, folder, force, today
        self.threads = WRITE_THREADS if threads is None else threads
        self.helper = helper  # write in a helper process (when fork is available)
        self._writes: Optional[_InlineWrites] = None
        self._existing: Optional[set[str]] = None
        self.kept: Optional[list[Any]] = None  # with --combine: the cases of the run's letters, in input order

    def process(self, row: _Row, seen: dict[str, int]) -> _Result:
        """Validate one row and start writing its letters; `seen` maps the hashes met so far to their line."""
        from plainte.compose import render_formats
        from plainte.interview import build_case
        from plainte.outputs import letter_stem

        if row.problems or row.answers is None:
            return _Result(row.line, ERROR, [(p.field, p.message) for p in row.problems])
        try:
            case = build_case(row.answers, self.cat, today=self.today)
        except AnswersError as exc:
            return _Result(row.line, ERROR, [(p.field, p.message) for p in exc.problems])
        except Exception as exc:  # noqa: BLE001 - one odd row must not stop the others
            return _unexpected(row.line, exc)
        try:
            digest = case_digest(case)
            stem = f"{letter_stem(case.date, case.institution.id, case.dispute.id, case.language)}_{digest}"
            names = [f"{stem}.{fmt}" for fmt in self.formats]
            first = seen.get(digest)
            if first is not None:
                return _Result(row.line, "duplicate", names=names, digest=digest, first_line=first)
            seen[digest] = row.line
            if self.kept is not None:
                self.kept.append(case)
            todo = self.formats if self.force else [f for f, n in zip(self.formats, names) if n not in self.existing()]
            if not todo:
                return _Result(row.line, SKIPPED, names=names, digest=digest)
            rendered = render_formats(case, self.cat, todo)
        except PlainteError as exc:  # e.g. an e-mail asked for an institution that takes none at this step
            return _Result(row.line, ERROR, [(getattr(exc, "field", ""), str(exc))])
        except Exception as exc:  # noqa: BLE001
            return _unexpected(row.line, exc)
        files = {f"{stem}.{fmt}": data for fmt, data in rendered.items()}
        return _Result(row.line, OK, names=names, digest=digest, future=self.writes().submit(self.folder, files, self.force),
                       answers=row.answers)

    def existing(self) -> set[str]:
        """The letter files in the folder when the run started, read once (a stat per row is slow while writing).
        A file written meanwhile by another run is still never replaced: write_atomic creates exclusively."""
        if self._existing is None:
            ends = tuple(f".{fmt}" for fmt in self.formats)
            with os.scandir(self.folder) as entries:
                self._existing = {e.name for e in entries if e.name.endswith(ends) and not e.name.startswith(".")}
        return self._existing

    def writes(self) -> _InlineWrites:
        if self._writes is None:
            if not self.threads:
                self._writes = _InlineWrites()
            elif self.helper and _fork_available():
                self._writes = _ProcessWrites(self.threads)
            else:
                self._writes = _ThreadWrites(self.threads)
        return self._writes

    def poll(self) -> None:
        if self._writes is not None:
            self._writes.poll()

    def finish(self, result: _Result) -> _Result:
        """Wait for an ok row's writes; a file that cannot be written stops the run (the disk is full, the folder gone)."""
        if result.future is not None:
            self.writes().wait(result.future)
            try:
                result.future.result()
            except OSError as exc:
                raise OutputError(_("cannot write the letter in {folder}: {error}").format(folder=self.folder, error=exc.strerror or exc)) from None
            result.future = None
        return result

    def close(self) -> None:
        """Wait for every write started (a write is never abandoned half-way)."""
        if self._writes is not None:
            writes, self._writes = self._writes, None
            writes.close()


def _unexpected(line: int, exc: Exception) -> _Result:
    if os.environ.get("PLAINTE_DEBUG"):
        raise exc
    return _Result(line, ERROR, [("", _("unexpected error ({kind}); no letter was written for this row").format(kind=type(exc).__name__))])


# -------------------------------------------------------------------------------------- worker processes

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


def _fork_available() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


# ----------------------------------------------------------------------------------------------- the run


class Recorder:
    """Records the letters written in the case store, a few hundred per transaction (memory stays flat)."""

    FLUSH = 200

    def __init__(self, store: Any, cat: Any, today: dt.date) -> None:
        self.store, self.cat, self.today = store, cat, today
        self.pending: list[tuple[dict[str, Any], list[Path]]] = []

    def add(self, answers: dict[str, Any], files: list[Path]) -> None:
        self.pending.append((answers, files))
        if len(self.pending) >= self.FLUSH:
            self.flush()

    def flush(self) -> None:
        from plainte.cases import record_letters
        from plainte.interview import build_case
        from plainte.plan import make_plan

        letters = []
        for answers, files in self.pending:
            case = build_case(answers, self.cat, today=self.today)
            letters.append((case, make_plan(case, self.cat), files, answers))
        self.pending = []
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
            if self.recorder is not None and r.answers is not None:
                self.recorder.add(r.answers, [self.folder / n for n in r.names])
        self.done += 1
        self.tick()

    def tick(self, final: bool = False) -> None:
        now = time.monotonic()
        if final or now - self._last >= PROGRESS_SECONDS:
            self._last = now
            self.report.flush()
            if self.progress is not None:
                self.progress(self.done, self.total)


def run_batch(
    input_path: Path,
    out_dir: Path,
    *,
    formats: Iterable[str] = ("txt",),
    jobs: int = 1,
    force: bool = False,
    defaults: Optional[Mapping[str, str]] = None,
    today: Optional[dt.date] = None,
    progress: Optional[Progress] = None,
    catalogue: Any = None,
    combine: bool = False,
    store: Any = None,
) -> BatchSummary:
    """Write the letters of every valid row of input_path into out_dir, and a report of every row.

    formats: some of txt, md, html, pdf, eml. jobs: worker processes (1: this process only; more needs fork, else 1).
    combine: also write one PDF of every letter of the run, in input order (runs in this process).
    store: an open case store (plainte.cases) to record every letter written in; None records nothing.
    force: render rows whose letters exist again and replace them. defaults: dotted key -> value, for every
    row that leaves that key empty (--set). today: the date of letters whose row gives none.
    progress(done, total) is called at most ~10 times a second and once at the end; total is the number of
    rows (counted before the run, which also checks the whole file can be read).
    Raises UsageError for an input that cannot be read at all, OutputError when a file cannot be written.
    """
    from plainte.letters import OUTPUT_FORMATS

    fmts = list(dict.fromkeys(str(f).strip().lower() for f in formats))
    bad = [f for f in fmts if f not in OUTPUT_FORMATS]
    if bad or not fmts:
        raise UsageError(_("--format: unknown format {format}; expected some of {formats}").format(format=", ".join(bad) or "-", formats=", ".join(OUTPUT_FORMATS)))
    if combine and "pdf" not in fmts:
        raise UsageError(_("--combine joins the PDF letters: add pdf to --format"))
    if jobs < 1:
        raise UsageError(_("--jobs: expected a number of at least 1"))
    if catalogue is None:
        from plainte.catalog import load

        catalogue = load()
    today = today or dt.date.today()
    input_path = Path(input_path)
    source = open_rows(input_path, catalogue, defaults)
    total = source.count()
    folder = _ensure_folder(Path(out_dir))
    jobs = jobs if (jobs == 1 or _fork_available()) and not combine else 1
    engine = _Engine(catalogue, fmts, folder, force, today, helper=jobs == 1)
    if combine:
        engine.kept = []
    with Report(folder) as report:
        tally = _Tally(report, folder, tuple(getattr(source, "unknown_columns", ())), 1, total, progress)
        if store is not None:
            tally.recorder = Recorder(store, catalogue, today)
        tally.tick(final=True)
        if jobs == 1:
            _run_here(engine, source, tally)
        else:
            _run_workers(engine, source, tally, jobs)
        if tally.recorder is not None:
            tally.recorder.flush()
        tally.tick(final=True)
    combined = _combine(engine.kept, catalogue, folder, today) if combine and engine.kept else None
    return BatchSummary(total=tally.done, written=tally.written, skipped=tally.skipped, duplicates=tally.duplicates,
                        errors=tally.errors, report_path=report.path, out_dir=folder,
                        unknown_columns=tuple(getattr(source, "unknown_columns", ())), jobs=jobs, combined=combined)


def _combine(cases: list[Any], cat: Any, folder: Path, today: dt.date) -> Path:
    """One PDF of every letter of the run, in input order, for printing a day's letters at once (never overwritten)."""
    from plainte.outputs import slug, write_letter
    from plainte.pdf import render_pdf_many

    data = render_pdf_many(cases, cat)
    return write_letter(folder, slug(today.isoformat(), "plainte-combined"), {"pdf": data})[0]


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
    worker = _Engine(engine.cat, engine.formats, engine.folder, engine.force, engine.today, threads=max(2, WRITE_THREADS // jobs))
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


# ----------------------------------------------------------------------------------------------- template


def template_csv(dispute_id: str, institution_id: Optional[str] = None, catalogue: Any = None, *,
                 today: Optional[dt.date] = None) -> str:
    """An empty sheet for a dispute: the header names every column the dispute can use, one example row follows.

    The columns come from the interview's slots (optional ones included, the client's and the organisation's
    for a social worker, every question of the dispute, the evidence ids separated by |). The example row is
    taken from examples/<dispute>.yaml when that file exists, otherwise made up; it renders as it is.
    The text is semicolon-separated with a byte-order mark and CRLF line ends: Excel in Belgium and France
    opens it in columns without an import step. Write it as UTF-8 (text.encode("utf-8")).
    """
    from plainte.catalog import OTHER
    from plainte.interview import WRITABLE_KINDS, get, put, resolve_institution, slots

    cat = catalogue
    if cat is None:
        from plainte.catalog import load

        cat = load()
    dispute = cat.dispute(dispute_id)
    example = _example_answers(dispute.id)
    base: dict[str, Any] = {"dispute": dispute.id}
    if institution_id == OTHER:
        for kind, country in ((k, c) for k in dispute.kinds if k in WRITABLE_KINDS for c in (dispute.countries or ("BE", "FR", "CN"))):
            trial = {"institution": OTHER, "institution_kind": kind, "institution_country": country}
            inst = resolve_institution(trial, cat)
            if inst is not None and dispute.id in {d.id for d in cat.disputes_for(inst)}:
                base.update(trial)
                break
        else:
            raise UsageError(_("the dispute {dispute} does not apply to {institution}").format(dispute=dispute.id, institution=_("another institution")))
    elif institution_id:
        inst = cat.institution(institution_id)
        if dispute.id not in {d.id for d in cat.disputes_for(inst)}:
            raise UsageError(_("the dispute {dispute} does not apply to {institution}").format(dispute=dispute.id, institution=inst.name))
        base["institution"] = inst.id
    else:
        base["institution"] = _default_institution(dispute, example, cat)
    if example is not None and example.get("institution") != base["institution"]:
        example = {k: v for k, v in example.items() if k not in ("institution", "recipient", "segment", "references")}

    wide = dict(base, writer_role="social-worker", sending="email")  # every column a row may need
    columns: list[str] = []
    types: dict[str, Any] = {}
    for slot in slots(wide, cat):
        types[slot.key] = slot
        if slot.key.startswith("facts."):
            if not any(c.startswith("facts.") for c in columns):
                columns += [f"facts.{q.id}" for q in dispute.questions]
            continue
        columns.append(slot.key)
    if not any(c.startswith("facts.") for c in columns):  # no question applies before any answer: list them all anyway
        at = columns.index("evidence") if "evidence" in columns else len(columns)
        columns[at:at] = [f"facts.{q.id}" for q in dispute.questions]

    row: dict[str, Any] = dict(base)
    if example is not None:
        for key in columns:
            value = get(example, key)
            if key not in ("date",) and not _blank(value) and key not in base:
                put(row, key, value)
    _fill_required(row, cat, today or dt.date.today())
    cells = [_template_cell(key, get(row, key), types.get(key), dispute) for key in columns]

    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow(cells)
    return "\ufeff" + out.getvalue()


def _example_answers(dispute_id: str) -> Optional[dict[str, Any]]:
    from plainte.resources import resource_dir

    try:
        path = resource_dir("examples") / f"{dispute_id}.yaml"
    except FileNotFoundError:
        return None
    if not path.is_file():
        return None
    from plainte.answers import load_answers

    try:
        return load_answers(path)
    except Exception:  # noqa: BLE001 - an example that does not load only costs the example values
        return None


def _default_institution(dispute: Any, example: Optional[Mapping[str, Any]], cat: Any) -> str:
    from plainte.catalog import OTHER

    fits = {i.id for i in cat.writable() if dispute.id in {d.id for d in cat.disputes_for(i)}}
    if example is not None and example.get("institution") in fits:
        return str(example["institution"])
    return sorted(fits)[0] if fits else OTHER


_MADE_UP_TEXT = {
    "sender.name": "Marie Dubois", "client.name": "Karim El Amrani", "organisation": "CPAS de Saint-Gilles",
    "recipient.name": "Exemple SA", "street": "Rue de la Loi 16", "city": "Bruxelles",
}


def _fill_required(row: dict[str, Any], cat: Any, today: dt.date) -> None:
    """Give every required answer still empty a made-up valid value (slots depend on answers: a few rounds)."""
    from plainte.interview import get, put, slots

    for _round in range(4):
        changed = False
        for slot in slots(row, cat):
            if not _blank(get(row, slot.key)):
                continue
            if slot.default is not None:
                value: Any = slot.default
                if not slot.required:
                    continue
            elif not slot.required:
                continue
            else:
                value = _made_up(slot, row, today)
            put(row, slot.key, value)
            changed = True
        if not changed:
            return


def _made_up(slot: Any, row: Mapping[str, Any], today: dt.date) -> Any:
    from plainte.interview import get

    kind = slot.type
    if kind == "choice":
        return slot.choices[0][0] if slot.choices else ""
    if kind == "evidence":
        return []
    if kind == "postal-code":
        return {"FR": "75001", "NL": "1011 AB", "LU": "1009", "DE": "10115", "CN": "100000"}.get(str(get(row, slot.country_key) or "BE"), "1000")
    made = {
        "date": (today - dt.timedelta(days=30)).isoformat(), "money": "100,00", "integer": "1", "bool": "no",
        "iban": "BE68 5390 0754 7034", "structured-communication": "***090/9337/55493***", "email": "name@example.be",
        "phone": "0470 12 34 56", "national-number": "85.07.30-033.28", "enterprise-number": "0403.170.701",
    }
    if kind in made:
        return made[kind]
    tail = slot.key.rpartition(".")[2]
    return _MADE_UP_TEXT.get(slot.key) or _MADE_UP_TEXT.get(tail) or "[" + slot.text() + "]"


def _template_cell(key: str, value: Any, slot: Any, dispute: Any) -> str:
    """A value as a spreadsheet cell that Excel keeps as typed: no leading +, dates as YYYY-MM-DD, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return EVIDENCE_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    qtype = slot.type if slot is not None else None
    if key.startswith("facts.") and qtype is None:
        q = dispute.question(key.partition(".")[2])
        qtype = q.type if q is not None else None
    if qtype == "phone" and text.startswith("+"):
        text = "00" + text[1:]  # +32 ... would be a formula in a spreadsheet; 0032 ... means the same
    elif qtype == "structured-communication":
        text = "***" + text.strip().strip("+*") + "***"
    return safe_cell(text)
