"""The local case store: every letter written becomes a step of a case, kept in SQLite in the data folder.

A case groups the letters for one person, one institution and one matter: the first complaint, then the
internal review, the ombudsman, the regulator. Each step keeps the answers it was written from (JSON: personal
data, never logged), the files written, and the dates that follow (acknowledgement due, answer due).

The file is 0600, in WAL mode; every write is one BEGIN IMMEDIATE transaction, so two plainte processes
writing at once lose nothing. The schema is versioned (PRAGMA user_version) and migrated in place.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from plainte.errors import ExitCode, PlainteError, UsageError
from plainte.i18n import _

ENV_DB = "PLAINTE_DB"
DB_NAME = "cases.sqlite3"
BUSY_TIMEOUT_MS = 5000
LEVEL_ORDER = ("complaint", "complaint-review", "mediation", "regulator", "court")
STATUSES = ("draft", "sent", "escalated", "acknowledged", "answered", "closed")
# A case that is answered is shown as due this many days before the time limit of its next step.
LIMIT_NOTICE_DAYS = 60

# -- schema ----------------------------------------------------------------------------------------------------

# Version 1: cases and their steps, with the dates a letter states.
V1_DDL = """
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    who TEXT NOT NULL,
    institution TEXT NOT NULL,
    institution_name TEXT NOT NULL,
    country TEXT NOT NULL,
    created TEXT NOT NULL,
    closed TEXT
);
CREATE TABLE steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    dispute TEXT NOT NULL,
    recipient TEXT NOT NULL,
    letter_date TEXT NOT NULL,
    sending TEXT NOT NULL,
    answers TEXT NOT NULL,
    files TEXT NOT NULL,
    acknowledge_due TEXT,
    answer_due TEXT NOT NULL,
    sent TEXT,
    recorded TEXT NOT NULL
);
CREATE INDEX steps_case ON steps(case_id);
"""

# Version 2: what the institution did (acknowledged, answered, its reference, the outcome), the ladder the
# case follows (so the time limit of the next step is known without the catalogue) and the last change.
V2_STEPS = (
    "ALTER TABLE steps ADD COLUMN acknowledged TEXT",
    "ALTER TABLE steps ADD COLUMN answered TEXT",
    "ALTER TABLE steps ADD COLUMN outcome TEXT",
    "ALTER TABLE steps ADD COLUMN reference TEXT",
    "ALTER TABLE cases ADD COLUMN ladder TEXT",
    "ALTER TABLE cases ADD COLUMN updated TEXT",
    "UPDATE cases SET updated = created",
    "CREATE INDEX cases_closed ON cases(closed)",
)

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: tuple(s.strip() for s in V1_DDL.split(";") if s.strip()),
    2: V2_STEPS,
}
SCHEMA_VERSION = max(MIGRATIONS)


class StoreError(PlainteError):
    """The case store cannot be opened, read or written."""

    exit_code = ExitCode.FAILURE


class UnknownCaseError(PlainteError):
    """No case has this number."""

    exit_code = ExitCode.INVALID_INPUT


# -- opening -----------------------------------------------------------------------------------------------------


def default_path() -> Path:
    """PLAINTE_DB, else cases.sqlite3 in the user's data folder."""
    override = os.environ.get(ENV_DB)
    if override:
        return Path(override).expanduser()
    from plainte.drafts import data_folder

    return data_folder() / DB_NAME


class CaseStore:
    """An open case store: one SQLite connection in autocommit mode; writes go through `write()`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock at once (BEGIN IMMEDIATE): no lost update, no deadlock."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.conn.execute("ROLLBACK")
            raise _store_error(self.path, exc) from None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def user_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])


def _store_error(path: Path, exc: BaseException) -> StoreError:
    # sqlite messages name the problem ("database is locked", "file is not a database"), never row content
    return StoreError(_("the case store {path} cannot be used: {error}").format(path=path, error=exc))


def _restrict(path: Path) -> None:
    """0600 on the database and its -wal and -shm files."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            os.chmod(p, 0o600)
        except FileNotFoundError:
            pass


