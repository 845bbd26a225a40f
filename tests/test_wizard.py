"""The wizard driven by a scripted asker (no terminal): every dispute, back, edits, drafts, stop."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
import yaml

from plainte.compose import render_letter
from plainte.drafts import DraftStore
from plainte.interview import build_case, get
from plainte.resources import PACKAGE_DIR
from plainte.wizard import BACK, Stop, Wizard

EXAMPLES = sorted((PACKAGE_DIR.parent.parent / "examples").glob("*.yaml"))
TODAY = dt.date(2026, 11, 21)


def as_text(value):
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return value
    return "" if value is None else str(value)


class ScriptedAsker:
    """Answers each question from an answers mapping, found by the question's text."""

    def __init__(self, answers: dict, overrides: list | None = None):
        self.answers = answers
        self.overrides = list(overrides or [])  # (question key, value) consumed in order
        self.wizard: Wizard | None = None
        self.asked: list[str] = []
        self.said: list[str] = []
        self.defaults: dict[str, list] = {}

    def key_for(self, message: str) -> str:
        for slot in self.wizard.current_slots():
            if message.startswith(slot.text()):
                return slot.key
        if message.startswith("Langue"):
            return "ui-language"
        return message

    def value(self, key, default):
        self.asked.append(key)
        self.defaults.setdefault(key, []).append(default)
        if self.overrides and self.overrides[0][0] == key:
            return self.overrides.pop(0)[1]
        if key == "ui-language":
            return "en"
        if key.startswith("__"):
            return default
        value = get(self.answers, key)
        return default if value is None else value

    def choose(self, message, choices, default, back):
        if message.startswith("Is everything right"):
            return self.value("__review", "write")
        if message.startswith("Which answer do you want to change"):
            return self.value("__change", None)
        if message.startswith("This document is needed"):
            return self.value("__needed", "continue")
        return self.value(self.key_for(message), default)

    def text(self, message, default, validate, help, back):
        key = self.key_for(message)
        value = as_text(self.value(key, default))
        error = validate(value)
        assert error is None, (key, value, error)
        return value

    def confirm(self, message, default, back):
        if message.startswith("Do you have this document"):
            evidence = self.answers.get("evidence") or []
            for eid, label in self._evidence_labels():
                if label in message:
                    return eid in evidence
            return False
        return bool(self.value(self.key_for(message), default))

    def _evidence_labels(self):
        from plainte.i18n import pick

        cat = self.wizard.cat
        return [(eid, pick(e.label)) for eid, e in cat.evidence.items()]

    def multi(self, message, choices, defaults):
        return ["txt"]

    def say(self, text, style=""):
        self.said.append(text)


def drive(cat, answers, overrides=None, given=None, draft=None):
    asker = ScriptedAsker(answers, overrides)
    wizard = Wizard(cat, asker, answers=given or {}, draft=draft, today=TODAY)
    asker.wizard = wizard
    return wizard, asker, wizard.run(ask_output=False, from_file=given is not None)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_dispute_through_the_wizard(cat, path):
    expected = yaml.safe_load(path.read_text(encoding="utf-8"))
    wizard, asker, result = drive(cat, expected)
    case = build_case(result.answers, cat, today=TODAY)
    direct = build_case(expected, cat, today=TODAY)
    assert case.dispute.id == expected["dispute"]
    assert render_letter(case, cat, "txt") == render_letter(direct, cat, "txt")


def test_back_goes_to_the_previous_question_and_keeps_its_answer(cat):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    overrides = [("writer_role", "consumer"), ("institution", "intrum-be"), ("dispute", BACK),
                 ("institution", "intrum-be")]
    wizard, asker, result = drive(cat, expected, overrides)
    assert asker.asked[:5] == ["ui-language", "writer_role", "institution", "dispute", "institution"]
    assert asker.defaults["institution"][-1] == "intrum-be"  # asked again with its answer kept
    assert result.answers["dispute"] == "already-paid"


