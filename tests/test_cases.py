"""The case store: 0600 file in WAL mode, versioned schema migrated in place, concurrent writers, queries, purge."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from plainte import cases
from plainte.cases import (
    SCHEMA_VERSION,
    StoreError,
    UnknownCaseError,
    due_cases,
    list_cases,
    open_store,
    purge,
    record_letter,
    show_case,
    update_case,
)
from plainte.errors import ExitCode, UsageError
from plainte.interview import build_case
from plainte.plan import make_plan

D = dt.date


def stellantis(**over) -> dict:
    """A Stellantis complaint by e-mail, dated 18 December 2026 (the week before Christmas)."""
    answers = {
        "institution": "stellantis-fs-belux", "dispute": "complaint", "segment": "private", "language": "en",
        "date": "2026-12-18", "sending": "email", "writer_role": "consumer",
        "sender": {"name": "Thomas Jacobs", "street": "Rue Saint-Gilles 27", "postal_code": "4000", "city": "Liège",
                   "country": "BE", "email": "thomas.jacobs@example.be"},
        "references": {"contract_number": "SFS-BE-2024-118573"},
        "facts": {"subject": "Instalment taken twice", "product": "credit", "facts-date": "2026-09-05",
                  "description": "The September instalment was debited twice.", "expectation": "A refund of €312.45.",
                  "amount": "312,45"},
        "evidence": ["contract"],
    }
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(answers.get(key), dict):
            answers[key] = {**answers[key], **value}
        else:
            answers[key] = value
    return answers


def record(store, cat, answers, files=("letter.txt",), **kw):
    case = build_case(answers, cat, today=D(2026, 12, 1))
    plan = make_plan(case, cat)
    return record_letter(store, case, plan, [Path(f) for f in files], answers, **kw)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "cases.sqlite3")
    yield s
    s.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- the file ----------------------------------------------------------------------------------------------------


def test_new_store_is_0600_wal_and_current_schema(tmp_path, cat):
    old = os.umask(0)  # the 0600 must not depend on the umask
    try:
        path = tmp_path / "sub" / "cases.sqlite3"
        s = open_store(path)
        record(s, cat, stellantis())
    finally:
        os.umask(old)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        if extra.exists():
            assert mode(extra) == 0o600, extra
    assert Path(f"{path}-wal").exists()  # WAL mode: the log sits beside the file while it is open
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert s.user_version() == SCHEMA_VERSION == 3  # indexes added since need no new version (older plainte opens it)
    s.close()


def test_an_existing_file_is_made_0600(tmp_path):
    path = tmp_path / "cases.sqlite3"
    path.touch()
    os.chmod(path, 0o644)
    open_store(path).close()
    assert mode(path) == 0o600


def test_path_from_environment_and_default_in_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAINTE_DB", str(tmp_path / "elsewhere.db"))
    with open_store() as s:
        assert s.path == tmp_path / "elsewhere.db"
    assert (tmp_path / "elsewhere.db").is_file()
    monkeypatch.delenv("PLAINTE_DB")
    monkeypatch.setenv("PLAINTE_DATA_DIR", str(tmp_path / "data"))
    with open_store() as s:
        assert s.path == tmp_path / "data" / "cases.sqlite3"


def test_not_a_database_and_newer_schema_are_clear_errors(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError) as info:
        open_store(junk)
    assert str(junk) in str(info.value) and info.value.exit_code == ExitCode.FAILURE
    newer = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer plainte"):
        open_store(newer)


# -- migration ---------------------------------------------------------------------------------------------------

# The first schema, as plainte 0.x wrote it: frozen here on purpose (cases.V1_DDL must never change).
V1 = """
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT NOT NULL, institution TEXT NOT NULL,
    institution_name TEXT NOT NULL, country TEXT NOT NULL, created TEXT NOT NULL, closed TEXT);
CREATE TABLE steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT, case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    level TEXT NOT NULL, dispute TEXT NOT NULL, recipient TEXT NOT NULL, letter_date TEXT NOT NULL,
    sending TEXT NOT NULL, answers TEXT NOT NULL, files TEXT NOT NULL, acknowledge_due TEXT,
    answer_due TEXT NOT NULL, sent TEXT, recorded TEXT NOT NULL);