def open_store(path: Optional[Path] = None) -> CaseStore:
    """Open (creating and migrating if needed) the case store at path, PLAINTE_DB or the data folder."""
    path = Path(path).expanduser() if path is not None else default_path()
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # 0600 before sqlite ever opens it
        os.close(fd)
        os.chmod(path, 0o600)
    except OSError as exc:
        raise StoreError(_("the case store {path} cannot be used: {error}").format(path=path, error=exc.strerror)) from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise _store_error(path, exc) from None
    conn.row_factory = sqlite3.Row
    store = CaseStore(path, conn)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _set_wal(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # deleted personal data is overwritten, not left in free pages
        _migrate(store)
    except sqlite3.Error as exc:
        conn.close()
        raise _store_error(path, exc) from None
    except BaseException:
        conn.close()
        raise
    _restrict(path)
    return store


def _set_wal(conn: sqlite3.Connection) -> None:
    """WAL mode (it stays in the file). Switching can meet a lock the busy handler does not wait on: retry a
    little. A file system without shared memory keeps the rollback journal: still safe, only less concurrent."""
    import time

    for attempt in range(20):
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        time.sleep(0.01 * (attempt + 1))
    conn.execute("PRAGMA journal_mode = WAL").fetchone()


def _migrate(store: CaseStore) -> None:
    """Bring the schema to SCHEMA_VERSION, one version per transaction; refuse a newer file."""
    version = store.user_version()
    if version > SCHEMA_VERSION:
        raise StoreError(_("the case store {path} was made by a newer plainte (schema {found}, this one knows {known}): update plainte").format(
            path=store.path, found=version, known=SCHEMA_VERSION))
    while version < SCHEMA_VERSION:
        with store.write() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])  # another process may have migrated
            if version >= SCHEMA_VERSION:
                break
            for statement in MIGRATIONS[version + 1]:
                db.execute(statement)
            version += 1
            db.execute(f"PRAGMA user_version = {version}")


# -- values ------------------------------------------------------------------------------------------------------


def _iso(value: Optional[dt.date]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _day(value: Optional[str]) -> Optional[dt.date]:
    return dt.date.fromisoformat(value) if value else None


def _plain(value: Any) -> Any:
    from plainte.answers import _plain as plain

    return plain(value)


def who_of(case: Any) -> str:
    """Whom the case is about: the sender, or the client when a social worker writes."""
    if case.writer_role == "social-worker" and case.client is not None:
        return str(case.client.name)
    return str(case.sender.name)


def ladder_of(case: Any) -> list[list[str]]:
    """The institution's ladder for this case, as [level, body id or ""] (the insurance route for insurance)."""
    from plainte.interview import target_step

    product = case.facts.get("product")
    out: list[list[str]] = []
    for s in case.institution.steps:
        if s.only_for is not None or any(level == s.level for level, _body in out):
            continue
        chosen = target_step(case.institution, s.level, None, product) or s
        out.append([s.level, chosen.body or ""])
    return out


@dataclass(frozen=True)
class StepInfo:
    """One letter of a case, with the dates that follow it."""

    id: int
    level: str
    dispute: str
    recipient: str
    letter_date: dt.date
    sending: str
    sent: Optional[dt.date]
    acknowledged: Optional[dt.date]
    answered: Optional[dt.date]
    outcome: Optional[str]
    reference: Optional[str]
    acknowledge_due: Optional[dt.date]
    answer_due: dt.date
    files: tuple[str, ...]
    status: str
    recorded: str
    answers: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def facts(self) -> Mapping[str, Any]:
        facts = self.answers.get("facts")
        return facts if isinstance(facts, Mapping) else {}

    def to_dict(self, with_answers: bool = False) -> dict[str, Any]:
        out = {
            "id": self.id, "level": self.level, "dispute": self.dispute, "recipient": self.recipient,
            "letter_date": _iso(self.letter_date), "sending": self.sending, "sent": _iso(self.sent),
            "acknowledged": _iso(self.acknowledged), "answered": _iso(self.answered), "outcome": self.outcome,
            "reference": self.reference, "acknowledge_due": _iso(self.acknowledge_due),
            "answer_due": _iso(self.answer_due), "files": list(self.files), "status": self.status,
            "recorded": self.recorded,
        }
        if with_answers:
            out["answers"] = _plain(self.answers)
        return out


@dataclass(frozen=True)
class CaseSummary:
    """One line of `plainte cases`: who, institution, dispute, level, status and the next date."""

    id: int
    who: str
    institution: str
    institution_name: str
    country: str
    dispute: str
    level: str
    status: str
    next_date: Optional[dt.date]
    next_kind: Optional[str]  # send | acknowledgement | answer | next-step-limit
    subject: str
    steps: int
    created: str
    closed: Optional[dt.date]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "who": self.who, "institution": self.institution, "institution_name": self.institution_name,
            "country": self.country, "dispute": self.dispute, "level": self.level, "status": self.status,
            "next_date": _iso(self.next_date), "next_kind": self.next_kind, "subject": self.subject,
            "steps": self.steps, "created": self.created, "closed": _iso(self.closed),
        }


