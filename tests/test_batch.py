"""Batch letters: spreadsheet rows in, one letter set per valid row, every bad line reported; never lose, never duplicate."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from plainte import batch as batch_module
from plainte.batch import open_rows, run_batch, template_csv
from plainte.batch_report import safe_cell
from plainte.catalog import load
from plainte.errors import ExitCode, OutputError, UsageError
from plainte.i18n import set_ui_language

TODAY = dt.date(2026, 11, 21)
DATA = Path(__file__).parent / "data" / "batch"
SHEET = DATA / "sheet.csv"
UNKNOWN = '=HYPERLINK("x")'
# interview.validate parses the evidence before the facts are typed: with "yes" in a cell (not a YAML true),
# evidence that a yes/no answer makes possible is refused. These templates' example rows show it.


def run(source: Path, out: Path, cat, **kwargs):
    kwargs.setdefault("formats", ["txt"])
    return run_batch(source, out, today=TODAY, catalogue=cat, **kwargs)


def report_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it in columns
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def letters(folder: Path) -> dict[str, bytes]:
    """The letter files of a folder (not the reports, not hidden temporary files), by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if not p.name.startswith((".", "plainte-report"))}


def by_line(rows: list[dict[str, str]]) -> dict[int, list[dict[str, str]]]:
    out: dict[int, list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(int(r["line"]), []).append(r)
    return out


# ------------------------------------------------------------------------------------------- the sheet


def test_valid_rows_become_letters_and_bad_lines_are_reported(tmp_path, cat):
    out = tmp_path / "out"
    summary = run(SHEET, out, cat, formats=["txt", "md"])

    assert (summary.total, summary.written, summary.skipped, summary.duplicates, summary.errors) == (10, 3, 0, 1, 6)
    assert summary.exit_code == ExitCode.BATCH_PARTIAL
    assert summary.unknown_columns == (UNKNOWN,)
    assert summary.report_path == out.resolve() / "plainte-report.csv"

    rows = by_line(report_rows(summary.report_path))
    statuses = {line: [(r["status"], r["column"]) for r in rs] for line, rs in rows.items()}
    assert statuses == {
        1: [("warning", "'" + UNKNOWN)],  # the unknown column, once; formula-safe
        2: [("ok", "")],
        3: [("ok", "")],  # the record with a newline in a cell starts on line 3 ...
        5: [("error", "facts.payment-date")],  # ... so this one is on line 5
        6: [("error", "facts.amount-paid")],
        7: [("error", "facts.from-iban")],
        8: [("error", "")],  # the short row
        9: [("error", "dispute")],
        10: [("ok", "")],
        12: [("skipped", "")],  # line 2 again, written differently: the same letter
        13: [("error", "'" + UNKNOWN)],
    }
    assert "31/02/2026 does not exist" in rows[5][0]["message"]
    assert "3 cells" in rows[8][0]["message"] and "26 columns" in rows[8][0]["message"]
    assert "line 2" in rows[12][0]["message"]
    assert rows[12][0]["files"] == rows[2][0]["files"]

    files = letters(out)
    assert len(files) == 6  # 3 letters x (txt, md)
    named = {n for r in (rows[2], rows[3], rows[10]) for n in r[0]["files"].split(", ")}
    assert named == set(files)
    assert all(stat.S_IMODE((out / n).stat().st_mode) == 0o600 for n in files)
    assert stat.S_IMODE(summary.report_path.stat().st_mode) == 0o600
    stems = sorted({n.rsplit(".", 1)[0] for n in files})
    assert [s.rsplit("_", 1)[0] for s in stems] == [
        "2026-11-21_intrum-be_already-paid_fr", "2026-11-21_intrum-be_already-paid_nl", "2026-11-21_intrum-be_no-contract_en"]
    assert all(len(s.rsplit("_", 1)[1]) == batch_module.HASH_CHARS for s in stems)
    no_contract = next(data for name, data in files.items() if "no-contract" in name and name.endswith(".txt")).decode()
    assert "I have never had an account with StreamNow.\nThe e-mail address on your letter is not mine." in no_contract


def test_second_run_writes_nothing_and_force_writes_again(tmp_path, cat):
    out = tmp_path / "out"
    first = run(SHEET, out, cat)
    before = letters(out)
    mtimes = {n: (out / n).stat().st_mtime_ns for n in before}
    first_report = first.report_path.read_bytes()

    again = run(SHEET, out, cat)
    assert (again.written, again.skipped, again.duplicates, again.errors) == (0, 3, 1, 6)
    assert again.report_path.name == "plainte-report-2.csv"
    assert first.report_path.read_bytes() == first_report  # an earlier report is never replaced
    assert letters(out) == before
    assert {n: (out / n).stat().st_mtime_ns for n in before} == mtimes
    skipped = [r for r in report_rows(again.report_path) if r["status"] == "skipped"]
    assert sorted(int(r["line"]) for r in skipped) == [2, 3, 10, 12]

    forced = run(SHEET, out, cat, force=True)
    assert (forced.written, forced.skipped, forced.duplicates) == (3, 0, 1)
    assert letters(out) == before
    assert stat.S_IMODE((out / next(iter(before))).stat().st_mode) == 0o600


def test_a_new_format_completes_the_letters_already_there(tmp_path, cat):
    out = tmp_path / "out"
    run(SHEET, out, cat, formats=["txt"])
    txt = letters(out)
    summary = run(SHEET, out, cat, formats=["txt", "html"])
    assert summary.written == 3 and summary.skipped == 0
    after = letters(out)
    assert len(after) == 6 and all(after[n] == data for n, data in txt.items())


def test_every_row_valid_exits_zero(tmp_path, cat):
    source = tmp_path / "good.csv"
    lines = SHEET.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = lines[0].replace(';=HYPERLINK("x")', "")
    rows = [line.rsplit(";", 1)[0] + "\r\n" for line in (lines[1], lines[9])]
    source.write_text(header + "".join(rows), encoding="utf-8")
    summary = run(source, tmp_path / "out", cat)
    assert (summary.written, summary.errors, summary.unknown_columns) == (2, 0, ())
    assert summary.exit_code == ExitCode.OK
    again = run(source, tmp_path / "out", cat)
    assert again.exit_code == ExitCode.OK and again.skipped == 2


def test_messages_are_in_the_ui_language(tmp_path, cat):
    from plainte.errors import FieldError
    from plainte.fields import parse_date

    set_ui_language("fr")
    try:
        with pytest.raises(FieldError) as expected:
            parse_date("31/02/2026", field="facts.payment-date")
        summary = run(SHEET, tmp_path / "out", cat)
    finally:
        set_ui_language("en")
    line5 = by_line(report_rows(summary.report_path))[5][0]
    assert line5["message"] == expected.value.message
    assert "does not exist" not in line5["message"]


def test_report_is_safe_from_spreadsheet_formulas(tmp_path, cat):
    for text in ("=1+1", "+32 470", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    for text in ("Marie", "", "2026-11-21", "'=already quoted"):
        assert safe_cell(text) == text
    assert safe_cell(7) == "7" and safe_cell(None) == ""

    summary = run(SHEET, tmp_path / "out", cat)
    raw = summary.report_path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw
    for row in csv.reader(io.StringIO(raw, newline=""), delimiter=";"):
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


# ------------------------------------------------------------------------------------------- other inputs


def test_the_same_answers_give_the_same_letter_from_any_kind_of_file(tmp_path, cat):
    """A YAML list with typed values (a date, a number) names the same letter as the CSV row of text."""
    (tmp_path / "one.yaml").write_text(textwrap.dedent("""\
        # Marie, as on line 2 of the sheet
        - institution: intrum-be
          dispute: already-paid
          language: fr
          date: 2026-11-21
          sender: {name: Marie Dubois, street: Rue de la Victoire 112, postal_code: 1060, city: Saint-Gilles,
                   country: BE, email: marie.dubois@example.be}
          recipient: {street: Avenue de la Liberté 12, postal_code: "1080", city: Molenbeek-Saint-Jean}
          references: {file_number: INT-2026-448812}
          facts: {paid-to: collector, payment-date: 2026-11-03, amount-paid: 245.8, from-iban: BE68 5390 0754 7034,
                  payment-reference: "+++090/9337/55493+++", creditor: Proximus SA, claimed-amount: 245.80}
          evidence: [proof-of-payment]
        """), encoding="utf-8")
    from_sheet = run(SHEET, tmp_path / "sheet", cat)
    from_yaml = run(tmp_path / "one.yaml", tmp_path / "yaml", cat)
    sheet_name = by_line(report_rows(from_sheet.report_path))[2][0]["files"]
    assert from_yaml.written == 1
    assert report_rows(from_yaml.report_path)[0]["files"] == sheet_name
    assert letters(tmp_path / "yaml") == {sheet_name: letters(tmp_path / "sheet")[sheet_name]}


def test_json_lines_rows_carry_their_line_numbers(tmp_path, cat):
    hannah = {"institution": "intrum-be", "dispute": "no-contract", "language": "en",
             "sender": {"name": "Hannah Maes", "street": "Rue des Champs 19", "postal_code": "1040", "city": "Etterbeek"},
             "recipient": {"street": "Avenue de la Liberté 12", "postal_code": "1080", "city": "Molenbeek-Saint-Jean"},
             "facts": {"claimed-amount": "96,40", "demand-date": "30/10/2026", "online-sale": True},
             "evidence": ["demand-letter"]}
    other = json.loads(json.dumps(hannah))
    other["sender"]["name"] = "Eva Smets"
    bad = json.loads(json.dumps(hannah))
    bad["facts"]["demand-date"] = "yesterday"
    lines = [json.dumps(hannah), "", "{not json", "[1, 2]", json.dumps(bad), json.dumps(other)]
    (tmp_path / "rows.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    summary = run(tmp_path / "rows.jsonl", tmp_path / "out", cat)
    assert (summary.total, summary.written, summary.errors) == (5, 2, 3)
    rows = by_line(report_rows(summary.report_path))
    assert {line: rs[0]["status"] for line, rs in rows.items()} == {1: "ok", 3: "error", 4: "error", 5: "error", 6: "ok"}
    assert rows[5][0]["column"] == "facts.demand-date"
    assert "JSON" in rows[3][0]["message"]


def test_yaml_and_json_lists_carry_their_line_numbers(tmp_path, cat):
    (tmp_path / "rows.yaml").write_text(textwrap.dedent("""\
        - institution: intrum-be
          dispute: no-contract
          language: en
          sender: {name: Hannah Maes, street: Rue des Champs 19, postal_code: "1040", city: Etterbeek}
          recipient: {street: Avenue de la Liberté 12, postal_code: "1080", city: Molenbeek-Saint-Jean}
          facts: {claimed-amount: "96,40", demand-date: 2026-10-30, online-sale: true}
          evidence: [demand-letter]
        - just a string
        - institution: intrum-be
          dispute: no-contract
          language: en
          sender: {name: Eva Smets, street: Rue des Champs 19, postal_code: "1040", city: Etterbeek}
          facts: {claimed-amount: "-3", demand-date: 2026-10-30, online-sale: true}
        """), encoding="utf-8")
    summary = run(tmp_path / "rows.yaml", tmp_path / "out", cat)
    rows = report_rows(summary.report_path)
    assert (summary.total, summary.written, summary.errors) == (3, 1, 2)
    assert [(r["line"], r["status"]) for r in rows][:2] == [("1", "ok"), ("8", "error")]
    assert {r["column"] for r in rows if r["line"] == "9"} >= {"facts.claimed-amount", "recipient.street"}

    items = [{"institution": "intrum-be"}, {"dispute": "lost-cat"}]
    (tmp_path / "rows.json").write_text("[\n  " + ",\n  ".join(json.dumps(i) for i in items) + "\n]\n", encoding="utf-8")
    summary = run(tmp_path / "rows.json", tmp_path / "json", cat)
    assert summary.errors == 2
    assert sorted({r["line"] for r in report_rows(summary.report_path)}) == ["2", "3"]


def test_set_fills_empty_cells_and_a_row_value_wins(tmp_path, cat):
    source = tmp_path / "rows.csv"
    source.write_text(
        "institution,dispute,language,sender.name,sender.street,sender.postal_code,sender.city,"
        "recipient.street,recipient.postal_code,recipient.city,facts.claimed-amount,facts.demand-date,facts.online-sale,evidence\n"
        "intrum-be,no-contract,,Hannah Maes,Rue des Champs 19,1040,Etterbeek,,,,\"96,40\",30/10/2026,no,demand-letter\n"
        "intrum-be,no-contract,en,Eva Smets,Rue des Champs 21,1040,Etterbeek,,,,\"12,00\",30/10/2026,no,\n",
        encoding="utf-8")  # comma-separated, no BOM: detected
    defaults = {"language": "nl", "recipient.street": "Avenue de la Liberté 12", "recipient.postal_code": "1080",
                "recipient.city": "Molenbeek-Saint-Jean", "evidence": "demand-letter"}
    summary = run(source, tmp_path / "out", cat, defaults=defaults)
    assert (summary.written, summary.errors) == (2, 0)
    names = sorted(letters(tmp_path / "out"))
    assert [n.split("_")[3] for n in names] == ["en", "nl"]  # row 2 says en; row 1 takes the default nl
    assert all("Molenbeek" in (tmp_path / "out" / n).read_text() for n in names)

    with pytest.raises(UsageError):
        run(source, tmp_path / "out2", cat, defaults={"sender.nmae": "x"})


# ------------------------------------------------------------------------------------------- broken files


def test_files_that_cannot_be_read_are_usage_errors(tmp_path, cat):
    with pytest.raises(UsageError):
        run(tmp_path / "missing.csv", tmp_path / "out", cat)
    (tmp_path / "rows.txt").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError):
        run(tmp_path / "rows.txt", tmp_path / "out", cat)
    (tmp_path / "latin1.csv").write_bytes("institution;sender.name\nintrum-be;Andr\xe9\n".encode("latin-1"))
    with pytest.raises(UsageError, match="UTF-8"):
        run(tmp_path / "latin1.csv", tmp_path / "out", cat)
    (tmp_path / "twice.csv").write_text("institution;dispute;institution\n", encoding="utf-8")
    with pytest.raises(UsageError, match="twice"):
        run(tmp_path / "twice.csv", tmp_path / "out", cat)
    (tmp_path / "head.csv").write_text('institution;"dispute\n', encoding="utf-8")
    with pytest.raises(UsageError, match="line 1"):
        run(tmp_path / "head.csv", tmp_path / "out", cat)
    (tmp_path / "map.yaml").write_text("institution: intrum-be\n", encoding="utf-8")
    with pytest.raises(UsageError, match="list"):
        run(tmp_path / "map.yaml", tmp_path / "out", cat)
    assert not (tmp_path / "out").exists()  # nothing is written before the input is known to be readable


def test_a_quote_never_closed_is_named(tmp_path, cat):
    source = tmp_path / "rows.csv"
    source.write_text('institution;dispute;sender.name\nintrum-be;already-paid;"Marie\nintrum-be;already-paid;Jan\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"line 2: .*quote"):
        run(source, tmp_path / "out", cat)
    assert not (tmp_path / "out").exists()


def test_an_unexpected_failure_costs_one_row_only(tmp_path, cat, monkeypatch):
    import plainte.compose

    real = plainte.compose.render_formats

    def flaky(case, cat, formats, **kwargs):
        if case.dispute.id == "no-contract":
            raise RuntimeError("boom")
        return real(case, cat, formats, **kwargs)

    monkeypatch.setattr(plainte.compose, "render_formats", flaky)
    monkeypatch.delenv("PLAINTE_DEBUG", raising=False)
    summary = run(SHEET, tmp_path / "out", cat)
    assert (summary.written, summary.errors) == (2, 7)
    assert "RuntimeError" in by_line(report_rows(summary.report_path))[3][0]["message"]


def test_a_write_failure_stops_the_run_and_leaves_no_partial_file(tmp_path, cat, monkeypatch):
    from plainte import outputs

    real_write = outputs.os.write

    def full(fd, data):
        if os.fstat(fd).st_size:  # the first bytes of a file go in, the rest does not fit
            raise OSError(28, "No space left on device")
        return real_write(fd, bytes(data)[:10])

    monkeypatch.setattr(outputs.os, "write", full)
    with pytest.raises(OutputError):
        run(SHEET, tmp_path / "out", cat)
    assert letters(tmp_path / "out") == {}
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".plainte-")]


# ------------------------------------------------------------------------------------------- progress and jobs


def test_progress_goes_from_zero_to_the_total(tmp_path, cat):
    calls: list[tuple[int, int]] = []
    run(SHEET, tmp_path / "out", cat, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 10) and calls[-1] == (10, 10)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="jobs need fork")