CREATE INDEX steps_case ON steps(case_id);
PRAGMA user_version = 1;
"""


def test_v1_database_is_migrated_in_place(tmp_path, cat):
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(V1)
    conn.execute("INSERT INTO cases VALUES (7, 'An Claes', 'belfius', 'Belfius Bank', 'BE', '2026-09-14T10:00:00', NULL)")
    conn.execute("INSERT INTO cases VALUES (8, 'Luc Dubois', 'belfius', 'Belfius Bank', 'BE', '2026-08-03T10:00:00', '2026-10-30')")
    answers = json.dumps({"institution": "belfius", "dispute": "complaint", "facts": {"subject": "early-repayment fees"}})
    conn.execute("INSERT INTO steps (case_id, level, dispute, recipient, letter_date, sending, answers, files, acknowledge_due,"
                 " answer_due, sent, recorded) VALUES (7, 'complaint', 'complaint', 'Belfius Bank', '2026-09-14', 'registered', ?,"
                 " '[\"/tmp/a.txt\"]', NULL, '2026-10-02', '2026-09-14', '2026-09-14T10:00:00')", (answers,))
    conn.execute("INSERT INTO steps (case_id, level, dispute, recipient, letter_date, sending, answers, files, acknowledge_due,"
                 " answer_due, sent, recorded) VALUES (8, 'complaint', 'complaint', 'Belfius Bank', '2026-08-03', 'email', '{}',"
                 " '[]', NULL, '2026-08-17', '2026-08-03', '2026-08-03T10:00:00')")
    conn.commit()
    conn.close()

    with open_store(path) as s:
        assert s.user_version() == SCHEMA_VERSION
        assert s.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'cases_who'")  # added to old files too
        columns = {r[1] for r in s.conn.execute("PRAGMA table_info(steps)")}
        assert {"acknowledged", "answered", "outcome", "reference", "answer_due_kind"} <= columns
        seven = show_case(s, 7)
        # an old row does not say where its answer date came from: never taken for the body's deadline
        assert seven.last.answer_due_kind == "reminder" and seven.summary.next_kind == "answer-reminder"
        assert seven.summary.who == "An Claes" and seven.summary.subject == "early-repayment fees"
        assert seven.last.files == ("/tmp/a.txt",) and seven.last.sent == D(2026, 9, 14)
        assert seven.summary.status == "sent" and seven.summary.next_date == D(2026, 10, 2)
        assert show_case(s, 8).summary.status == "closed"
        assert s.query("SELECT updated FROM cases WHERE id = 7")[0][0] == "2026-09-14T10:00:00"  # backfilled
        # the new columns work on old rows, and new cases follow the old ids
        update_case(s, 7, answered=D(2026, 10, 1), outcome="Fees maintained.")
        assert show_case(s, 7).summary.status == "answered"
        new_id, _ = record(s, cat, stellantis())
        assert new_id == 9
    with open_store(path) as s:  # opening again is a no-op
        assert s.user_version() == SCHEMA_VERSION and len(list_cases(s)) == 3


def test_the_case_an_escalation_belongs_to_is_found_through_an_index(store):
    # without it, every escalation letter of a batch walked every open case of the store: slower as it grows
    from plainte.cases import OPEN_CASES_OF

    plan = store.query(f"EXPLAIN QUERY PLAN {OPEN_CASES_OF}", ("An Claes", "belfius"))
    assert any("cases_who" in row[3] for row in plan), [tuple(r) for r in plan]


# -- two writers -------------------------------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from plainte.catalog import load
    from plainte.cases import open_store, record_letter
    from plainte.interview import build_case
    from plainte.plan import make_plan
    import datetime as dt

    db, go, tag, answers = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
    cat = load()
    case = build_case(answers, cat, today=dt.date(2026, 12, 1))
    plan = make_plan(case, cat)
    while not go.exists():
        time.sleep(0.005)
    store = open_store(db)  # both open a database that does not exist yet: creation and migration race too
    for i in range(50):
        record_letter(store, case, plan, [Path(f"{tag}-{i}.txt")], answers)
        time.sleep(0.002)  # let the other process in between two writes
    store.close()
""")


