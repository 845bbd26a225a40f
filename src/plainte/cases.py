"""Recording letters in the case store (a new case or the one they escalate), updating and purging cases."""

# A case groups the letters for one person, one institution and one matter: the first complaint, then the
# internal review, the ombudsman, the regulator. Each step keeps the answers it was written from (JSON: personal
# data, never logged), the files written, and the dates that follow (acknowledgement due, answer due).
# Opening the store is in case_store, the records in case_records, reading in case_queries; their public names
# are re-exported here.

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

from plainte.case_queries import LIMIT_NOTICE_DAYS, due_cases, list_cases, next_level, show_case
from plainte.case_records import DEADLINE, LEVEL_ORDER, REMINDER, STATUSES, CaseDetail, CaseSummary, Due, StepInfo, _iso, _load_answers, _plain
from plainte.case_store import (
    BUSY_TIMEOUT_MS, DB_NAME, ENV_DB, MIGRATIONS, SCHEMA_VERSION, V1_DDL, V2_STEPS, V3_STEPS, CaseStore, StoreError,
    UnknownCaseError, _restrict, _store_error, default_path, open_store,
)
from plainte.errors import PlainteError, UsageError
from plainte.i18n import _

__all__ = [
    "CaseDetail", "CaseStore", "CaseSummary", "Due", "SCHEMA_VERSION", "StepInfo", "StoreError", "UnknownCaseError",
    "due_cases", "list_cases", "open_store", "purge", "record_letter", "record_letters", "show_case", "update_case",
    "LetterEntry", "letter_entry",
    # also public before the split into case_store, case_records and case_queries
    "BUSY_TIMEOUT_MS", "DB_NAME", "ENV_DB", "LEVEL_ORDER", "LIMIT_NOTICE_DAYS", "MIGRATIONS", "STATUSES", "V1_DDL",
    "V2_STEPS", "V3_STEPS", "default_path", "ladder_of", "next_level", "who_of", "DEADLINE", "REMINDER", "answer_due_kind",
]


def who_of(case: Any) -> str:
    """Whom the case is about: the sender, or the client when a social worker writes."""
    if case.writer_role == "social-worker" and case.client is not None:
        return str(case.client.name)
    return str(case.sender.name)


def ladder_of(case: Any) -> list[list[str]]:
    """The institution's ladder for this case, as [level, body id or ""] (the insurance route for insurance)."""
    from plainte.plan import step_for

    product = case.facts.get("product")
    out: list[list[str]] = []
    for s in case.institution.steps:
        if s.only_for is not None or any(level == s.level for level, _body in out):
            continue
        chosen = step_for(case.institution, s.level, product) or s
        out.append([s.level, chosen.body or ""])
    return out


def answer_due_kind(plan: Any) -> str:
    """DEADLINE when the plan's answer date comes from the catalogue (law or the institution's commitment),
    else REMINDER (plainte's follow-up default)."""
    return DEADLINE if plan.answer_from_catalogue else REMINDER


# -- writing -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterEntry:
    """What the case store keeps of one letter, in plain values (a batch's worker process makes it from the Case,
    the process holding the store records it: a Case itself does not travel between processes)."""

    who: str
    institution: str
    institution_name: str
    country: str
    ladder: str  # JSON: [[level, body id or ""], ...]
    level: str
    dispute: str
    recipient: str
    letter_date: dt.date
    sending: str
    answers: str  # JSON: the answers the letter was written from, dated with the letter's date
    acknowledge_due: Optional[dt.date]
    answer_due: dt.date
    answer_due_kind: str
    complaint_date: Optional[dt.date]  # the facts that tie an escalation written by hand to its case
    subject: str


def _answers_json(answers: dict[str, Any]) -> str:
    """The answers as JSON, as json.dumps(_plain(answers)) writes them (amounts and dates as text, any mapping as an
    object), without copying every value first: the encoder turns only what JSON lacks. The answers of a letter
    are valid: every key in them is one plainte knows, as text (the two ways differ only for the keys True, False
    and None)."""
    try:
        return _ANSWERS_JSON.encode(answers)
    except (TypeError, ValueError):  # a key JSON cannot take as it is (a date, a tuple): _plain names it as text
        return json.dumps(_plain(answers), ensure_ascii=False)