def test_workers_write_the_same_letters(tmp_path, cat):
    big = make_big_sheet(tmp_path / "big.csv", 150)
    one = run(big, tmp_path / "one", cat, formats=["txt", "md"])
    two = run(big, tmp_path / "two", cat, formats=["txt", "md"], jobs=2)
    assert (two.jobs, two.written, two.duplicates, two.errors) == (2, one.written, one.duplicates, one.errors)
    assert letters(tmp_path / "two") == letters(tmp_path / "one")
    assert [r["line"] for r in report_rows(two.report_path)] == [r["line"] for r in report_rows(one.report_path)]


def test_without_jobs_a_big_sheet_uses_a_worker_per_core_and_a_small_one_this_process(tmp_path, cat, monkeypatch):
    from plainte import batch_jobs
    from plainte.i18n import _

    small = run(SHEET, tmp_path / "small", cat)
    assert small.jobs == 1
    monkeypatch.setattr(batch_jobs, "AUTO_ROWS", 5)
    monkeypatch.setattr(batch_jobs.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    big = run(SHEET, tmp_path / "big", cat)
    assert big.jobs == (3 if batch_jobs._fork_available() else 1)
    assert letters(tmp_path / "big") == letters(tmp_path / "small")
    assert run(SHEET, tmp_path / "one", cat, jobs=1).jobs == 1
    set_ui_language("en")
    assert f" {batch_module.AUTO_ROWS} rows" in _("Worker processes (default: one per core for a sheet of 500 rows or more; 1: this process only).")


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="jobs need fork")
def test_workers_record_the_same_cases_as_one_process(tmp_path, cat):
    """Each worker makes the case-store entry of its letters (a Case does not travel between processes)."""
    from plainte.cases import list_cases, open_store, show_case

    big = make_big_sheet(tmp_path / "big.csv", 30)
    recorded = {}
    for jobs in (1, 2):
        with open_store(tmp_path / f"cases-{jobs}.sqlite3") as store:
            summary = run(big, tmp_path / f"out-{jobs}", cat, jobs=jobs, store=store)
            details = [show_case(store, c.id) for c in list_cases(store)]
        assert summary.jobs == jobs and summary.written == 30
        recorded[jobs] = sorted(
            (d.summary.who, d.summary.institution, d.summary.dispute, d.summary.level, d.summary.next_date,
             tuple((s.letter_date, s.sending, s.acknowledge_due, s.answer_due, tuple(Path(f).name for f in s.files)) for s in d.steps))
            for d in details)
    assert len(recorded[1]) == 30 and recorded[1] == recorded[2]


