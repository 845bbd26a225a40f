"""The batch engine: validates a row, names its letters by a hash of its answers, renders and writes them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from plainte.batch_rows import _Row
from plainte.batch_writes import is_complete, write_files
from plainte.errors import AnswersError, OutputError, PlainteError
from plainte.i18n import _
from plainte.outputs import letter_stem

ATTACHMENT_SEPARATOR = "|"  # between file paths in one `attachments` cell
HASH_CHARS = 16  # 64 bits: two different rows sharing a name is out of reach (10 hex: ~1 in 200 for 100,000 rows of one kind)

OK, ERROR, SKIPPED, WARNING = "ok", "error", "skipped", "warning"
RENDERED_BYTES = 4 * 1024 * 1024  # rendered letters held before they are written (see _Engine.process_many)

# A letter's stem comes from its date and catalogue ids only (never a person's answers): the same few hundred in a
# batch, each a few regular-expression substitutions; bounded.
_letter_stem = lru_cache(maxsize=4096)(letter_stem)

# One encoder for every row: json.dumps with options builds a new one per call. Same options, same bytes.
_DIGEST_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)


def case_digest(case: Any, attachments: Sequence[tuple[str, Optional[int]]] = ()) -> str:
    """A short stable hash of a Case's validated, typed answers (and the files its e-mail attaches, when
    there are any, as (path as written in the sheet, size) pairs: the name does not depend on where the
    sheet's folder lives): the same letter always has the same name."""
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
    if attachments:
        data["attachments"] = [list(a) for a in attachments]
    text = _DIGEST_JSON.encode(data)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


