"""Answer dates: a deadline only where the catalogue gives the period (law, or the institution's commitment);
otherwise plainte's own follow-up default, worded as a reminder date on every screen and marked so in the JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from plainte.answers import load_answers
from plainte.cases import open_store, record_letter, show_case, update_case, due_cases
from plainte.errors import NotYetError
from plainte.escalation import next_letter
from plainte.i18n import set_ui_language
from plainte.interview import build_case
from plainte.plan import make_plan

D = dt.date
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "cases.sqlite3")
    yield s
    s.close()


def write(store, cat, answers, today, sent):
    case = build_case(answers, cat, today=today)
    plan = make_plan(case, cat)
    cid, _ = record_letter(store, case, plan, [Path("letter.txt")], answers, sent=sent)
    return cid, case, plan


def ombudsfin_request() -> dict:
    """Luc asks Ombudsfin to mediate (no answer period for Ombudsfin in the catalogue)."""
    return load_answers(EXAMPLES / "mediation-request.yaml")


def stellantis_complaint() -> dict:
    """A complaint to Stellantis FS Belux, which commits to answer within one month."""
    return load_answers(EXAMPLES / "complaint.yaml")


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_store_says_which_dates_come_from_the_catalogue(store, cat):
    mediation_id, _case, plan = write(store, cat, ombudsfin_request(), D(2026, 11, 21), D(2026, 11, 23))
    assert not plan.answer_from_catalogue
    step = show_case(store, mediation_id).last
    assert step.answer_due_kind == "reminder" and not step.answer_deadline
    assert step.to_dict()["answer_due_kind"] == "reminder"
    assert show_case(store, mediation_id).summary.next_kind == "answer-reminder"
    complaint_id, _case, plan = write(store, cat, stellantis_complaint(), D(2026, 11, 21), D(2026, 11, 21))
    assert plan.answer_from_catalogue
    step = show_case(store, complaint_id).last
    assert step.answer_due_kind == "deadline" and step.to_dict()["answer_due_kind"] == "deadline"
    update_case(store, complaint_id, acknowledged=D(2026, 11, 24))
    assert show_case(store, complaint_id).summary.next_kind == "answer"


def test_a_later_sending_day_keeps_the_kind(store, cat):
    cid, _case, _plan = write(store, cat, ombudsfin_request(), D(2026, 11, 21), None)
    moved = update_case(store, cid, sent=D(2026, 11, 25), cat=cat).last
    assert moved.answer_due_kind == "reminder" and moved.answer_due > D(2026, 12, 1)


@pytest.mark.parametrize("lang, forbidden", [
    ("en", ("has until", "deadline of")),
    ("fr", ("a jusqu'au",)),
    ("nl", ("heeft tot",)),
])
def test_escalating_early_names_no_deadline_for_ombudsfin(store, cat, lang, forbidden):
    cid, _case, plan = write(store, cat, ombudsfin_request(), D(2026, 11, 21), D(2026, 11, 23))
    set_ui_language(lang)
    with pytest.raises(NotYetError) as info:
        next_letter(store, cid, cat, D(2026, 11, 30))
    said = str(info.value)
    assert not any(f in said for f in forbidden), said
    assert {"en": "No answer period is known", "fr": "Aucun délai de réponse n'est connu",
            "nl": "geen antwoordtermijn bekend"}[lang] in said
    # the screen names the body in the UI language
    assert {"en": "for Ombudsfin,", "fr": "Ombudsfin – Ombudsman en conflits financiers",
            "nl": "Ombudsfin – Ombudsman in financiële geschillen"}[lang] in said
    early = next_letter(store, cid, cat, D(2026, 11, 30), now=True)
    assert early.answer_due_kind == "reminder" and early.to_dict()["answer_due_kind"] == "reminder"
    assert not any(f in w for w in early.warnings for f in forbidden)


def test_escalating_early_still_states_a_catalogue_deadline(store, cat):
    cid, _case, plan = write(store, cat, stellantis_complaint(), D(2026, 11, 21), D(2026, 11, 21))
    with pytest.raises(NotYetError) as info:
        next_letter(store, cid, cat, plan.answer_due)
    assert "has until" in str(info.value)
    assert next_letter(store, cid, cat, plan.answer_due, now=True).to_dict()["answer_due_kind"] == "deadline"


def test_due_after_a_reminder_date_asks_for_news_not_the_regulator(store, cat):
    cid, _case, plan = write(store, cat, ombudsfin_request(), D(2026, 11, 21), D(2026, 11, 23))
    assert due_cases(store, plan.answer_due) == []
    [due] = due_cases(store, plan.answer_due + dt.timedelta(days=1), cat)
    assert due.situation == "check-answer" and due.to_dict()["case"]["next_kind"] == "answer-reminder"
    assert "deadline" not in due.message and "escalate" not in due.message
    assert "no answer period that plainte knows of" in due.message and "Ombudsfin" in due.message
    assert due.command == f"plainte cases update {cid} --answered DATE"


def test_due_after_a_reminder_to_the_institution_may_escalate(store, cat):
    answers = stellantis_complaint()
    answers["institution"] = "belfius"
    answers.pop("segment", None)
    answers["references"] = {"contract_number": "730-4412876-19"}
    cid, _case, plan = write(store, cat, answers, D(2026, 11, 21), D(2026, 11, 21))
    assert not plan.answer_from_catalogue
    [due] = due_cases(store, plan.answer_due + dt.timedelta(days=1))
    assert due.situation == "check-answer" and "deadline" not in due.message
    assert due.command == f"plainte cases escalate {cid}"


def test_due_after_a_catalogue_deadline_says_deadline(store, cat):
    cid, _case, plan = write(store, cat, stellantis_complaint(), D(2026, 11, 21), D(2026, 11, 21))
    update_case(store, cid, acknowledged=D(2026, 11, 24))
    [due] = due_cases(store, plan.answer_due + dt.timedelta(days=1))
    assert due.situation == "no-answer" and "deadline" in due.message


@pytest.fixture
def invoke(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from plainte.cli import build_app, setup_language

    monkeypatch.setenv("PLAINTE_DB", str(tmp_path / "cases.sqlite3"))

    def run(lang: str, *args: str):
        argv = ["--ui-lang", lang, *args]
        setup_language(argv)
        return CliRunner().invoke(build_app(), argv)

    return run


@pytest.mark.parametrize("lang, reminder, deadline", [
    ("en", "a reminder date, not a deadline", "An answer is due by"),
    ("fr", "une date de rappel, pas un délai", "Une réponse est attendue au plus tard"),
    ("nl", "een herinneringsdatum, geen termijn", "Een antwoord wordt verwacht"),
])
def test_screens_word_a_reminder_as_a_reminder(tmp_path, invoke, lang, reminder, deadline):
    out = tmp_path / "out"
    rendered = invoke(lang, "render", str(EXAMPLES / "mediation-request.yaml"), "-o", str(out))
    assert rendered.exit_code == 0, rendered.output
    said = flat(rendered.output)
    assert reminder in said and deadline not in said
    assert invoke(lang, "cases", "update", "1", "--sent", "2026-11-23").exit_code == 0
    shown = flat(invoke(lang, "cases", "show", "1").output)
    assert {"en": "day to check for an answer (a reminder, not a deadline)",
            "fr": "date pour vérifier la réponse (un rappel, pas un délai)",
            "nl": "dag om na te gaan of er een antwoord is (een herinnering, geen termijn)"}[lang] in shown
    data = json.loads(invoke(lang, "cases", "show", "1", "--json").output)
    assert data["next_kind"] == "answer-reminder" and data["steps"][0]["answer_due_kind"] == "reminder"
    complaint = invoke(lang, "render", str(EXAMPLES / "complaint.yaml"), "-o", str(out))
    assert deadline in flat(complaint.output) and reminder not in flat(complaint.output)


def test_the_wizard_next_steps_word_a_reminder_as_a_reminder(cat):
    from plainte.new_command import _next_steps

    said: list[str] = []

    class Asker:
        def say(self, text: str, style: str = "") -> None:
            said.append(text)

    case = build_case(ombudsfin_request(), cat, today=D(2026, 11, 21))
    _next_steps(Asker(), case, make_plan(case, cat), cat)
    text = flat(" ".join(said))
    assert "No answer period is known for Ombudsfin: check on" in text and "not a deadline" in text
    assert "An answer is due" not in text
    said.clear()
    case = build_case(stellantis_complaint(), cat, today=D(2026, 11, 21))
    _next_steps(Asker(), case, make_plan(case, cat), cat)
    text = flat(" ".join(said))
    assert "An answer is due by" in text and "not a deadline" not in text


def test_letters_ask_for_an_answer_date_only_as_a_request(cat):
    """Without a catalogue period the letter to the institution asks for an answer by a date (a request), and a
    letter to an ombudsman only asks it to confirm receipt."""
    from plainte.compose import render_letter

    answers = ombudsfin_request()
    answers["language"] = "fr"
    case = build_case(answers, cat, today=D(2026, 11, 21))
    text = flat(render_letter(case, cat, "txt", make_plan(case, cat)))
    assert "Je vous remercie de bien vouloir accuser réception de la présente demande." in text
    assert "au plus tard le" not in text
    answers = stellantis_complaint()
    answers.update(institution="belfius", language="fr", references={"contract_number": "730-4412876-19"})
    answers.pop("segment", None)
    case = build_case(answers, cat, today=D(2026, 11, 21))
    plan = make_plan(case, cat)
    assert not plan.answer_from_catalogue
    assert "Je vous saurais gré de me faire parvenir votre réponse écrite au plus tard le" in flat(
        render_letter(case, cat, "txt", plan))