def test_changing_an_answer_reasks_only_what_it_invalidates(cat):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    overrides = [("__review", "change"), ("__change", "facts.paid-to"), ("facts.paid-to", "creditor")]
    wizard, asker, result = drive(cat, expected, overrides)
    after_review = asker.asked[asker.asked.index("__review") + 1:]
    # only the edited answer is asked again (no other question depends on it), then the review
    assert [k for k in after_review if not k.startswith("__")] == ["facts.paid-to"]
    assert result.answers["facts"]["paid-to"] == "creditor"
    assert result.answers["facts"]["amount-paid"] == expected["facts"]["amount-paid"]


def test_changing_the_dispute_drops_answers_that_no_longer_apply(cat):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    wizard, asker, result = drive(cat, expected)
    wizard.answers["dispute"] = "payment-plan"
    wizard._prune()
    facts = wizard.answers["facts"]
    assert "paid-to" not in facts and "amount-paid" not in facts
    assert facts.get("claimed-amount") == expected["facts"]["claimed-amount"]  # shared question kept
    assert "facts.monthly-amount" == wizard.pending().key


def test_answers_file_prefills_and_only_the_missing_is_asked(cat):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    given = {k: v for k, v in expected.items() if k != "sender"}
    wizard, asker, result = drive(cat, expected, given=given)
    asked = [k for k in asker.asked if not k.startswith(("__", "Does the demand add costs")) and k != "ui-language"]
    assert asked and all(k.startswith("sender.") or k in ("evidence",) for k in asked), asked


def test_draft_is_saved_after_every_answer_with_0600(cat, tmp_path):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    store = DraftStore(tmp_path / "draft.json")
    overrides = [("__review", "stop")]
    with pytest.raises(Stop):
        drive(cat, expected, overrides, draft=store)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    saved = store.load()
    assert saved["answers"]["facts"]["amount-paid"] == expected["facts"]["amount-paid"]
    assert "sender.name" in saved["done"]


def stopped_for_a_document(cat, tmp_path) -> tuple[dict, DraftStore]:
    """The already-paid example without its documents, stopped at the needed proof: its answers, the draft kept."""
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    expected["evidence"] = []
    store = DraftStore(tmp_path / "draft.json")
    with pytest.raises(Stop):
        drive(cat, expected, [("__needed", "stop")], draft=store)
    return expected, store


def test_missing_required_proof_can_stop_and_keep_a_draft(cat, tmp_path):
    _expected, store = stopped_for_a_document(cat, tmp_path)
    assert store.load()["answers"]["dispute"] == "already-paid"


def test_waiting_period_is_advised(cat):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    expected["facts"]["paid-to"] = "creditor"
    expected["facts"]["payment-date"] = "19/11/2026"
    wizard, asker, result = drive(cat, expected)
    advice = [s for s in asker.said if s.startswith("Wait:")]
    assert advice and "26 November 2026" in advice[0]  # 5 business days after 19/11/2026


def test_cost_check_is_offered_for_a_belgian_demand(cat):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    question = "Does the demand add costs (damages, reminder fees, collection fees)? Check them against Belgian law?"
    overrides = [(question, True), ("What is the debt for?", "consumer-goods-services"),
                 ("Outstanding balance, without the costs", "650"), ("Damages or penalty clause claimed (optional)", "100"),
                 ("Number of reminders charged (optional)", "3"), ("Total claimed for the reminders (optional)", "30"),
                 ("Collection agency fees claimed (optional)", "40")]
    wizard, asker, result = drive(cat, expected, overrides)
    said = "\n".join(asker.said)
    assert "legal maximum €72.50" in said and "excess €27.50" in said  # damages on 650
    assert "legal maximum €15.00" in said  # 2 paid reminders at 7.50
    assert "Excessive costs" in said