def _json_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (Decimal, dt.date)):
        return _plain(value)
    raise TypeError(type(value).__name__)


_ANSWERS_JSON = json.JSONEncoder(ensure_ascii=False, default=_json_value)


def letter_entry(case: Any, plan: Any, answers: Mapping[str, Any]) -> LetterEntry:
    """The case store's record of a letter: its Case, its plan and the answers it was written from."""
    stored = dict(answers)
    stored["date"] = case.date.isoformat()  # the letter's date, even when the answers left it to today
    complaint_date = case.facts.get("complaint-date")
    return LetterEntry(
        who=who_of(case), institution=case.institution.id, institution_name=case.institution.name,
        country=case.institution.country, ladder=json.dumps(ladder_of(case)), level=case.level, dispute=case.dispute.id,
        recipient=case.recipient.name, letter_date=case.date, sending=case.sending,
        answers=_answers_json(stored), acknowledge_due=plan.acknowledge_due, answer_due=plan.answer_due,
        answer_due_kind=answer_due_kind(plan), complaint_date=complaint_date if isinstance(complaint_date, dt.date) else None,
        subject=str(case.facts.get("subject") or "").strip().casefold())


# The open cases of one person with one institution, newest first (case_store.INDEXES: cases_who).
OPEN_CASES_OF = "SELECT c.id FROM cases c WHERE c.closed IS NULL AND c.who = ? AND c.institution = ? ORDER BY c.id DESC"


def _same_matter(db: sqlite3.Connection, entry: LetterEntry) -> Optional[int]:
    """The open case an escalation letter written by hand belongs to: same person and institution, a lower level,
    and the same matter (its complaint date is the first letter's date, or the same subject)."""
    level = LEVEL_ORDER.index(entry.level) if entry.level in LEVEL_ORDER else 0
    rows = db.execute(OPEN_CASES_OF, (entry.who, entry.institution)).fetchall()
    for row in rows:
        steps = db.execute("SELECT level, letter_date, sent, answers FROM steps WHERE case_id = ? ORDER BY id", (row["id"],)).fetchall()
        if not steps or LEVEL_ORDER.index(steps[-1]["level"]) >= level:
            continue
        first = steps[0]
        if entry.complaint_date is not None and entry.complaint_date.isoformat() in (first["letter_date"], first["sent"]):
            return int(row["id"])
        first_subject = str(_load_answers(first["answers"]).get("facts", {}).get("subject") or "").strip().casefold()
        if entry.subject and entry.subject == first_subject:
            return int(row["id"])
    return None


def _insert(db: sqlite3.Connection, entry: LetterEntry, files: Sequence[str | Path], case_id: Optional[int],
            sent: Optional[dt.date]) -> tuple[int, int]:
    now = dt.datetime.now().isoformat(timespec="seconds")
    paths = json.dumps([str(p) for p in files], ensure_ascii=False)
    if case_id is not None:
        row = db.execute("SELECT institution FROM cases WHERE id = ?", (int(case_id),)).fetchone()
        if row is None:
            raise UnknownCaseError(_("there is no case {id}; see plainte cases").format(id=case_id))
        if row["institution"] != entry.institution:
            raise UsageError(_("case {id} is with another institution").format(id=case_id))
    elif entry.level != LEVEL_ORDER[0]:
        case_id = _same_matter(db, entry)
    if case_id is None:
        cur = db.execute(
            "INSERT INTO cases (who, institution, institution_name, country, created, ladder, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (entry.who, entry.institution, entry.institution_name, entry.country, now, entry.ladder, now))
        case_id = int(cur.lastrowid)
    else:
        db.execute("UPDATE cases SET updated = ? WHERE id = ?", (now, case_id))
    cur = db.execute(
        "INSERT INTO steps (case_id, level, dispute, recipient, letter_date, sending, answers, files, acknowledge_due,"
        " answer_due, answer_due_kind, sent, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (case_id, entry.level, entry.dispute, entry.recipient, entry.letter_date.isoformat(), entry.sending, entry.answers,
         paths, _iso(entry.acknowledge_due), entry.answer_due.isoformat(), entry.answer_due_kind, _iso(sent), now))
    return int(case_id), int(cur.lastrowid)