# ------------------------------------------------------------------------------------------- interruption


def make_big_sheet(path: Path, n: int) -> Path:
    """n rows made from the valid rows of the sheet, each with its own sender name, plus every third row repeated."""
    lines = SHEET.read_bytes().decode("utf-8-sig").split("\r\n")
    header = lines[0].replace(';=HYPERLINK("x")', "")
    templates = [lines[1], lines[2], lines[8]]  # the records on lines 2, 3-4 and 10 of the file
    rows = []
    for i in range(n):
        cells = next(csv.reader([templates[i % 3]], delimiter=";"))[:-1]
        cells[4] = f"{cells[4]} {i:04d}"
        rows.append(cells)
        if i % 3 == 0:
            rows.append(list(cells))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header.split(";"))
    writer.writerows(rows)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8", newline="")
    return path


CHILD = """
import datetime as dt, sys
from pathlib import Path
from plainte.batch import run_batch
run_batch(Path(sys.argv[1]), Path(sys.argv[2]), formats=["txt", "md"], today=dt.date(2026, 11, 21))
"""


def children(pid: int) -> list[int]:
    if not Path("/proc").is_dir():
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def wait_gone(pids: list[int], seconds: float = 10) -> None:
    def running(p: int) -> bool:
        try:
            return "State:\tZ" not in Path(f"/proc/{p}/status").read_text()
        except OSError:
            return False

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(running(p) for p in pids):
        time.sleep(0.05)
    assert not [p for p in pids if running(p)]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_an_interrupted_run_resumes_to_the_same_letters(tmp_path, cat, sig):
    rows = 600  # enough that no machine finishes the run between two looks at the folder (it is stopped half-way)
    big = make_big_sheet(tmp_path / "big.csv", rows)
    out = tmp_path / "interrupted"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(big), str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        if out.is_dir() and len([n for n in os.listdir(out) if n.endswith(".md")]) >= 20:
            break
        time.sleep(0.005)
    assert child.poll() is None, child.stderr.read().decode()  # still running: it is stopped half-way
    helpers = children(child.pid)
    child.send_signal(sig)
    child.wait(timeout=30)
    child.stderr.close()
    wait_gone(helpers)  # the process that writes the letters does not outlive the run
    half = letters(out)
    assert 20 <= len(half) < 2 * rows

    resumed = run(big, out, cat, formats=["txt", "md"])
    clean = run(big, tmp_path / "clean", cat, formats=["txt", "md"])
    assert resumed.errors == clean.errors == 0
    assert resumed.written + resumed.skipped == clean.written == rows
    assert resumed.duplicates == clean.duplicates == rows // 3
    assert 0 < resumed.skipped < rows
    assert letters(out) == letters(tmp_path / "clean")
    again = run(big, out, cat, formats=["txt", "md"])
    assert (again.written, again.skipped) == (0, rows)