@pytest.mark.parametrize(("debt", "expected"), [
    ("consumer-credit", "caps are not established"),
    ("business", "does not apply to a business debt"),
])
def test_cost_check_asserts_no_cap_outside_consumer_goods(cat, debt, expected):
    answers = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    question = "Does the demand add costs (damages, reminder fees, collection fees)? Check them against Belgian law?"
    overrides = [(question, True), ("What is the debt for?", debt),
                 ("Outstanding balance, without the costs", "650"), ("Damages or penalty clause claimed (optional)", "100"),
                 ("Number of reminders charged (optional)", "0"), ("Total claimed for the reminders (optional)", ""),
                 ("Collection agency fees claimed (optional)", "")]
    _wizard, asker, _result = drive(cat, answers, overrides)
    said = "\n".join(asker.said)
    assert expected in said and "legal maximum €" not in said


def test_the_output_question_offers_a_pdf_for_a_window_envelope(cat):
    class FormatAsker(ScriptedAsker):
        offered: list = []

        def multi(self, message, choices, defaults):
            self.offered = [key for key, _label in choices]
            return ["pdf"]

    data = yaml.safe_load((EXAMPLES[0]).read_text(encoding="utf-8"))
    asker = FormatAsker(data)
    wizard = Wizard(cat, asker, answers={}, today=TODAY)
    asker.wizard = wizard
    result = wizard.run(ask_output=True)
    assert sorted(asker.offered) == ["html", "md", "pdf", "txt"]
    assert result.formats == ["pdf"]


