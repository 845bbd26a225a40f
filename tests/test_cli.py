"""The non-interactive commands through Typer's CliRunner: JSON shapes, exit codes, messages, files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from plainte.cli import build_app, setup_language
from plainte.errors import ExitCode
from plainte.resources import PACKAGE_DIR

EXAMPLES = PACKAGE_DIR.parent.parent / "examples"
QUESTION_TYPES = {"text", "date", "money", "integer", "bool", "choice", "iban", "structured-communication", "email",
                  "phone", "national-number", "postal-code", "enterprise-number"}


def invoke(args, **kwargs):
    setup_language(args)
    return CliRunner().invoke(build_app(), args, **kwargs)


def test_institutions_json_lists_the_catalogue():
    result = invoke(["institutions", "--json"])
    assert result.exit_code == 0, result.output
    ids = {row["id"] for row in json.loads(result.stdout)}
    assert {"stellantis-fs-belux", "belfius", "intrum-be", "carrefour-banque", "ombudsfin"} <= ids


def test_one_institution_json_has_channels_deadlines_ladder():
    data = json.loads(invoke(["institutions", "stellantis-fs-belux", "--json"]).stdout)
    levels = [s["level"] for s in data["ladder"]]
    assert levels[:3] == ["complaint", "complaint-review", "mediation"]
    first = data["ladder"][0]
    assert first["acknowledge"] == {"business_days": 5} and first["answer"] == {"months": 1}
    assert any(c.get("hours") for c in first["channels"])


def test_dispute_json_shape():
    data = json.loads(invoke(["disputes", "already-paid", "--json"]).stdout)
    assert data["id"] == "already-paid" and data["evidence"]
    for q in data["questions"]:
        assert q["type"] in QUESTION_TYPES and isinstance(q["required"], bool)
        if q["type"] == "choice":
            assert all(isinstance(c, str) for c in q["choices"])


def test_disputes_filtered_by_institution():
    ids = {d["id"] for d in json.loads(invoke(["disputes", "--institution", "intrum-be", "--json"]).stdout)}
    assert "already-paid" in ids and "complaint-review" not in ids


def test_evidence_checklist():
    data = json.loads(invoke(["evidence", "already-paid", "--json"]).stdout)
    proof = data["items"][0]
    assert proof["id"] == "proof-of-payment" and proof["required"]
    assert proof["invalid"] and proof["obtain"]


def test_unknown_id_is_a_clear_error_in_french():
    result = invoke(["--ui-lang", "fr", "institutions", "nowhere"])
    assert result.exit_code == ExitCode.CATALOGUE
    assert "nowhere" in result.output and "Traceback" not in result.output


def test_render_writes_0600_files_and_never_overwrites(tmp_path):
    args = ["render", str(EXAMPLES / "already-paid.yaml"), "-o", str(tmp_path), "--format", "txt,html", "-q"]
    assert invoke(args).exit_code == 0
    assert invoke(args).exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["2026-11-21_intrum-be_already-paid_fr-2.html", "2026-11-21_intrum-be_already-paid_fr-2.txt",
                     "2026-11-21_intrum-be_already-paid_fr.html", "2026-11-21_intrum-be_already-paid_fr.txt"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in tmp_path.iterdir())


def test_render_stdout_and_lang_override():
    result = invoke(["render", str(EXAMPLES / "already-paid.yaml"), "--stdout", "--lang", "nl", "-q"])
    assert result.exit_code == 0
    assert "AANGETEKEND" in result.stdout and "Betreft:" in result.stdout


def test_render_bad_answers_lists_every_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "already-paid.yaml").read_text(encoding="utf-8")
                   .replace("2026-11-03", "31/02/2026").replace('amount-paid: "245,80"', 'amount-paid: "1.234"'), encoding="utf-8")
    result = invoke(["render", str(bad), "-o", str(tmp_path)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "facts.payment-date" in result.output and "facts.amount-paid" in result.output
    assert list(tmp_path.iterdir()) == [bad]


def test_render_bad_format_and_missing_file(tmp_path):
    assert invoke(["render", str(EXAMPLES / "already-paid.yaml"), "--format", "doc"]).exit_code == ExitCode.USAGE
    assert invoke(["render", str(tmp_path / "nope.yaml")]).exit_code == ExitCode.USAGE


def test_render_advice_goes_to_stderr_not_the_letter():
    result = invoke(["render", str(EXAMPLES / "already-paid.yaml"), "--stdout", "--lang", "en"])
    assert "plainte is not a lawyer" not in result.stdout


def test_the_next_step_never_nests_brackets(tmp_path):
    """Stellantis' Dutch service name carries the French one in brackets: the advice's "(who)" does not nest them."""
    result = invoke(["--ui-lang", "nl", "render", str(EXAMPLES / "complaint.yaml"), "--lang", "nl", "-o", str(tmp_path), "--no-record"])
    assert result.exit_code == 0
    advice = " ".join(result.output.split())
    assert "Interne heroverweging (Klachtendienst – Service des plaintes)." in advice
    assert "((" not in advice and "))" not in advice


@pytest.mark.parametrize("start,args,expected", [
    ("2026-12-18", ["--business-days", "5"], "2026-12-28"),
    ("2026-05-07", ["--business-days", "2", "--country", "BE"], "2026-05-11"),
    ("2026-05-07", ["--business-days", "2", "--country", "FR"], "2026-05-12"),
    ("31/01/2026", ["--months", "1"], "2026-02-28"),
])
def test_deadline(start, args, expected):
    result = invoke(["deadline", "--from", start, *args])
    assert result.exit_code == 0 and result.stdout.strip() == expected


def test_deadline_json_and_errors():
    data = json.loads(invoke(["deadline", "--from", "2026-12-18", "--business-days", "5", "--json"]).stdout)
    assert data["date"] == "2026-12-28"
    assert invoke(["deadline", "--from", "2026-12-18"]).exit_code == ExitCode.USAGE
    assert invoke(["deadline", "--from", "31/02/2026", "--months", "1"]).exit_code == ExitCode.INVALID_INPUT


def test_costs_json():
    data = json.loads(invoke(["costs", "--balance", "650", "--damages", "100", "--collection-fees", "40", "--json"]).stdout)
    lines = {ln["item"]: ln for ln in data["lines"]}
    assert lines["damages"]["allowed"] == "72.50" and lines["damages"]["excess"] == "27.50"
    assert lines["collection-fees"]["excess"] == "40.00"


def test_new_without_terminal_exits_2_and_names_render():
    result = invoke(["new"], input="")
    assert result.exit_code == ExitCode.USAGE
    assert "plainte render" in result.output and "--answers" in result.output


def test_help_is_translated():
    result = invoke(["--ui-lang", "nl", "--help"])
    assert result.exit_code == 0
    assert "Schrijf" in result.output or "brief" in result.output


def test_python_dash_m_and_version():
    out = subprocess.run([sys.executable, "-m", "plainte", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("plainte ")


def test_batch_combines_pdfs_and_records_cases(tmp_path):
    import csv
    import io

    sheet = tmp_path / "sheet.csv"
    template = invoke(["batch", "--template", "already-paid"])
    assert template.exit_code == 0
    header, example = list(csv.reader(io.StringIO(template.stdout.lstrip("\ufeff")), delimiter=";"))
    second = list(example)
    second[header.index("sender.name")] = "Jan Peeters"
    with open(sheet, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([header, example, second])
    db = tmp_path / "cases.sqlite3"
    out = tmp_path / "out"
    result = invoke(["batch", str(sheet), "-o", str(out), "--format", "txt,pdf", "--combine", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["written"] == 2 and summary["combined"].endswith(".pdf")
    cases = json.loads(invoke(["cases", "--db", str(db), "--json"]).stdout)
    assert sorted(c["who"] for c in cases) == ["Jan Peeters", "Marie Dubois"]
    again = json.loads(invoke(["batch", str(sheet), "-o", str(out), "--format", "txt,pdf", "--db", str(db), "--json"]).stdout)
    assert again["written"] == 0 and again["skipped"] == 2
    assert len(json.loads(invoke(["cases", "--db", str(db), "--json"]).stdout)) == 2  # nothing recorded twice


@pytest.mark.parametrize(("lang", "law", "excess", "unverified"), [
    ("en", "Code of Economic Law, Book XIX", "Total excess: €117.50", "rate not verified"),
    ("fr", "Code de droit économique, livre", "Excédent total : 117,50 €", "taux non vérifié"),
    ("nl", "Wetboek van economisch recht,", "Totaal te veel gevorderd: € 117,50", "interestvoet niet"),
])
def test_costs_table_names_the_law_in_every_language(lang, law, excess, unverified):
    args = ["--ui-lang", lang, "costs", "--balance", "650", "--damages", "120", "--reminders", "3", "--reminder-fee", "15",
            "--interest-rate", "12", "--since", "2026-01-15", "--until", "2026-11-15", "--collection-fees", "40"]
    result = invoke(args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output.replace("\xa0", " ").replace("\u202f", " ")
    assert law in out and excess in out and unverified in out
    assert lang == "en" or "Not counted" not in out
    assert ("Law of 2 August 2002" if lang == "en" else "2002") in out  # the interest line keeps its law


def test_costs_consumer_credit_asserts_no_total(monkeypatch):
    out = invoke(["costs", "--balance", "650", "--damages", "120", "--debt-type", "consumer-credit"], env={"COLUMNS": "200"}).output
    assert "not established" in out and "Total excess" not in out


@pytest.mark.parametrize(("args", "option"), [
    (["--reminder-fee", "15"], "--reminders"),
    (["--interest", "5"], "--since"),
    (["--interest-rate", "12"], "--since"),
])
def test_costs_errors_name_the_option(args, option):
    result = invoke(["costs", "--balance", "650", *args])
    assert result.exit_code == ExitCode.INVALID_INPUT and option in result.output


def test_render_stdout_ends_the_letter_before_the_advice():
    result = invoke(["render", str(EXAMPLES / "already-paid.yaml"), "--stdout", "--lang", "en", "--no-record"])
    assert result.exit_code == 0 and result.stdout.endswith("(creditor)\n")
    assert result.stderr.startswith("\n") and "plainte is not a lawyer" in result.stderr


def test_render_impossible_yaml_date_is_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "already-paid.yaml").read_text(encoding="utf-8")
                   .replace("date: 2026-11-21", "date: 2026-13-01").replace("payment-date: 2026-11-03", "payment-date: 2026-02-30"),
                   encoding="utf-8")
    result = invoke(["render", str(bad), "--stdout"])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "date: 2026-13-01" in result.output and "facts.payment-date: 2026-02-30" in result.output
    assert "Unexpected error" not in result.output


def test_batch_second_run_says_nothing_new_was_written(tmp_path):
    from pathlib import Path

    sheet = Path(__file__).parent / "data" / "batch" / "sheet.csv"
    out = tmp_path / "out"
    first = invoke(["batch", str(sheet), "-o", str(out), "--no-record"])
    assert first.exit_code == ExitCode.BATCH_PARTIAL
    assert "3 written" in first.stderr and "Nothing new" not in first.stderr
    names = sorted(p.name for p in out.iterdir())
    again = invoke(["batch", str(sheet), "-o", str(out), "--no-record"])
    assert again.exit_code == ExitCode.BATCH_PARTIAL  # the bad rows are still bad
    assert "0 written, 3 already there" in again.stderr
    assert "Nothing new to write" in again.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(names + ["plainte-report-2.csv"])


def test_render_eml_missing_attachment_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = invoke(["render", str(EXAMPLES / "complaint.yaml"), "-o", str(out), "--format", "txt,pdf,eml",
                     "--attach", str(tmp_path / "gone.pdf"), "--no-record", "-q"])
    assert result.exit_code == ExitCode.USAGE
    assert "gone.pdf" in result.output
    assert not out.exists()


def test_render_eml_without_an_email_channel_says_so_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = invoke(["render", str(EXAMPLES / "already-paid.yaml"), "-o", str(out), "--format", "eml", "--no-record", "-q"])
    assert result.exit_code == ExitCode.USAGE
    assert "Intrum" in result.output and "e-mail" in result.output
    assert not out.exists()
    fr = invoke(["--ui-lang", "fr", "render", str(EXAMPLES / "already-paid.yaml"), "-o", str(out), "--format", "eml", "--no-record", "-q"])
    assert "par e-mail" in fr.output and not out.exists()


def test_render_eml_attaches_the_answers_file_attachments(tmp_path):
    import email
    import email.policy

    import yaml

    (tmp_path / "proof.png").write_bytes(b"\x89PNG proof")
    data = yaml.safe_load((EXAMPLES / "complaint.yaml").read_text(encoding="utf-8"))
    data["attachments"] = ["proof.png"]
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(["render", str(answers), "-o", str(out), "--format", "eml", "--no-record", "-q"])
    assert result.exit_code == 0, result.output
    (path,) = out.iterdir()
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert [p.get_filename() for p in msg.iter_attachments()][1:] == ["proof.png"]
    assert msg["Subject"] and msg["Date"] and msg["Message-ID"]
    assert msg.get_body(("plain",)) is not None and msg.get_body(("html",)) is not None


@pytest.mark.parametrize("lang,complaint,letter", [("fr", "1. Plainte : ", "Courrier : "), ("nl", "1. Klacht: ", "Brief: "),
                                                   ("en", "1. Complaint: ", "Letter: ")])
def test_institution_labels_follow_the_ui_languages_punctuation(lang, complaint, letter):
    out = invoke(["--ui-lang", lang, "institutions", "carrefour-banque"], terminal_width=200).output
    assert complaint in out and letter in out
    if lang == "fr":
        assert "Plainte:" not in out and "Courrier:" not in out and "Médiation : " in out
        questions = invoke(["--ui-lang", lang, "disputes", "already-paid"], terminal_width=200).output
        assert "payment-date (date) : " in questions


@pytest.mark.parametrize("args", [["--ui-lang", "de", "institutions"], ["--ui-lang=de", "--help"], ["disputes", "--ui-lang", "xx"],
                                  ["--ui-lang", "", "--version"]])
def test_an_unsupported_ui_language_is_a_usage_error_in_the_detected_language(args):
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "PLAINTE_LANG")}
    for lang, expected in (("fr_BE.UTF-8", "Erreur : valeur non valide pour --ui-lang"), ("nl_BE.UTF-8", "Fout: ongeldige waarde voor --ui-lang"),
                           ("C.UTF-8", "Error: invalid value for --ui-lang")):
        result = subprocess.run([sys.executable, "-m", "plainte", *args], capture_output=True, text=True,
                                env=dict(env, LANG=lang), timeout=60)
        assert result.returncode == ExitCode.USAGE, result.stderr
        assert expected in result.stderr and "fr, nl, en" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_top_level_help_is_the_one_typer_builds_from_the_whole_tree(lang):
    """`plainte --help` converts the commands without their parameters (start-up): the listing must not change."""
    from plainte.cli import _only_invoked

    args = ["--ui-lang", lang, "--help"]
    setup_language(args)
    full = CliRunner().invoke(build_app(), args)
    listed = CliRunner().invoke(_only_invoked(build_app(), args), args)
    assert full.exit_code == listed.exit_code == 0
    assert listed.output == full.output and "cases" in listed.output and "render" in listed.output
    unknown = CliRunner().invoke(_only_invoked(build_app(), ["nowhere"]), ["nowhere"])
    assert unknown.exit_code == ExitCode.USAGE