def record_letter(store: CaseStore, case: Any, plan: Any, files: Sequence[Path], answers: Mapping[str, Any], *,
                  case_id: Optional[int] = None, sent: Optional[dt.date] = None) -> tuple[int, int]:
    """Record a letter as a step: a new case for a first-level letter, else the case it escalates
    (case_id, or the open case of the same person, institution and matter). Returns (case_id, step_id)."""
    with store.write() as db:
        ids = _insert(db, letter_entry(case, plan, answers), [Path(p).resolve() for p in files], case_id, sent)
    _restrict(store.path)
    return ids


def _absolute(files: Sequence[str | Path], folders: dict[str, str]) -> list[str]:
    """The files' absolute paths, each folder resolved once (a batch's letters share one): resolving every file
    again cost five lstat calls a letter. A letter's own name is kept as it is: plainte wrote it, never a link."""
    out = []
    for file in files:
        head, name = os.path.split(os.fspath(file))
        folder = folders.get(head)
        if folder is None:
            folder = folders[head] = str(Path(head or os.curdir).resolve())
        out.append(os.path.join(folder, name))
    return out


def record_letters(store: CaseStore, letters: Iterable[tuple[LetterEntry, Sequence[str | Path]]]) -> list[tuple[int, int]]:
    """Record many letters (entry, files) in one transaction, as record_letter does each (batch). A first-level
    letter always opens a case of its own: those are inserted together (_insert_first); an escalation looks for
    its case among those recorded before it, the letters before it in this call included."""
    folders: dict[str, str] = {}
    ids: list[tuple[int, int]] = []
    first: list[tuple[LetterEntry, list[str]]] = []
    with store.write() as db:
        for entry, files in letters:
            if entry.level == LEVEL_ORDER[0]:
                first.append((entry, _absolute(files, folders)))
                continue
            ids += _insert_first(db, first)
            first = []
            ids.append(_insert(db, entry, _absolute(files, folders), None, None))
        ids += _insert_first(db, first)
    _restrict(store.path)
    return ids


def _insert_first(db: sqlite3.Connection, letters: Sequence[tuple[LetterEntry, Sequence[str]]]) -> list[tuple[int, int]]:
    """First-level letters, each a new case, in two statements (one per table) instead of two per letter. The ids
    are the ones SQLite would give one by one: inside the write transaction no one else inserts, and AUTOINCREMENT
    takes the next number after both the largest id and the largest ever used."""
    if not letters:
        return []
    now = dt.datetime.now().isoformat(timespec="seconds")
    case0, step0 = _next_id(db, "cases"), _next_id(db, "steps")
    db.executemany(
        "INSERT INTO cases (id, who, institution, institution_name, country, created, ladder, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(case0 + i, e.who, e.institution, e.institution_name, e.country, now, e.ladder, now) for i, (e, _files) in enumerate(letters)])
    db.executemany(
        "INSERT INTO steps (id, case_id, level, dispute, recipient, letter_date, sending, answers, files, acknowledge_due,"
        " answer_due, answer_due_kind, sent, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        [(step0 + i, case0 + i, e.level, e.dispute, e.recipient, e.letter_date.isoformat(), e.sending, e.answers,
          json.dumps([str(p) for p in files], ensure_ascii=False), _iso(e.acknowledge_due), e.answer_due.isoformat(),
          e.answer_due_kind, now) for i, (e, files) in enumerate(letters)])
    return [(case0 + i, step0 + i) for i in range(len(letters))]


def _next_id(db: sqlite3.Connection, table: str) -> int:
    """The id SQLite gives the next row of an AUTOINCREMENT table (cases, steps)."""
    row = db.execute(f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), coalesce((SELECT max(id) FROM {table}), 0))",
                     (table,)).fetchone()
    return int(row[0]) + 1


def _redated(cat: Any, answers: Mapping[str, Any], sent: dt.date) -> Optional[tuple[Optional[dt.date], dt.date, str]]:
    """The acknowledgement and answer dates (and what the answer date is) had the letter been dated on the day it was sent."""
    from plainte.interview import build_case
    from plainte.plan import make_plan

    moved = dict(answers)
    moved["date"] = sent.isoformat()
    try:
        case = build_case(moved, cat, today=sent)
        plan = make_plan(case, cat)
    except (PlainteError, KeyError, ValueError):
        return None
    return plan.acknowledge_due, plan.answer_due, answer_due_kind(plan)