def test_two_processes_recording_at_once_lose_nothing(tmp_path):
    db, go = tmp_path / "cases.sqlite3", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(go), tag, json.dumps(stellantis())],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
             for tag in ("a", "b")]
    time.sleep(0.3)
    go.touch()
    for p in procs:
        _out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    with open_store(db) as s:
        steps = s.query("SELECT files FROM steps")
        assert len(steps) == 100
        names = {Path(json.loads(r[0])[0]).name for r in steps}
        assert names == {f"{t}-{i}.txt" for t in "ab" for i in range(50)}
        assert len(list_cases(s)) == 100  # each first-level letter is a case of its own
        assert s.user_version() == SCHEMA_VERSION


# -- recording and queries ---------------------------------------------------------------------------------------


def test_stored_answers_are_the_plain_answers_as_json():
    # the entry encodes the answers without copying them first: the same text as json.dumps(_plain(answers))
    from decimal import Decimal
    from types import MappingProxyType

    from plainte.answers import _plain, load_answers

    root = Path(__file__).resolve().parent.parent / "examples"
    samples = [load_answers(p) for p in sorted(root.glob("*.yaml"))]
    samples.append({"facts": MappingProxyType({"amount": Decimal("12.50"), "since": dt.date(2026, 1, 2), "paid": True}),
                    "history": [{"date": dt.date(2025, 5, 5), "what": "é"}], "evidence": ("a", "b"), "n": 3, "x": None})
    samples.append({"facts": {dt.date(2026, 1, 1): "a date as a key"}})  # not in a valid row, but still encoded as before
    assert len(samples) > 10
    for answers in samples:
        assert cases._answers_json(answers) == json.dumps(_plain(answers), ensure_ascii=False)


def test_record_keeps_answers_files_and_dates(store, cat, tmp_path):
    answers = stellantis()
    letter = tmp_path / "out" / "letter.txt"
    case_id, step_id = record(store, cat, answers, files=[letter])
    detail = show_case(store, case_id)
    step = detail.last
    assert step.id == step_id and step.level == "complaint" and step.dispute == "complaint"
    assert step.letter_date == D(2026, 12, 18) and step.sending == "email"
    assert step.acknowledge_due == D(2026, 12, 28)  # 5 business days, over Christmas
    assert step.answer_due == D(2027, 1, 18)
    assert step.files == (str(letter.resolve()),)
    assert step.answers["facts"]["subject"] == "Instalment taken twice"
    assert step.recipient == "Stellantis Financial Services Belux SA"
    assert detail.summary.who == "Thomas Jacobs" and detail.summary.status == "draft"
    assert [level for level, _body in detail.ladder] == ["complaint", "complaint-review", "mediation", "regulator"]
    assert dict(detail.ladder)["mediation"] == "ombudsfin"
    as_json = json.loads(json.dumps(detail.to_dict()))
    assert "answers" not in as_json["steps"][0]  # personal answers only on request
    assert detail.to_dict(with_answers=True)["steps"][0]["answers"]["sender"]["name"] == "Thomas Jacobs"


def test_who_is_the_client_for_a_social_worker(store, cat):
    answers = stellantis(writer_role="social-worker", organisation="CPAS de Liège",
                         client={"name": "Marie Dupont", "street": "Rue Haute 1", "postal_code": "4000", "city": "Liège", "country": "BE"})
    case_id, _ = record(store, cat, answers)
    assert show_case(store, case_id).summary.who == "Marie Dupont"


def test_status_and_next_date_follow_the_letter(store, cat):
    case_id, _ = record(store, cat, stellantis())
    s = show_case(store, case_id).summary
    assert (s.status, s.next_date, s.next_kind) == ("draft", D(2026, 12, 18), "send")
    s = update_case(store, case_id, sent=D(2026, 12, 18), cat=cat).summary
    assert (s.status, s.next_date, s.next_kind) == ("sent", D(2026, 12, 28), "acknowledgement")
    s = update_case(store, case_id, acknowledged=D(2026, 12, 23)).summary
    assert (s.status, s.next_date, s.next_kind) == ("acknowledged", D(2027, 1, 18), "answer")
    s = update_case(store, case_id, answered=D(2027, 1, 12), outcome="They refuse the refund.").summary
    # answered: the time limit of the next step, Ombudsfin's one year after the written complaint
    assert (s.status, s.next_date, s.next_kind) == ("answered", D(2027, 12, 18), "next-step-limit")
    s = update_case(store, case_id, closed=D(2027, 1, 20)).summary
    assert (s.status, s.next_date, s.closed) == ("closed", None, D(2027, 1, 20))
    assert show_case(store, case_id).last.outcome == "They refuse the refund."
    assert update_case(store, case_id, reopen=True).summary.status == "answered"