# ------------------------------------------------------------------------------------------- the template


@pytest.mark.parametrize("dispute", sorted(load().disputes))
def test_template_parses_back_and_its_example_row_renders(tmp_path, cat, dispute):
    text = template_csv(dispute, None, cat, today=TODAY)
    assert text.startswith("\ufeff") and "\r\n" in text
    header, example = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert len(header) == len(example) == len(set(header))
    d = cat.disputes[dispute]
    assert header[:2] == ["institution", "dispute"] and example[1] == dispute
    assert [h for h in header if h.startswith("facts.")] == [f"facts.{q.id}" for q in d.questions]  # this dispute's, no other's
    assert {"evidence", "writer_role", "organisation", "client.name", "sender.name", "language", "sending", "date"} <= set(header)
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in example)
    source = tmp_path / "sheet.csv"
    source.write_text(text, encoding="utf-8")
    summary = run(source, tmp_path / "out", cat, formats=["txt", "html"])
    assert (summary.total, summary.written, summary.errors, summary.unknown_columns) == (1, 1, 0, ())


def test_template_of_every_institution_and_dispute_validates_when_fed_back(tmp_path, cat):
    """--template DISPUTE --institution ID: the example row is a valid row for that institution, in one sheet."""
    pairs = [(i.id, d.id) for i in cat.writable() for d in cat.disputes_for(i)]
    assert len(pairs) > 20
    for inst, dispute in pairs:
        text = template_csv(dispute, inst, cat, today=TODAY)
        header, example = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
        assert example[header.index("institution")] == inst and example[header.index("dispute")] == dispute
        assert [h for h in header if h.startswith("facts.")] == [f"facts.{q.id}" for q in cat.disputes[dispute].questions]
        source = tmp_path / f"{inst}-{dispute}.csv"
        source.write_text(text, encoding="utf-8")
        summary = run(source, tmp_path / "out", cat)
        assert (summary.total, summary.errors, summary.unknown_columns) == (1, 0, ()), (inst, dispute, report_rows(summary.report_path))
        assert summary.written == 1, (inst, dispute)