def update_case(store: CaseStore, case_id: int, *, sent: Optional[dt.date] = None, acknowledged: Optional[dt.date] = None,
                answered: Optional[dt.date] = None, outcome: Optional[str] = None, reference: Optional[str] = None,
                closed: Optional[dt.date] = None, reopen: bool = False, cat: Any = None) -> CaseDetail:
    """Record what happened to the case's latest letter (sent, acknowledged, answered, the outcome, the
    institution's reference) or close the case. With the catalogue, a sending day other than the letter's date
    moves the acknowledgement and answer dates accordingly."""
    detail = show_case(store, case_id)
    last = detail.last
    if not any(v is not None for v in (sent, acknowledged, answered, outcome, reference, closed)) and not reopen:
        raise UsageError(_("nothing to change: give --sent, --acknowledged, --answered, --outcome, --reference or --closed"))
    new_sent = sent or last.sent
    if new_sent is None and (acknowledged or answered):
        new_sent = last.letter_date  # an answer to a letter proves it was sent: on its date, unless told
    if new_sent is not None and new_sent < last.letter_date:
        raise UsageError(_("--sent: {date} is before the letter's date ({letter})").format(date=new_sent, letter=last.letter_date))
    for name, value in (("--acknowledged", acknowledged or last.acknowledged), ("--answered", answered or last.answered)):
        if value is not None and new_sent is not None and value < new_sent:
            raise UsageError(_("{option}: {date} is before the day the letter was sent ({sent})").format(option=name, date=value, sent=new_sent))
    ack_due, answer_due, due_kind = last.acknowledge_due, last.answer_due, last.answer_due_kind
    if sent is not None and cat is not None and sent != last.letter_date:
        moved = _redated(cat, last.answers, sent)
        if moved is not None:
            ack_due, answer_due, due_kind = moved
    now = dt.datetime.now().isoformat(timespec="seconds")
    with store.write() as db:
        db.execute(
            "UPDATE steps SET sent = ?, acknowledged = ?, answered = ?, outcome = ?, reference = ?, acknowledge_due = ?,"
            " answer_due = ?, answer_due_kind = ? WHERE id = ?",
            (_iso(new_sent), _iso(acknowledged or last.acknowledged), _iso(answered or last.answered),
             outcome if outcome is not None else last.outcome, reference if reference is not None else last.reference,
             _iso(ack_due), answer_due.isoformat(), due_kind, last.id))
        closed_value = None if reopen else _iso(closed) if closed is not None else _iso(detail.closed)
        db.execute("UPDATE cases SET closed = ?, updated = ? WHERE id = ?", (closed_value, now, detail.id))
    return show_case(store, case_id)


# -- purging -----------------------------------------------------------------------------------------------------


def purge(store: CaseStore, case_id: Optional[int] = None, closed_before: Optional[dt.date] = None) -> int:
    """Remove cases for good: one case, the cases closed before a date, or (neither given) every case.
    The rows are deleted with secure_delete on, then the file is rebuilt (VACUUM) and the WAL emptied, so the
    bytes are gone from the files. Returns the number of cases removed."""
    if case_id is not None and closed_before is not None:
        raise UsageError(_("give a case number or --closed-before, not both"))
    with store.write() as db:
        db.execute("PRAGMA secure_delete = ON")  # no-op inside a transaction if already on; set at open too
        if case_id is not None:
            if db.execute("SELECT 1 FROM cases WHERE id = ?", (int(case_id),)).fetchone() is None:
                raise UnknownCaseError(_("there is no case {id}; see plainte cases").format(id=case_id))
            ids = [int(case_id)]
        elif closed_before is not None:
            ids = [r[0] for r in db.execute("SELECT id FROM cases WHERE closed IS NOT NULL AND closed < ?", (closed_before.isoformat(),))]
        else:
            ids = [r[0] for r in db.execute("SELECT id FROM cases")]
        for cid in ids:
            db.execute("DELETE FROM steps WHERE case_id = ?", (cid,))
            db.execute("DELETE FROM cases WHERE id = ?", (cid,))
    try:
        store.conn.execute("VACUUM")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise _store_error(store.path, exc) from None
    _restrict(store.path)
    return len(ids)