def test_a_later_sending_day_moves_the_deadlines(store, cat):
    case_id, _ = record(store, cat, stellantis())
    step = update_case(store, case_id, sent=D(2027, 1, 4), cat=cat).last
    assert step.acknowledge_due == D(2027, 1, 11) and step.answer_due == D(2027, 2, 4)
    assert step.letter_date == D(2026, 12, 18)


def test_update_checks_what_it_is_told(store, cat):
    case_id, _ = record(store, cat, stellantis())
    with pytest.raises(UsageError):
        update_case(store, case_id)
    with pytest.raises(UsageError):
        update_case(store, case_id, sent=D(2026, 12, 1))
    update_case(store, case_id, sent=D(2026, 12, 18))
    with pytest.raises(UsageError):
        update_case(store, case_id, answered=D(2026, 12, 17))
    with pytest.raises(UnknownCaseError) as info:
        update_case(store, 999, sent=D(2026, 12, 18))
    assert info.value.exit_code == ExitCode.INVALID_INPUT
    # an answer to a letter that was never marked as sent: it was sent on its date
    other, _ = record(store, cat, stellantis())
    step = update_case(store, other, answered=D(2027, 1, 5)).last
    assert step.sent == D(2026, 12, 18)


def test_list_cases_open_first_by_next_date(store, cat):
    a, _ = record(store, cat, stellantis())
    b, _ = record(store, cat, stellantis(date="2026-12-01"))
    c, _ = record(store, cat, stellantis(date="2026-11-20"))
    update_case(store, c, closed=D(2026, 12, 2))
    assert [s.id for s in list_cases(store)] == [b, a, c]
    assert [s.id for s in list_cases(store, include_closed=False)] == [b, a]
    row = list_cases(store)[0].to_dict()
    assert set(row) >= {"id", "who", "institution", "dispute", "level", "status", "next_date"}


def test_due_cases_say_what_to_do(store, cat):
    case_id, _ = record(store, cat, stellantis())
    assert due_cases(store, D(2026, 12, 18)) == []
    [due] = due_cases(store, D(2026, 12, 19))
    assert due.situation == "not-sent" and f"plainte cases update {case_id} --sent" in due.message
    update_case(store, case_id, sent=D(2026, 12, 18), cat=cat)
    assert due_cases(store, D(2026, 12, 28)) == []  # the acknowledgement is due on the 28th itself
    [due] = due_cases(store, D(2026, 12, 29))
    assert due.situation == "no-acknowledgement" and "call or write" in due.message
    assert "28 December 2026" in due.message
    [due] = due_cases(store, D(2027, 1, 19))
    assert due.situation == "no-answer" and f"plainte cases escalate {case_id}" in due.message
    assert due.command == f"plainte cases escalate {case_id}"
    update_case(store, case_id, answered=D(2027, 1, 15))
    assert due_cases(store, D(2027, 2, 1)) == []
    [due] = due_cases(store, D(2027, 10, 20))  # within 60 days of the one-year limit
    assert due.situation == "decide" and "18 December 2027" in due.message
    [due] = due_cases(store, D(2027, 12, 19))
    assert due.situation == "limit-passed"
    update_case(store, case_id, closed=D(2027, 12, 19))
    assert due_cases(store, D(2028, 1, 1)) == []
    assert json.dumps([d.to_dict() for d in due_cases(store, D(2028, 1, 1))]) == "[]"