@dataclass(frozen=True)
class CaseDetail:
    """A case and all its steps, oldest first."""

    summary: CaseSummary
    steps: tuple[StepInfo, ...]
    ladder: tuple[tuple[str, str], ...]

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def closed(self) -> Optional[dt.date]:
        return self.summary.closed

    @property
    def last(self) -> StepInfo:
        return self.steps[-1]

    @property
    def first(self) -> StepInfo:
        return self.steps[0]

    def to_dict(self, with_answers: bool = False) -> dict[str, Any]:
        out = self.summary.to_dict()
        out["ladder"] = [{"level": level, "body": body or None} for level, body in self.ladder]
        out["steps"] = [s.to_dict(with_answers) for s in self.steps]
        return out


@dataclass(frozen=True)
class Due:
    """A case whose next date has passed, and what to do now (a translated sentence)."""

    case: CaseSummary
    situation: str  # not-sent | no-acknowledgement | no-answer | decide | limit-passed
    date: dt.date
    message: str
    command: str

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case.to_dict(), "situation": self.situation, "date": _iso(self.date),
                "message": self.message, "command": self.command}


# -- reading -----------------------------------------------------------------------------------------------------


def _step_status(row: sqlite3.Row, has_later: bool) -> str:
    if has_later:
        return "escalated"
    if row["answered"]:
        return "answered"
    if row["acknowledged"]:
        return "acknowledged"
    if row["sent"]:
        return "sent"
    return "draft"