def test_template_for_an_institution_and_for_another_institution(tmp_path, cat):
    text = template_csv("complaint", "belfius", cat, today=TODAY)
    header, example = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert example[0] == "belfius"
    text = template_csv("already-paid", "other", cat, today=TODAY)
    header, example = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert {"institution_kind", "institution_country", "recipient.name", "recipient.street"} <= set(header)
    source = tmp_path / "other.csv"
    source.write_text(text, encoding="utf-8")
    assert run(source, tmp_path / "out", cat).written == 1
    with pytest.raises(UsageError):
        template_csv("mediation-request", "intrum-be", cat)  # Intrum has no mediation step
    with pytest.raises(Exception):
        template_csv("lost-cat", None, cat)


def test_letters_cut_by_a_power_loss_are_written_again_and_the_run_syncs_once(tmp_path, cat, monkeypatch):
    """Files are not flushed one by one: the run syncs once at its end. A letter a power loss cut before that
    (empty, or without its format's ending) is written again by the next run; a complete one is kept."""
    from plainte import outputs

    syncs, fsyncs = [], []
    monkeypatch.setattr(batch_module, "sync_letters", lambda folder: (outputs.sync_letters(folder), syncs.append(folder)))
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: fsyncs.append(fd))
    out = tmp_path / "out"
    run(SHEET, out, cat, formats=["txt", "html"])
    assert (syncs, fsyncs) == ([out.resolve()], [])
    whole = letters(out)
    names = sorted(whole)
    empty, cut, kept = names[0], names[1], names[2]
    (out / empty).write_bytes(b"")
    (out / cut).write_bytes(whole[cut][: len(whole[cut]) // 2])
    again = run(SHEET, out, cat, formats=["txt", "html"])
    assert letters(out) == whole
    assert (out / kept).stat().st_mtime_ns <= (out / empty).stat().st_mtime_ns
    assert again.written == len({n.rsplit(".", 1)[0] for n in (empty, cut)}) and len(syncs) == 2
    assert stat.S_IMODE((out / empty).stat().st_mode) == 0o600
    nothing = run(SHEET, out, cat, formats=["txt", "html"])
    assert (nothing.written, len(syncs)) == (0, 2)  # nothing written, nothing to sync


def test_while_a_batch_runs_its_folder_is_flushed_in_the_background(tmp_path, cat, monkeypatch):
    """The disk writes the letters as the run goes (Flusher), so the final sync has little left to wait for. The
    thread starts only when told (after the workers are forked), and stops with the run."""
    import threading

    from plainte import batch_writes

    calls: list[tuple[Path, str]] = []
    flushed = threading.Event()

    def flush(folder):
        calls.append((folder, threading.current_thread().name))
        if len(calls) > 1:
            flushed.set()
        return True

    monkeypatch.setattr(batch_writes, "sync_file_system", flush)
    monkeypatch.setattr(batch_writes, "syncfs_available", lambda: True)
    monkeypatch.setattr(batch_writes.sys, "platform", "linux")
    with batch_writes.Flusher(tmp_path, every=0.01) as flusher:
        time.sleep(0.05)
        assert calls == [] and flusher._thread is None  # not before start()
        flusher.start()
        flusher.start()  # once
        assert flushed.wait(10)
    count = len(calls)
    time.sleep(0.05)
    assert len(calls) == count  # stopped with the run
    assert {call for call in calls} == {(tmp_path, "plainte-flush")}

    monkeypatch.setattr(batch_writes, "syncfs_available", lambda: False)
    with batch_writes.Flusher(tmp_path, every=0.01) as flusher:  # a system that cannot: no thread at all
        flusher.start()
        assert flusher._thread is None

    import multiprocessing

    started = []  # a batch with workers starts it once they exist
    monkeypatch.setattr(batch_writes.Flusher, "start", lambda self: started.append(len(multiprocessing.active_children())))
    run(SHEET, tmp_path / "out", cat, jobs=2)
    assert started == [2]


def test_every_format_ends_as_the_completeness_check_expects(cat):
    from plainte.answers import load_answers
    from plainte.batch_writes import ENDINGS
    from plainte.compose import render_formats
    from plainte.errors import PlainteError
    from plainte.interview import build_case

    seen: set[str] = set()
    for path in sorted((Path(__file__).parent.parent / "examples").glob("*.yaml")):
        case = build_case(load_answers(path), cat, today=TODAY)
        for fmt, ending in ENDINGS.items():
            try:
                data = render_formats(case, cat, [fmt])[fmt]
            except PlainteError:  # no e-mail channel at this step
                continue
            assert data.endswith(ending), (path.name, fmt, data[-20:])
            seen.add(fmt)
    assert seen == set(ENDINGS)


def test_stale_temporary_files_of_a_killed_run_are_removed(tmp_path, cat):
    out = tmp_path / "out"
    out.mkdir()
    old, fresh = out / ".plainte-old.tmp", out / ".plainte-new.tmp"
    old.write_text("half a letter")
    fresh.write_text("a write under way")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    run(SHEET, out, cat)
    assert not old.exists() and fresh.exists()


def test_rows_are_read_lazily(cat):
    rows = iter(open_rows(SHEET, cat))
    first = next(rows)
    assert first.line == 2 and first.answers["sender"]["name"] == "Marie Dubois"
    assert first.answers["evidence"] == "proof-of-payment"  # split by the validator, which also takes "a|b" and "a, b"


# ------------------------------------------------------------------------------------------- e-mails


def test_email_rows_attach_their_evidence_and_a_missing_file_fails_only_its_row(tmp_path, cat):
    import email
    import email.policy

    pytest.importorskip("reportlab")
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "statement.pdf").write_bytes(b"%PDF-1.4 statement")
    (tmp_path / "scans" / "photo.jpg").write_bytes(b"\xff\xd8\xff jpeg")
    header = ("institution;dispute;language;segment;sender.name;sender.street;sender.postal_code;sender.city;sender.email;"
              "facts.subject;facts.product;facts.facts-date;facts.description;facts.expectation;attachments")
    row = ("stellantis-fs-belux;complaint;en;{segment};{name};Rue Saint-Gilles 27;4000;Liège;t@example.be;Instalment taken twice;"
           "credit;05/09/2026;Taken twice.;A refund.;{files}")
    lines = [header,
             row.format(segment="private", name="Thomas Jacobs", files="scans/statement.pdf|scans/photo.jpg"),
             row.format(segment="business", name="Eva Smets", files=""),
             row.format(segment="private", name="Jan Peeters", files="scans/statement.pdf|scans/gone.pdf")]
    source = tmp_path / "mails.csv"
    source.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    out = tmp_path / "out"
    summary = run(source, out, cat, formats=["txt", "eml"])
    rows = by_line(report_rows(summary.report_path))
    assert (summary.written, summary.errors) == (2, 1)
    assert [(r["status"], r["column"]) for r in rows[4]] == [("error", "attachments")]
    assert "gone.pdf" in rows[4][0]["message"] and "statement.pdf" not in rows[4][0]["message"]
    assert not any("Jan Peeters" in (out / n).read_text(errors="replace") for n in letters(out))  # nothing of that row

    def message(line: int):
        (name,) = [n for n in rows[line][0]["files"].split(", ") if n.endswith(".eml")]
        return email.message_from_bytes((out / name).read_bytes(), policy=email.policy.default)

    thomas, eva = message(2), message(3)
    assert thomas["To"].addresses[0].addr_spec == "services4you@stellantis-finance.com"
    assert eva["To"].addresses[0].addr_spec == "lease4you@stellantis-finance.com"  # the business customers' address
    found = [(p.get_filename(), p.get_content_type()) for p in thomas.iter_attachments()]
    assert found[1:] == [("statement.pdf", "application/pdf"), ("photo.jpg", "image/jpeg")]
    assert found[0][1] == "application/pdf" and [p.get_filename() for p in eva.iter_attachments()][0].endswith(".pdf")
    assert len(list(eva.iter_attachments())) == 1


def test_an_institution_without_email_is_a_row_error_and_no_eml(tmp_path, cat):
    summary = run(SHEET, tmp_path / "out", cat, formats=["eml"])
    rows = by_line(report_rows(summary.report_path))
    assert summary.written == 0 and summary.errors == 9
    assert "Intrum" in rows[2][0]["message"] and "e-mail" in rows[2][0]["message"]
    assert letters(tmp_path / "out") == {}


def email_sheet(folder: Path, attachment: str) -> Path:
    """rows.yaml in folder: one Stellantis complaint whose e-mail attaches the file at `attachment` (relative)."""
    source = folder / "rows.yaml"
    source.write_text(textwrap.dedent("""\
        - institution: stellantis-fs-belux
          dispute: complaint
          language: en
          sender: {name: Thomas Jacobs, street: Rue Saint-Gilles 27, postal_code: "4000", city: Liège, email: t@example.be}
          facts: {subject: Instalment taken twice, product: credit, facts-date: 2026-09-05, description: Taken twice.,
                  expectation: A refund.}
          attachments: [ATTACHMENT]
        """).replace("ATTACHMENT", attachment), encoding="utf-8")
    return source


def test_adding_the_email_later_completes_the_same_letter(tmp_path, cat):
    pytest.importorskip("reportlab")
    (tmp_path / "statement.pdf").write_bytes(b"%PDF-1.4 statement")
    source = email_sheet(tmp_path, "statement.pdf")
    out = tmp_path / "out"
    assert run(source, out, cat, formats=["txt"]).written == 1
    second = run(source, out, cat, formats=["txt", "eml"])
    assert second.written == 1
    names = sorted(letters(out))
    assert len(names) == 2 and names[0].rsplit(".", 1)[0] == names[1].rsplit(".", 1)[0]  # one letter: .eml beside .txt


def test_a_copied_sheet_names_its_letters_as_before(tmp_path, cat):
    """The attachments name a letter by the paths written in the sheet (and the files' sizes), not by where the
    folder lives: the same sheet run from a copy of its folder writes nothing new; a replaced file, a new letter."""
    import shutil

    pytest.importorskip("reportlab")
    first = tmp_path / "first"
    (first / "scans").mkdir(parents=True)
    (first / "scans" / "statement.pdf").write_bytes(b"%PDF-1.4 statement")
    email_sheet(first, "scans/statement.pdf")
    out = tmp_path / "out"
    assert run(first / "rows.yaml", out, cat, formats=["txt", "eml"]).written == 1
    moved = tmp_path / "elsewhere" / "moved"
    shutil.copytree(first, moved)
    again = run(moved / "rows.yaml", out, cat, formats=["txt", "eml"])
    assert (again.written, again.skipped) == (0, 1)
    assert len(letters(out)) == 2
    (moved / "scans" / "statement.pdf").write_bytes(b"%PDF-1.4 another, longer statement")
    assert run(moved / "rows.yaml", out, cat, formats=["txt", "eml"]).written == 1
    assert len(letters(out)) == 4


def test_a_mediator_column_reaches_the_letter(tmp_path, cat):
    """mediator.* columns fill the `mediator` block, as in an answers file (a French bank's own médiateur)."""
    import yaml

    from plainte.resources import PACKAGE_DIR

    example = yaml.safe_load((PACKAGE_DIR.parent.parent / "examples" / "mediation-request-france.yaml").read_text(encoding="utf-8"))
    row: dict[str, str] = {}
    for key, value in example.items():
        if isinstance(value, dict):
            row.update({f"{key}.{k}": ("yes" if v is True else "no" if v is False else str(v)) for k, v in value.items()})
        else:
            row[key] = "|".join(value) if isinstance(value, list) else str(value)
    source = tmp_path / "france.csv"
    with open(source, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row), delimiter=";")
        writer.writeheader()
        writer.writerow(row)
    summary = run(source, tmp_path / "out", cat)
    assert (summary.written, summary.errors, summary.unknown_columns) == (1, 0, ())
    (letter,) = letters(tmp_path / "out").values()
    assert b"M\xc3\xa9diateur de Cr\xc3\xa9dit Solaire\nCS 70412\n69422 Lyon Cedex 03" in letter
    assert "litige avec Crédit Solaire SA".encode() in letter