@dataclass
class _Result:
    """What happened to one row; problems as (column, message) pairs so that it pickles cheaply."""

    line: int
    status: str  # ok | error | skipped | duplicate
    problems: list[tuple[str, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    digest: str = ""
    first_line: int = 0  # for a duplicate: the row it repeats
    entry: Any = None  # an ok row's cases.LetterEntry, when the run records its letters in the case store


class _Step:
    """A valid row on its way through the engine's stages (validated, named, planned, rendered)."""

    __slots__ = ("row", "case", "attachments", "digest", "stem", "names", "todo", "cut", "plan", "files")

    def __init__(self, row: _Row, case: Any, attachments: list[Path]) -> None:
        self.row, self.case, self.attachments = row, case, attachments
        self.digest, self.stem, self.names, self.todo, self.cut = "", "", [], [], frozenset()
        self.plan: Any = None
        self.files: dict[str, bytes] = {}


class _Engine:
    """Validates, names, renders and writes the letters of rows; one per process (the catalogue is loaded once)."""

    def __init__(self, cat: Any, formats: list[str], folder: Path, force: bool, today: dt.date,
                 base: Optional[Path] = None) -> None:
        self.cat, self.formats, self.folder, self.force, self.today = cat, formats, folder, force, today
        self.base = base or Path.cwd()  # the input file's folder: `attachments` paths are relative to it
        self._existing: Optional[set[str]] = None
        self.kept: Optional[list[Any]] = None  # with --combine: the cases of the run's letters, in input order
        self.record = False  # make each ok row's case-store entry (where the case is at hand, in a worker too)
        # The letter-making functions, imported once per engine: four import statements per row were some 5 µs of
        # every letter. Not when this module loads: `plainte batch --template` makes no letter.
        # The case-store entry is made here too (the case is at hand, and the entry pickles).
        from plainte.cases import letter_entry
        from plainte.compose import render_formats
        from plainte.email_message import AttachmentError
        from plainte.interview import build_case
        from plainte.plan import make_plan

        self._build_case, self._render_formats, self._attachment_error = build_case, render_formats, AttachmentError
        self._make_plan, self._letter_entry = make_plan, letter_entry

    def process(self, row: _Row, seen: dict[str, int]) -> _Result:
        """Validate one row and write its letters; `seen` maps the hashes met so far to their line."""
        return next(self.process_many([row], seen))

    def process_many(self, rows: Sequence[_Row], seen: dict[str, int]) -> Iterator[_Result]:
        """The rows' results in input order, each yielded once the row's files are written (or found to need none).

        The work goes stage by stage over the rows (validate them all, then name, render, write): each stage's code
        then stays in the processor's caches for the whole chunk, which made a letter 7-10% cheaper here than doing
        every stage for one row before the next. Rendered letters are written once they add up to RENDERED_BYTES
        (text letters: the whole chunk; PDFs and e-mails with scanned proof: a few rows), so memory stays bounded.
        What a row does (its name, whether it repeats an earlier row) is the same as one by one."""
        steps: list[Any] = [self._validated(row) for row in rows]
        steps = [self._named(step, seen) if type(step) is _Step else step for step in steps]
        ready: list[Any] = []  # results and rendered steps, in input order, not yet written or yielded
        size = 0
        for step in steps:
            if type(step) is _Step:
                step = self._rendered(step)
                if type(step) is _Step:
                    size += sum(len(data) for data in step.files.values())
            ready.append(step)
            if size >= RENDERED_BYTES:
                yield from self._written(ready)
                ready, size = [], 0
        yield from self._written(ready)

    def _written(self, steps: list[Any]) -> Iterator[_Result]:
        """Each step's files written, in order, then its result (a result as it is); the bytes are let go at once."""
        for step in steps:
            if type(step) is not _Step:
                yield step
                continue
            try:
                write_files(self.folder, step.files, self.force, step.cut)
            except OSError as exc:  # the disk is full, the folder gone: the run stops (this row's files are not there)
                raise OutputError(_("cannot write the letter in {folder}: {error}").format(folder=self.folder, error=exc.strerror or exc)) from None
            step.files = {}
            entry = self._letter_entry(step.case, step.plan, step.row.answers) if self.record else None
            yield _Result(step.row.line, OK, names=step.names, digest=step.digest, entry=entry)

    def _validated(self, row: _Row) -> Any:
        """The row's Case and evidence files to attach, or its error."""
        if row.problems or row.answers is None:
            return _Result(row.line, ERROR, [(p.field, p.message) for p in row.problems])
        try:
            case = self._build_case(row.answers, self.cat, today=self.today)
            attachments = self.attachments(row.answers)
        except AnswersError as exc:
            return _Result(row.line, ERROR, [(p.field, p.message) for p in exc.problems])
        except Exception as exc:  # noqa: BLE001 - one odd row must not stop the others
            return _unexpected(row.line, exc)
        return _Step(row, case, attachments)

    def _named(self, step: _Step, seen: dict[str, int]) -> Any:
        """The step with its letters' names and the formats still to write; or the row's result when it repeats an
        earlier row or its letters are all there already."""
        row, case = step.row, step.case
        try:
            digest = case_digest(case, self.attachment_keys(row.answers))
            stem = f"{_letter_stem(case.date, case.institution.id, case.dispute.id, case.language)}_{digest}"
            names = [f"{stem}.{fmt}" for fmt in self.formats]
            first = seen.get(digest)
            if first is not None:
                return _Result(row.line, "duplicate", names=names, digest=digest, first_line=first)
            seen[digest] = row.line
            if self.kept is not None:
                self.kept.append(case)
            cut = frozenset() if self.force else frozenset(n for n in names if n in self.existing() and not is_complete(self.folder / n))
            todo = self.formats if self.force else [f for f, n in zip(self.formats, names) if n not in self.existing() or n in cut]
        except Exception as exc:  # noqa: BLE001 - one odd row must not stop the others
            return _unexpected(row.line, exc)
        if not todo:
            return _Result(row.line, SKIPPED, names=names, digest=digest)
        step.digest, step.stem, step.names, step.todo, step.cut = digest, stem, names, todo, cut
        return step

    def _rendered(self, step: _Step) -> Any:
        """The step with its letters' bytes by file name, or the row's error."""
        row = step.row
        try:
            step.plan = self._make_plan(step.case, self.cat)  # once for the letter and its case-store entry
            rendered = self._render_formats(step.case, self.cat, step.todo, attachments=step.attachments, plan=step.plan)
        except self._attachment_error as exc:  # a missing or unreadable evidence file: this row gets no letter at all
            return _Result(row.line, ERROR, [("attachments", "; ".join(exc.problems))])
        except PlainteError as exc:  # e.g. an e-mail asked for an institution that takes none at this step
            return _Result(row.line, ERROR, [(getattr(exc, "field", ""), str(exc))])
        except Exception as exc:  # noqa: BLE001
            return _unexpected(row.line, exc)
        step.files = {f"{step.stem}.{fmt}": data for fmt, data in rendered.items()}
        return step

    def attachments(self, answers: dict[str, Any]) -> list[Path]:
        """The evidence files a row's e-mail attaches (the `attachments` column: paths separated by |, relative
        to the input file's folder). Their shape is checked here, whether each file can be read when the e-mail
        is made (before anything of the row is written). They are part of the letter's name whatever the
        formats asked, so that adding eml in a later run completes the same letter instead of starting another."""
        raw = answers.get("attachments")
        if raw is None:
            return []
        from plainte.email_message import attachment_paths

        return attachment_paths({"attachments": _cell_paths(raw)}, self.base)

    def attachment_keys(self, answers: dict[str, Any]) -> list[tuple[str, Optional[int]]]:
        """What of the attachments names the letter: each path as written (relative to the input file's folder,
        so a copied or moved folder gives the same names) with the file's size (a replaced file, another letter).
        Called after attachments(), which has checked the cell's shape."""
        raw = answers.get("attachments")
        if raw is None:
            return []
        return [(text, _size(self.base / Path(text).expanduser())) for text in dict.fromkeys(str(x).strip() for x in _cell_paths(raw))]

    def existing(self) -> set[str]:
        """The letter files in the folder when the run started, read once (a stat per row is slow while writing).
        A file written meanwhile by another run is still never replaced: write_atomic creates exclusively.
        Whether a file found is complete is checked only for the rows that name it (is_complete)."""
        if self._existing is None:
            ends = tuple(f".{fmt}" for fmt in self.formats)
            with os.scandir(self.folder) as entries:
                self._existing = {e.name for e in entries if e.name.endswith(ends) and not e.name.startswith(".")}
        return self._existing

def _cell_paths(raw: Any) -> Any:
    """The paths of an `attachments` cell (separated by |), or the value as given when it is not text."""
    if isinstance(raw, str):
        return [p.strip() for p in raw.split(ATTACHMENT_SEPARATOR) if p.strip()]
    return raw


def _size(path: Path) -> Optional[int]:
    """A file's size, or None when it cannot be read (the e-mail then reports it)."""
    try:
        return path.stat().st_size
    except OSError:
        return None


def _unexpected(line: int, exc: Exception) -> _Result:
    if os.environ.get("PLAINTE_DEBUG"):
        raise exc
    return _Result(line, ERROR, [("", _("unexpected error ({kind}); no letter was written for this row").format(kind=type(exc).__name__))])