def _load_answers(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _step_info(row: sqlite3.Row, has_later: bool) -> StepInfo:
    try:
        files = tuple(str(f) for f in json.loads(row["files"]))
    except (ValueError, TypeError):
        files = ()
    return StepInfo(
        id=row["id"], level=row["level"], dispute=row["dispute"], recipient=row["recipient"],
        letter_date=dt.date.fromisoformat(row["letter_date"]), sending=row["sending"], sent=_day(row["sent"]),
        acknowledged=_day(row["acknowledged"]), answered=_day(row["answered"]), outcome=row["outcome"],
        reference=row["reference"], acknowledge_due=_day(row["acknowledge_due"]),
        answer_due=dt.date.fromisoformat(row["answer_due"]), files=files, status=_step_status(row, has_later),
        recorded=row["recorded"], answers=_load_answers(row["answers"]),
    )


def _ladder(row: sqlite3.Row) -> tuple[tuple[str, str], ...]:
    try:
        raw = json.loads(row["ladder"] or "[]")
        return tuple((str(level), str(body or "")) for level, body in raw)
    except (ValueError, TypeError):
        return ()


def next_level(ladder: Sequence[tuple[str, str]], level: str) -> Optional[tuple[str, str]]:
    """The first rung of the ladder above level."""
    here = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else -1
    for rung in ladder:
        if rung[0] in LEVEL_ORDER and LEVEL_ORDER.index(rung[0]) > here:
            return rung
    return None


def _complaint_sent(steps: Sequence[StepInfo]) -> dt.date:
    first = steps[0]
    return first.sent or first.letter_date


def _next(case_row: sqlite3.Row, steps: Sequence[StepInfo], ladder: Sequence[tuple[str, str]]) -> tuple[Optional[dt.date], Optional[str]]:
    """The next date of a case and what it is, from its latest step."""
    from plainte.escalation import next_step_limit

    if case_row["closed"]:
        return None, None
    last = steps[-1]
    if last.sent is None:
        return last.letter_date, "send"
    if last.answered is None:
        if last.acknowledged is None and last.acknowledge_due is not None:
            return last.acknowledge_due, "acknowledgement"
        return last.answer_due, "answer"
    limit = next_step_limit(ladder, last.level, case_row["country"], _complaint_sent(steps))
    return (limit, "next-step-limit") if limit is not None else (None, None)


def _case_status(case_row: sqlite3.Row, steps: Sequence[StepInfo]) -> str:
    if case_row["closed"]:
        return "closed"
    last = steps[-1]
    if last.status == "sent" and len(steps) > 1 and LEVEL_ORDER.index(last.level) > LEVEL_ORDER.index(steps[0].level):
        return "escalated"  # the escalation letter is sent, no reaction yet
    return last.status


def _detail(case_row: sqlite3.Row, step_rows: Sequence[sqlite3.Row]) -> CaseDetail:
    steps = tuple(_step_info(r, i < len(step_rows) - 1) for i, r in enumerate(step_rows))
    ladder = _ladder(case_row)
    next_date, next_kind = _next(case_row, steps, ladder)
    first_facts = steps[0].facts
    summary = CaseSummary(
        id=case_row["id"], who=case_row["who"], institution=case_row["institution"],
        institution_name=case_row["institution_name"], country=case_row["country"], dispute=steps[-1].dispute,
        level=steps[-1].level, status=_case_status(case_row, steps), next_date=next_date, next_kind=next_kind,
        subject=str(first_facts.get("subject") or ""), steps=len(steps), created=case_row["created"],
        closed=_day(case_row["closed"]),
    )
    return CaseDetail(summary=summary, steps=steps, ladder=ladder)


def _all_details(store: CaseStore, where: str = "", params: Sequence[Any] = ()) -> list[CaseDetail]:
    case_rows = store.query(f"SELECT * FROM cases {where} ORDER BY id", params)
    if not case_rows:
        return []
    ids = [r["id"] for r in case_rows]
    marks = ",".join("?" * len(ids))
    by_case: dict[int, list[sqlite3.Row]] = {}
    for r in store.query(f"SELECT * FROM steps WHERE case_id IN ({marks}) ORDER BY case_id, id", ids):
        by_case.setdefault(r["case_id"], []).append(r)
    return [_detail(c, by_case[c["id"]]) for c in case_rows if by_case.get(c["id"])]


def show_case(store: CaseStore, case_id: int) -> CaseDetail:
    """A case with all its steps, dates and files."""
    found = _all_details(store, "WHERE id = ?", (int(case_id),))
    if not found:
        raise UnknownCaseError(_("there is no case {id}; see plainte cases").format(id=case_id))
    return found[0]


def list_cases(store: CaseStore, *, include_closed: bool = True) -> list[CaseSummary]:
    """Every case: open ones first, by next date, then closed ones."""
    rows = [d.summary for d in _all_details(store) if include_closed or d.summary.closed is None]
    far = dt.date.max
    return sorted(rows, key=lambda s: (s.closed is not None, s.next_date or far, s.id))


def _format_day(day: dt.date) -> str:
    from plainte.i18n import ui_language
    from plainte.letters import format_day

    return format_day(day, ui_language())


def due_cases(store: CaseStore, today: dt.date) -> list[Due]:
    """Open cases whose next date has passed, each with a translated sentence saying what to do now."""
    out: list[Due] = []
    for detail in _all_details(store, "WHERE closed IS NULL"):
        item = _due(detail, today)
        if item is not None:
            out.append(item)
    return sorted(out, key=lambda d: (d.date, d.case.id))


def _due(detail: CaseDetail, today: dt.date) -> Optional[Due]:
    s, last = detail.summary, detail.last
    cid = s.id
    if s.next_date is None:
        return None
    if s.next_kind == "send":
        if today <= last.letter_date:
            return None
        return Due(s, "not-sent", last.letter_date,
                   _("The letter of {date} is not marked as sent: send it, then record the day you sent it with plainte cases update {id} --sent DATE.").format(
                       date=_format_day(last.letter_date), id=cid),
                   f"plainte cases update {cid} --sent DATE")
    if s.next_kind in ("acknowledgement", "answer"):
        if today > last.answer_due:
            rung = next_level(detail.ladder, last.level)
            if rung is None:
                return Due(s, "no-answer", last.answer_due,
                           _("No answer by the deadline of {date}, and plainte knows no further step: ask a legal aid service or a consumer organisation for advice.").format(
                               date=_format_day(last.answer_due)), "")
            return Due(s, "no-answer", last.answer_due,
                       _("No answer by the deadline of {date}: escalate with plainte cases escalate {id}.").format(
                           date=_format_day(last.answer_due), id=cid),
                       f"plainte cases escalate {cid}")
        if s.next_kind == "acknowledgement" and last.acknowledge_due is not None and today > last.acknowledge_due:
            return Due(s, "no-acknowledgement", last.acknowledge_due,
                       _("No acknowledgement yet (it was due on {date}): call or write to {recipient} to check that your letter arrived; the answer is due by {answer}. When it comes, run plainte cases update {id} --acknowledged DATE.").format(
                           date=_format_day(last.acknowledge_due), recipient=last.recipient, answer=_format_day(last.answer_due), id=cid),
                       f"plainte cases update {cid} --acknowledged DATE")
        return None
    if s.next_kind == "next-step-limit":
        limit = s.next_date
        if today > limit:
            return Due(s, "limit-passed", limit,
                       _("The time limit for the next step passed on {date}: the ombudsman may refuse the request. If the answer solved the problem, close the case with plainte cases update {id} --closed; otherwise ask a legal aid service.").format(
                           date=_format_day(limit), id=cid),
                       f"plainte cases update {cid} --closed")
        if today >= limit - dt.timedelta(days=LIMIT_NOTICE_DAYS):
            return Due(s, "decide", limit,
                       _("Answered on {answered}. If the answer does not solve the problem, escalate before {date} with plainte cases escalate {id}; otherwise close the case with plainte cases update {id} --closed.").format(
                           answered=_format_day(last.answered or today), date=_format_day(limit), id=cid),
                       f"plainte cases escalate {cid}")
    return None


# -- writing -----------------------------------------------------------------------------------------------------


def _same_matter(db: sqlite3.Connection, who: str, case: Any) -> Optional[int]:
    """The open case an escalation letter written by hand belongs to: same person and institution, a lower level,
    and the same matter (its complaint date is the first letter's date, or the same subject)."""
    level = LEVEL_ORDER.index(case.level) if case.level in LEVEL_ORDER else 0
    complaint_date = case.facts.get("complaint-date")
    subject = str(case.facts.get("subject") or "").strip().casefold()
    rows = db.execute(
        "SELECT c.id FROM cases c WHERE c.closed IS NULL AND c.who = ? AND c.institution = ? ORDER BY c.id DESC",
        (who, case.institution.id)).fetchall()
    for row in rows:
        steps = db.execute("SELECT level, letter_date, sent, answers FROM steps WHERE case_id = ? ORDER BY id", (row["id"],)).fetchall()
        if not steps or LEVEL_ORDER.index(steps[-1]["level"]) >= level:
            continue
        first = steps[0]
        if isinstance(complaint_date, dt.date) and complaint_date.isoformat() in (first["letter_date"], first["sent"]):
            return int(row["id"])
        first_subject = str(_load_answers(first["answers"]).get("facts", {}).get("subject") or "").strip().casefold()
        if subject and subject == first_subject:
            return int(row["id"])
    return None


def _insert(db: sqlite3.Connection, case: Any, plan: Any, files: Sequence[Path], answers: Mapping[str, Any],
            case_id: Optional[int], sent: Optional[dt.date]) -> tuple[int, int]:
    who = who_of(case)
    now = dt.datetime.now().isoformat(timespec="seconds")
    stored = _plain(dict(answers))
    stored["date"] = case.date.isoformat()  # the letter's date, even when the answers left it to today
    payload = json.dumps(stored, ensure_ascii=False)
    paths = json.dumps([str(Path(p).resolve()) for p in files], ensure_ascii=False)
    if case_id is not None:
        row = db.execute("SELECT institution FROM cases WHERE id = ?", (int(case_id),)).fetchone()
        if row is None:
            raise UnknownCaseError(_("there is no case {id}; see plainte cases").format(id=case_id))
        if row["institution"] != case.institution.id:
            raise UsageError(_("case {id} is with another institution").format(id=case_id))
    elif case.level != LEVEL_ORDER[0]:
        case_id = _same_matter(db, who, case)
    if case_id is None:
        cur = db.execute(
            "INSERT INTO cases (who, institution, institution_name, country, created, ladder, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (who, case.institution.id, case.institution.name, case.institution.country, now,
             json.dumps(ladder_of(case)), now))
        case_id = int(cur.lastrowid)
    else:
        db.execute("UPDATE cases SET updated = ? WHERE id = ?", (now, case_id))
    cur = db.execute(
        "INSERT INTO steps (case_id, level, dispute, recipient, letter_date, sending, answers, files, acknowledge_due,"
        " answer_due, sent, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (case_id, case.level, case.dispute.id, case.recipient.name, case.date.isoformat(), case.sending, payload, paths,
         _iso(plan.acknowledge_due), plan.answer_due.isoformat(), _iso(sent), now))
    return int(case_id), int(cur.lastrowid)