def test_an_escalation_letter_joins_its_case(store, cat):
    first, _ = record(store, cat, stellantis())
    update_case(store, first, sent=D(2026, 12, 18))
    review = {
        **stellantis(), "dispute": "complaint-review", "date": "2027-01-20",
        "facts": {"subject": "Instalment taken twice", "complaint-date": "2026-12-18", "answer-received": False,
                  "why-unsatisfied": "No answer.", "expectation": "A refund."},
        "evidence": ["complaint-copy"],
    }
    # given explicitly
    joined, step = record(store, cat, review, case_id=first)
    assert joined == first and show_case(store, first).summary.steps == 2
    assert show_case(store, first).steps[0].status == "escalated"
    # written by hand: found by person, institution and complaint date
    second, _ = record(store, cat, stellantis(facts={"subject": "Another matter"}))
    update_case(store, second, sent=D(2026, 12, 18))
    again, _ = record(store, cat, {**review, "facts": {**review["facts"], "subject": "Another matter", "complaint-date": "2026-12-10"}})
    assert again == second
    # nothing matches: a new case
    lone, _ = record(store, cat, {**review, "facts": {**review["facts"], "subject": "Unrelated", "complaint-date": "2026-10-01"}})
    assert lone not in (first, second)
    with pytest.raises(UnknownCaseError):
        record(store, cat, review, case_id=999)


# -- purge -------------------------------------------------------------------------------------------------------


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_purge_removes_the_bytes_from_the_file(tmp_path, cat):
    path = tmp_path / "cases.sqlite3"
    s = open_store(path)
    secret = "Zoltanne Qwyxplainte"
    gone, _ = record(s, cat, stellantis(sender={"name": secret}, facts={"description": "Qwyx description text."}))
    kept, _ = record(s, cat, stellantis(sender={"name": "Kept Person"}))
    assert secret.encode() in file_bytes(path)
    assert purge(s, gone) == 1
    data = file_bytes(path)
    assert secret.encode() not in data and b"Qwyx description" not in data
    assert b"Kept Person" in data
    assert [c.id for c in list_cases(s)] == [kept]
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()
    assert secret.encode() not in file_bytes(path)
    with pytest.raises(UnknownCaseError):
        purge(open_store(path), gone)


def test_purge_closed_before_and_everything(store, cat):
    old, _ = record(store, cat, stellantis())
    recent, _ = record(store, cat, stellantis())
    still_open, _ = record(store, cat, stellantis())
    update_case(store, old, closed=D(2027, 1, 1))
    update_case(store, recent, closed=D(2027, 6, 1))
    assert purge(store, closed_before=D(2027, 3, 1)) == 1
    assert {c.id for c in list_cases(store)} == {recent, still_open}
    with pytest.raises(UsageError):
        purge(store, recent, closed_before=D(2027, 3, 1))
    assert purge(store) == 2
    assert list_cases(store) == [] and store.query("SELECT count(*) FROM steps")[0][0] == 0
    assert cases.default_path().name == "cases.sqlite3"


def test_record_letters_in_one_transaction(store, cat):
    built = []
    for name in ("Ann One", "Bob Two", "Cy Three"):
        answers = stellantis(sender={"name": name})
        case = build_case(answers, cat, today=D(2026, 12, 1))
        built.append((cases.letter_entry(case, make_plan(case, cat), answers), [Path(f"{name}.txt")]))
    ids = cases.record_letters(store, built)
    assert len({case_id for case_id, _ in ids}) == 3
    assert sorted(s.who for s in list_cases(store)) == ["Ann One", "Bob Two", "Cy Three"]