def test_template_for_another_institution_in_france_names_the_mediator(tmp_path, cat):
    """--country FR (or --set institution_country=FR): the French ladder, whose médiateur the sheet names."""
    text = template_csv("mediation-request", "other", cat, today=TODAY, country="FR")
    header, example = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    row = dict(zip(header, example))
    assert row["institution_country"] == "FR" and row["institution_kind"] == "lender"  # as its example is written
    assert {"mediator.name", "mediator.street", "mediator.postal_code", "mediator.city", "recipient.name"} <= set(header)
    assert "recipient.street" not in header  # the letter goes to the médiateur; the institution is only named
    assert row["mediator.name"] == "Médiateur de Crédit Solaire"
    source = tmp_path / "fr.csv"
    source.write_text(text, encoding="utf-8")
    summary = run(source, tmp_path / "out", cat)
    assert (summary.written, summary.errors) == (1, 0)
    belgian = template_csv("mediation-request", "other", cat, today=TODAY)  # without a country: the first that fits
    header, example = list(csv.reader(io.StringIO(belgian[1:], newline=""), delimiter=";"))
    assert dict(zip(header, example))["institution_country"] == "BE" and not any(h.startswith("mediator.") for h in header)
    with pytest.raises(UsageError, match="--country"):
        template_csv("mediation-request", "belfius", cat, country="FR")
    with pytest.raises(UsageError, match="BE, FR, CN"):
        template_csv("mediation-request", "other", cat, country="XX")