def record_letter(store: CaseStore, case: Any, plan: Any, files: Sequence[Path], answers: Mapping[str, Any], *,
                  case_id: Optional[int] = None, sent: Optional[dt.date] = None) -> tuple[int, int]:
    """Record a letter as a step: a new case for a first-level letter, else the case it escalates
    (case_id, or the open case of the same person, institution and matter). Returns (case_id, step_id)."""
    with store.write() as db:
        ids = _insert(db, case, plan, files, answers, case_id, sent)
    _restrict(store.path)
    return ids


def record_letters(store: CaseStore, letters: Iterable[tuple[Any, Any, Sequence[Path], Mapping[str, Any]]]) -> list[tuple[int, int]]:
    """Record many letters (case, plan, files, answers) in one transaction, as record_letter does each (batch)."""
    with store.write() as db:
        ids = [_insert(db, case, plan, files, answers, None, None) for case, plan, files, answers in letters]
    _restrict(store.path)
    return ids


def _redated(cat: Any, answers: Mapping[str, Any], sent: dt.date) -> Optional[tuple[Optional[dt.date], dt.date]]:
    """The acknowledgement and answer dates had the letter been dated on the day it was sent."""
    from plainte.interview import build_case
    from plainte.plan import make_plan

    moved = dict(answers)
    moved["date"] = sent.isoformat()
    try:
        case = build_case(moved, cat, today=sent)
        plan = make_plan(case, cat)
    except (PlainteError, KeyError, ValueError):
        return None
    return plan.acknowledge_due, plan.answer_due


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
    ack_due, answer_due = last.acknowledge_due, last.answer_due
    if sent is not None and cat is not None and sent != last.letter_date:
        moved = _redated(cat, last.answers, sent)
        if moved is not None:
            ack_due, answer_due = moved
    now = dt.datetime.now().isoformat(timespec="seconds")
    with store.write() as db:
        db.execute(
            "UPDATE steps SET sent = ?, acknowledged = ?, answered = ?, outcome = ?, reference = ?, acknowledge_due = ?,"
            " answer_due = ? WHERE id = ?",
            (_iso(new_sent), _iso(acknowledged or last.acknowledged), _iso(answered or last.answered),
             outcome if outcome is not None else last.outcome, reference if reference is not None else last.reference,
             _iso(ack_due), answer_due.isoformat(), last.id))
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


__all__ = [
    "CaseDetail", "CaseStore", "CaseSummary", "Due", "SCHEMA_VERSION", "StepInfo", "StoreError", "UnknownCaseError",
    "due_cases", "list_cases", "open_store", "purge", "record_letter", "record_letters", "show_case", "update_case",
]