class EvidenceAsker:
    """Answers the evidence step from a list of replies, logging what is shown and asked, in order."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.log: list[tuple[str, object]] = []

    def say(self, text, style=""):
        self.log.append(("say", text))

    def confirm(self, message, default, back):
        self.log.append(("confirm", (message, default, back)))
        return self.replies.pop(0)

    def choose(self, message, choices, default, back):
        self.log.append(("choose", message))
        return self.replies.pop(0)


def test_evidence_is_explained_before_the_question_and_back_returns_to_the_previous_document(cat):
    from plainte.evidence_step import ask_evidence

    answers = {"institution": "intrum-be", "dispute": "already-paid", "facts": {"paid-to": "collector"}}
    # proof of payment: yes; the demand: back; proof of payment again: no, go on; the demand: yes
    asker = EvidenceAsker([True, BACK, False, "continue", True])
    have = ask_evidence(asker, cat, answers, back=True, keep=lambda have: None)
    assert have == ["demand-letter"]
    first_question = next(n for n, (kind, _v) in enumerate(asker.log) if kind == "confirm")
    shown_before = " ".join(v for kind, v in asker.log[:first_question] if kind == "say")
    assert "What counts as good proof" in shown_before and "Not enough" in shown_before  # a transfer order is not proof
    confirms = [v for kind, v in asker.log if kind == "confirm"]
    assert confirms[0][1] is None  # nothing presumed: the person says whether they have it
    assert confirms[1][2] is True  # the second document offers back
    assert confirms[2][1] is True  # back to the first document: its answer is kept


def test_stopping_for_a_document_then_resuming_asks_the_evidence_step_again(cat, tmp_path):
    expected, store = stopped_for_a_document(cat, tmp_path)
    saved = store.load()
    expected["evidence"] = ["proof-of-payment"]  # the person found the document
    asker = ScriptedAsker(expected)
    wizard = Wizard(cat, asker, answers=saved["answers"], done=saved["done"], draft=store, today=TODAY)
    asker.wizard = wizard
    result = wizard.run(ask_language=False, ask_output=False)
    assert "sender.name" in asker.asked and "facts.paid-to" not in asker.asked  # answered before the stop
    assert result.answers["evidence"] == ["proof-of-payment"]


def test_the_letter_date_defaults_to_the_end_of_the_waiting_period(cat):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    expected["facts"].update({"paid-to": "creditor", "payment-date": "19/11/2026"})
    del expected["date"]
    wizard, asker, result = drive(cat, expected)
    assert asker.defaults["date"] == ["26/11/2026"]  # 5 business days after the payment, not TODAY
    assert result.answers["date"] == "26/11/2026"


def test_the_slots_are_worked_out_once_per_answer_and_the_waits_once_for_the_date(cat, monkeypatch):
    from plainte import wizard as wizard_module

    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    expected["facts"].update({"paid-to": "creditor", "payment-date": "19/11/2026"})
    del expected["date"]
    calls = {"slots": 0, "waits": 0}
    real_slots, real_waits = wizard_module.slots, wizard_module.waits

    def counted_slots(*args, **kwargs):
        calls["slots"] += 1
        return real_slots(*args, **kwargs)

    def counted_waits(*args, **kwargs):
        calls["waits"] += 1
        return real_waits(*args, **kwargs)

    monkeypatch.setattr(wizard_module, "slots", counted_slots)
    wizard = Wizard(cat, ScriptedAsker(expected), today=TODAY)
    wizard.current_slots(), wizard.current_slots()
    assert calls["slots"] == 1  # the same answers: the same slots
    wizard.record(next(s for s in wizard.current_slots() if s.key == "writer_role"), "consumer")
    wizard.current_slots()
    assert calls["slots"] == 2  # a new answer: worked out again
    monkeypatch.setattr(wizard_module, "waits", counted_waits)
    wizard, asker, result = drive(cat, expected)
    date_slot = next(s for s in wizard.current_slots() if s.key == "date")
    calls["waits"] = 0
    wizard.ask(date_slot, True)
    assert calls["waits"] == 1


def test_a_past_fact_dated_after_the_letter_is_refused(cat):
    from plainte.errors import AnswersError

    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    expected["facts"]["payment-date"] = "01/12/2026"  # the letter is dated 21/11/2026
    with pytest.raises(AnswersError) as err:
        build_case(expected, cat, today=TODAY)
    assert [p.field for p in err.value.problems] == ["facts.payment-date"]
    payment_plan = yaml.safe_load((EXAMPLES[0].parent / "payment-plan.yaml").read_text(encoding="utf-8"))
    assert build_case(payment_plan, cat, today=TODAY).facts["first-payment-date"] > TODAY  # an offer may lie ahead


def test_an_answer_from_the_file_that_is_not_accepted_is_asked_again_saying_why(cat):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    given = {**expected, "sender": {**expected["sender"], "postal_code": "99999"}}
    wizard, asker, result = drive(cat, expected, given=given)
    said = "\n".join(asker.said)
    assert "answers taken from the file" in said
    assert "Not accepted:" in said and "postal code" in said
    assert [k for k in asker.asked if not k.startswith("__") and k != "ui-language" and "costs" not in k] == ["sender.postal_code"]


def test_review_shows_readable_answers_and_back_from_the_change_list_returns_to_it(cat):
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    overrides = [("__review", "change"), ("__change", BACK), ("__review", "write")]
    wizard, asker, result = drive(cat, expected, overrides)
    assert asker.asked.count("__review") == 2
    review = "\n".join(asker.said)
    assert "Who is writing: I am writing for myself" in review and "?:" not in review
    assert "What is the problem: Already paid\n" in review + "\n"  # the label, not the long explanation


def test_changing_the_dispute_at_the_review_asks_its_new_questions_and_documents_only(cat):
    paid = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    plan = yaml.safe_load((EXAMPLES[0].parent / "payment-plan.yaml").read_text(encoding="utf-8"))
    person = {**paid, "facts": {**paid["facts"], **plan["facts"]}, "evidence": plan["evidence"]}
    overrides = [("__review", "change"), ("__change", "dispute"), ("dispute", "payment-plan")]
    wizard, asker, result = drive(cat, person, overrides)
    after = asker.asked[asker.asked.index("__change") + 1:]
    new_questions = {f"facts.{q.id}" for q in cat.disputes["payment-plan"].questions} - {f"facts.{k}" for k in paid["facts"]}
    assert set(after) - {"dispute", "__review"} <= new_questions  # the sender, the references ... are not asked again
    assert result.answers["evidence"] == ["budget", "demand-letter"]  # the budget is asked about: it applies now
    assert build_case(result.answers, cat, today=TODAY).dispute.id == "payment-plan"


def test_plain_mode_shows_user_text_inert():
    import io

    from plainte.prompts import PlainAsker

    out = io.StringIO()
    asker = PlainAsker(stdin=io.StringIO("1\n"), stdout=out)
    hostile = "\x1b[31mProximus\x1b[0m [bold]SA[/bold] \x07"
    asker.say(hostile)
    assert asker.choose("Creditor", [("a", hostile, hostile)], None, False) == "a"
    shown = out.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "[31mProximus[0m [bold]SA[/bold]" in shown  # shown as the characters typed, not as colour or bold


def test_what_happens_next_names_the_first_day_to_send_when_the_letter_is_dated_later(cat):
    from plainte.new_command import _next_steps
    from plainte.plan import make_plan

    class Listener:
        said: list = []

        def say(self, text, style=""):
            self.said.append(text)

    answers = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    later = dt.date.today() + dt.timedelta(days=30)
    answers["date"] = later.isoformat()
    answers["facts"]["payment-date"] = (later - dt.timedelta(days=1)).isoformat()  # still waiting on the letter's day
    case = build_case(answers, cat, today=later)
    plan = make_plan(case, cat)
    listener = Listener()
    _next_steps(listener, case, plan, cat)
    said = "\n".join(listener.said)
    assert ("Do not send it before" in said) or ("send it that day, not before" in said)


def test_the_waiting_period_shown_uses_the_calendar_of_the_plan(cat):
    """An institution outside BE and FR: the business days are the sender's country's, on the screen as in the plan."""
    from plainte.deadlines import add_business_days
    from plainte.wizard_screens import waits

    answers = {"institution": "other", "institution_kind": "collector", "institution_country": "NL",
               "dispute": "already-paid", "sender": {"country": "FR"},
               "facts": {"paid-to": "collector", "payment-date": "13/07/2026"}}
    french = add_business_days(dt.date(2026, 7, 13), 3, "FR")  # 14 July is a holiday in France, not in Belgium
    assert french != add_business_days(dt.date(2026, 7, 13), 3, "BE")
    assert [day for day, _why in waits(cat, answers, dt.date(2026, 7, 14))] == [french]


def test_review_shows_an_amount_as_the_letter_will_say_it(cat):
    from plainte.i18n import set_ui_language
    from plainte.interview import Slot
    from plainte.wizard_screens import display

    slot = Slot("facts.amount-paid", "money", "Amount")
    try:
        set_ui_language("fr")
        assert display(slot, "1.345,60", cat).replace("\u202f", " ").replace("\xa0", " ") == "1 345,60 €"
        assert display(slot, "1.234", cat) == "1.234"  # ambiguous: shown as typed, the question says why
    finally:
        set_ui_language("en")
    assert display(slot, "1345.6", cat) == "€1,345.60"
    assert display(Slot("dispute", "choice", "What"), ["already-paid"], cat) == "['already-paid']"


def test_the_review_warns_when_own_words_go_into_a_letter_in_another_language(cat):
    from plainte.i18n import set_ui_language
    from plainte.interview import Slot
    from plainte.wizard_screens import own_words_warning

    slots = [Slot("facts.description", "text", "Anything else to explain?", multiline=True), Slot("sender.name", "text", "Your full name")]
    answers = {"language": "nl", "facts": {"description": "Ik heb alles betaald."}, "sender": {"name": "Marie"}}
    try:
        set_ui_language("fr")
        warning = own_words_warning(slots, answers)
        assert "néerlandais" in warning and "Anything else to explain" in warning and "Your full name" not in warning
        assert own_words_warning(slots, {**answers, "language": "fr"}) == ""  # screens and letter in one language
        assert own_words_warning(slots, {**answers, "facts": {}}) == ""  # nothing typed in one's own words
    finally:
        set_ui_language("en")
    expected = yaml.safe_load((EXAMPLES[0].parent / "already-paid.yaml").read_text(encoding="utf-8"))
    expected["facts"]["description"] = "Le paiement a été fait le 3 novembre."
    _wizard, asker, _result = drive(cat, expected)
    assert any("The letter will be in French" in s and "Le paiement" not in s for s in asker.said)