def test_batch_cli_template_takes_the_country(tmp_path):
    from typer.testing import CliRunner

    from plainte.cli import build_app, setup_language

    def invoke(*args):
        setup_language(list(args))
        return CliRunner().invoke(build_app(), list(args))

    for args in (["--country", "FR"], ["--country", "fr"], ["--set", "institution_country=FR"]):
        result = invoke("batch", "--template", "mediation-request", "--institution", "other", *args)
        assert result.exit_code == 0, result.output
        assert "mediator.name" in result.stdout.splitlines()[0]
    result = invoke("batch", "--template", "mediation-request", "--institution", "other", "--set", "institution_country=CN")
    assert result.exit_code == 0 and ";CN;" in result.stdout.splitlines()[1]
    wrong = invoke("--ui-lang", "fr", "batch", "--template", "mediation-request", "--institution", "belfius", "--country", "FR")
    assert wrong.exit_code == ExitCode.USAGE and "seulement avec --institution other" in wrong.output
    without = invoke("--ui-lang", "en", "batch", str(tmp_path / "rows.csv"), "--country", "FR")
    assert without.exit_code == ExitCode.USAGE and "only with --template" in without.output


def test_rendered_letters_are_written_before_they_fill_memory(tmp_path, cat, monkeypatch):
    """Rows are rendered a chunk at a time, but written once the rendered bytes reach RENDERED_BYTES (PDFs,
    e-mails with scanned proof), each row's bytes let go once written; the letters and the report are the same."""
    from plainte import batch_engine

    whole = run(SHEET, tmp_path / "whole", cat, jobs=1)
    events: list[str] = []
    real_render, real_write = batch_engine._Engine._rendered, batch_engine.write_files
    monkeypatch.setattr(batch_engine._Engine, "_rendered", lambda self, step: (events.append("render"), real_render(self, step))[1])
    monkeypatch.setattr(batch_engine, "write_files", lambda *a, **k: (events.append("write"), real_write(*a, **k))[1])
    monkeypatch.setattr(batch_engine, "RENDERED_BYTES", 1)  # every letter is over it: written as soon as rendered
    small = run(SHEET, tmp_path / "small", cat, jobs=1)
    assert letters(tmp_path / "small") == letters(tmp_path / "whole") and small.written == whole.written > 2
    assert report_rows(small.report_path) == report_rows(whole.report_path)
    rendered = events.count("render")
    assert events[:4] == ["render", "write", "render", "write"]  # never two letters held at once
    events.clear()
    monkeypatch.setattr(batch_engine, "RENDERED_BYTES", 10**9)
    run(SHEET, tmp_path / "big", cat, jobs=1)
    assert events == ["render"] * rendered + ["write"] * events.count("write")  # the whole chunk rendered first