def test_record_letters_stores_what_recording_one_by_one_does(tmp_path, cat):
    """First-level letters are inserted together: the same ids and rows as one at a time, also after purged cases
    (AUTOINCREMENT never gives an id again) and with an escalation between them that joins a case of the same call."""
    review = {**stellantis(), "dispute": "complaint-review", "date": "2027-01-20",
              "facts": {"subject": "Instalment taken twice", "complaint-date": "2026-12-18", "answer-received": False,
                        "why-unsatisfied": "No answer.", "expectation": "A refund."}, "evidence": ["complaint-copy"]}
    letters = []
    for n, answers in enumerate([stellantis(sender={"name": "Ann One"}), stellantis(), stellantis(sender={"name": "Cy Three"}),
                                 review, stellantis(sender={"name": "Di Four"})]):
        case = build_case(answers, cat, today=D(2026, 12, 1))
        letters.append((cases.letter_entry(case, make_plan(case, cat), answers), [str(tmp_path / f"l{n}.txt")]))

    def stored(path, together):
        with open_store(path) as s:
            record(s, cat, stellantis(sender={"name": "Old One"}))
            record(s, cat, stellantis(sender={"name": "Old Two"}))
            purge(s, 2)  # the largest id is gone: the next case is 3, not 2
            if together:
                ids = cases.record_letters(s, letters)
            else:  # as record_letter does each
                ids = []
                for entry, files in letters:
                    with s.write() as db:
                        ids.append(cases._insert(db, entry, files, None, None))
            rows = [tuple(r) for r in s.query("SELECT id, who, institution, institution_name, country, ladder, closed FROM cases ORDER BY id")]
            columns = [r[1] for r in s.query("PRAGMA table_info(steps)") if r[1] != "recorded"]  # not the time
            rows += [tuple(r) for r in s.query(f"SELECT {', '.join(columns)} FROM steps ORDER BY id")]
            return ids, rows

    together, one_by_one = stored(tmp_path / "a.sqlite3", True), stored(tmp_path / "b.sqlite3", False)
    assert together == one_by_one
    ids, _rows = together
    assert [case_id for case_id, _step in ids] == [3, 4, 5, 4, 6]  # the review joins Thomas Jacobs's case


# -- the commands --------------------------------------------------------------------------------------


def test_cli_cases_commands(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from plainte.answers import dump_answers
    from plainte.cli import build_app, setup_language

    def invoke(*args):
        setup_language(list(args))
        return CliRunner().invoke(build_app(), list(args))

    db = tmp_path / "mine.sqlite3"
    monkeypatch.setenv("PLAINTE_DB", str(db))
    answers = tmp_path / "complaint.yaml"
    dump_answers(stellantis(), answers)
    out = tmp_path / "out"
    assert invoke("render", str(answers), "-o", str(out), "-q", "--no-record").exit_code == 0
    assert json.loads(invoke("cases", "--json").stdout) == []
    result = invoke("render", str(answers), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    [row] = json.loads(invoke("cases", "--json").stdout)
    assert (row["id"], row["status"], row["next_kind"]) == (1, "draft", "send")
    assert mode(db) == 0o600
    shown = json.loads(invoke("cases", "update", "1", "--sent", "18/12/2026", "--json").stdout)
    assert shown["steps"][0]["acknowledge_due"] == "2026-12-28" and "answers" not in shown["steps"][0]
    [due] = json.loads(invoke("cases", "due", "--today", "2026-12-29", "--json").stdout)
    assert due["situation"] == "no-acknowledgement"
    early = invoke("cases", "escalate", "1", "--today", "2027-01-18", "-o", str(out))
    assert early.exit_code == ExitCode.NOT_YET
    incomplete = invoke("cases", "escalate", "1", "--today", "2027-01-19", "-o", str(out))
    assert incomplete.exit_code == ExitCode.INVALID_INPUT
    more = tmp_path / "more.yaml"
    dump_answers({"facts": {"why-unsatisfied": "No answer to date."}}, more)
    done = invoke("cases", "escalate", "1", "--today", "2027-01-19", "-o", str(out), "--answers", str(more), "-q", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["recorded_in"] == 1
    assert json.loads(invoke("cases", "show", "1", "--json").stdout)["steps"][1]["dispute"] == "complaint-review"
    assert invoke("cases", "purge").exit_code == ExitCode.USAGE
    assert json.loads(invoke("cases", "purge", "1", "--json").stdout) == {"purged": 1}
    assert b"Thomas Jacobs" not in db.read_bytes()


def test_showing_a_case_with_a_broken_institutions_file_reads_the_catalogue_once(tmp_path, cat, monkeypatch, capsys):
    """The case still shows (dispute ids instead of names), and the broken catalogue is not parsed twice."""
    from plainte import case_commands
    from plainte.errors import CatalogueError

    db = tmp_path / "cases.sqlite3"
    with open_store(db) as s:
        case_id, _ = record(s, cat, stellantis())
    calls = []

    def broken():
        calls.append(1)
        raise CatalogueError("institutions.yaml: broken")

    monkeypatch.setattr(case_commands, "_catalogue", broken)
    case_commands.cmd_cases_show(case_id, db, False, False)
    assert len(calls) == 1
    assert "Thomas Jacobs" in capsys.readouterr().out
