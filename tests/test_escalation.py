"""Escalation: a case walked up its ladder, refused before the answer deadline, warned near the one-year limit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plainte.cases import open_store, record_letter, show_case, update_case
from plainte.compose import render_letter
from plainte.errors import ExitCode, NotYetError, UsageError
from plainte.escalation import fill, next_letter, next_step_limit
from plainte.interview import build_case, missing
from plainte.plan import make_plan

D = dt.date

SENDER = {"name": "Thomas Jacobs", "street": "Rue Saint-Gilles 27", "postal_code": "4000", "city": "Liège", "country": "BE",
          "email": "thomas.jacobs@example.be"}


def complaint(institution="stellantis-fs-belux", date="2026-12-18", sending="email", product="credit", **extra) -> dict:
    answers = {
        "institution": institution, "dispute": "complaint", "language": "en", "date": date, "sending": sending,
        "writer_role": "consumer", "sender": dict(SENDER), "references": {"contract_number": "SFS-BE-2024-118573"},
        "facts": {"subject": "Instalment taken twice", "product": product, "facts-date": "2026-09-05",
                  "description": "The September instalment was debited twice.", "expectation": "A refund of €312.45.",
                  "amount": "312,45"},
        "evidence": ["contract"],
    }
    if institution == "stellantis-fs-belux":
        answers["segment"] = "private"
    answers.update(extra)
    return answers


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "cases.sqlite3")
    yield s
    s.close()


def write(store, cat, answers, today, case_id=None, sent=None):
    """What `plainte render` / `cases escalate` do: build, plan, (write), record."""
    case = build_case(answers, cat, today=today)
    plan = make_plan(case, cat)
    cid, _ = record_letter(store, case, plan, [Path(f"{case.dispute.id}.txt")], answers, case_id=case_id, sent=sent)
    return cid, case, plan


def test_stellantis_case_walked_from_complaint_to_ombudsfin(store, cat):
    # 1. the complaint, sent by e-mail on Friday 18 December 2026
    case_id, case, plan = write(store, cat, complaint(), D(2026, 12, 18), sent=D(2026, 12, 18))
    assert plan.acknowledge_due == D(2026, 12, 28)  # 5 business days: 25 December is a holiday
    assert plan.answer_due == D(2027, 1, 18)  # one month
    # 2. too early: refused with the date it becomes possible
    with pytest.raises(NotYetError) as info:
        next_letter(store, case_id, cat, D(2027, 1, 18))
    assert info.value.exit_code == ExitCode.NOT_YET == 6
    assert "18 January 2027" in str(info.value) and "19 January 2027" in str(info.value) and "--now" in str(info.value)
    # ... unless now, with a warning
    early = next_letter(store, case_id, cat, D(2027, 1, 5), now=True)
    assert early.level == "complaint-review" and any("before the answer deadline" in w for w in early.warnings)
    # 3. after the deadline without an answer: why-unsatisfied must come from the person
    esc = next_letter(store, case_id, cat, D(2027, 1, 19))
    assert (esc.level, esc.dispute, esc.body) == ("complaint-review", "complaint-review", None)
    assert esc.possible_from == D(2027, 1, 19)
    assert [p.field for p in esc.missing] == ["facts.why-unsatisfied"]
    assert esc.answers["facts"]["answer-received"] is False and "answer-date" not in esc.answers["facts"]
    # 4. the answer came (a refusal): an answer counts as now; the letter quotes it as the institution's answer and
    # asks the person's own reasons, which the case does not know
    update_case(store, case_id, answered=D(2027, 1, 12), outcome="You refuse to refund the second debit.", reference="PL-2027-0042")
    esc = next_letter(store, case_id, cat, D(2027, 1, 13))
    f = esc.answers["facts"]
    assert f == {"subject": "Instalment taken twice", "complaint-date": "2026-12-18", "answer-received": True,
                 "answer-date": "2027-01-12", "expectation": "A refund of €312.45.",
                 "answer-summary": "You refuse to refund the second debit."}
    assert [p.field for p in esc.missing] == ["facts.why-unsatisfied"]
    assert esc.answers["evidence"] == ["complaint-copy", "institution-answer", "proof-of-sending"]
    assert esc.answers["references"] == {"contract_number": "SFS-BE-2024-118573", "file_number": "PL-2027-0042"}
    assert esc.answers["date"] == "2027-01-13" and esc.answers["sender"] == SENDER
    reasons = "The contract allows one debit a month; the bank statement shows two."
    answers = fill(esc, {"facts": {"why-unsatisfied": reasons}})
    assert missing(answers, cat, today=D(2027, 1, 13)) == []
    review_id, review, review_plan = write(store, cat, answers, D(2027, 1, 13), case_id=case_id, sent=D(2027, 1, 13))
    assert review_id == case_id
    assert review.recipient.service.startswith("Complaints department")
    text = render_letter(review, cat, "txt", review_plan)
    assert "18 December 2026" in text and "12 January 2027" in text and "PL-2027-0042" in text
    flat = " ".join(text.split())
    # the institution's answer as its answer, then the person's reasons, each once
    assert "In substance, your answer is as follows: You refuse to refund the second debit." in flat
    assert "for the following reasons: " + reasons in flat
    assert flat.count("You refuse to refund the second debit.") == 1
    # 5. the review's answer deadline (14 days asked, the step has none) passes without an answer
    assert review_plan.answer_due == D(2027, 1, 27)
    with pytest.raises(NotYetError):
        next_letter(store, case_id, cat, D(2027, 1, 27))
    esc = next_letter(store, case_id, cat, D(2027, 1, 28))
    assert (esc.level, esc.dispute, esc.body) == ("mediation", "mediation-request", "ombudsfin")
    f = esc.answers["facts"]
    assert f["complaint-date"] == "2026-12-18" and f["answer-received"] is True and f["answer-date"] == "2027-01-12"
    assert f["answer-summary"] == "You refuse to refund the second debit."
    assert f["description"] == "The September instalment was debited twice." and f["product"] == "credit"
    assert f["amount"] == "312,45" and f["court-case"] is False
    assert esc.answers["evidence"] == ["complaint-copy", "proof-of-sending", "institution-answer", "contract"]
    assert esc.missing == ()
    [reread] = esc.warnings  # the facts written to Stellantis now go to Ombudsfin
    assert "repeats the facts" in reread and "--save-answers" in reread
    mediation_id, mediation, _plan = write(store, cat, esc.answers, D(2027, 1, 28), case_id=case_id, sent=D(2027, 1, 28))
    assert mediation.recipient.name.startswith("Ombudsfin") and mediation.institution.id == "stellantis-fs-belux"
    detail = show_case(store, case_id)
    assert [s.level for s in detail.steps] == ["complaint", "complaint-review", "mediation"]
    assert [s.status for s in detail.steps] == ["escalated", "escalated", "sent"]
    assert detail.summary.status == "escalated"
    # 6. after the ombudsman: the regulator, reported through ConsumerConnect, no letter
    reg = next_letter(store, case_id, cat, D(2027, 3, 1))
    assert reg.level == "regulator" and reg.answers is None and not reg.has_letter
    assert "consumerconnect.be" in reg.message and "Economic Inspection" in reg.message
    # ... which settles no dispute: court remains, after a lawyer's or legal aid's advice
    assert "Only a court" in reg.message and "legal aid" in reg.message and "pro deo" in reg.message
    with pytest.raises(UsageError):
        fill(reg, {})
    court = next_letter(store, case_id, cat, D(2027, 3, 1), to="court")  # not on Stellantis's ladder: court all the same
    assert (court.level, court.body, court.answers) == ("court", None, None)
    assert court.message.startswith("plainte writes no letter for court.") and "pro deo" in court.message


def test_belfius_review_goes_to_the_negotiator_then_ombudsfin(store, cat):
    case_id, _case, plan = write(store, cat, complaint("belfius", date="2026-12-18", sending="registered"), D(2026, 12, 18),
                                 sent=D(2026, 12, 18))
    assert plan.acknowledge_due is None and not plan.answer_from_catalogue
    esc = next_letter(store, case_id, cat, plan.answer_due + dt.timedelta(days=1))
    answers = fill(esc, {"facts": {"why-unsatisfied": "No answer to date."}})
    assert missing(answers, cat, today=D(2027, 1, 20)) == []
    _id, review, _ = write(store, cat, answers, D(2027, 1, 20), case_id=case_id, sent=D(2027, 1, 20))
    assert review.recipient.service == "Negotiator"
    update_case(store, case_id, answered=D(2027, 2, 1), outcome="The fees stay.")
    esc = next_letter(store, case_id, cat, D(2027, 2, 2))
    assert esc.body == "ombudsfin" and esc.answers["facts"]["answer-summary"] == "The fees stay."
    assert "proof-of-sending" in esc.answers["evidence"]


def test_collector_goes_straight_to_the_regulator(store, cat):
    answers = complaint("intrum-be", sending="registered", product="other",
                        recipient={"street": "Rue Example 1", "postal_code": "1080", "city": "Molenbeek-Saint-Jean", "country": "BE"})
    case_id, _case, _plan = write(store, cat, answers, D(2026, 12, 18), sent=D(2026, 12, 18))
    with pytest.raises(NotYetError):  # the collector still has time to answer
        next_letter(store, case_id, cat, D(2026, 12, 19))
    reg = next_letter(store, case_id, cat, D(2026, 12, 19), now=True)
    assert reg.level == "regulator" and reg.body == "economic-inspection" and "consumerconnect.be" in reg.message
    assert next_letter(store, case_id, cat, D(2027, 1, 7)).level == "regulator"


def test_france_mediator_rules(store, cat):
    answers = complaint("carrefour-banque", date="2027-01-04", sending="registered",
                        recipient={"street": "1 rue Exemple", "postal_code": "91000", "city": "Évry", "country": "FR"})
    del answers["references"]
    case_id, _case, plan = write(store, cat, answers, D(2027, 1, 4), sent=D(2027, 1, 4))
    # no internal review step at Carrefour Banque: straight to its médiateur
    with pytest.raises(NotYetError):
        next_letter(store, case_id, cat, D(2027, 2, 1))
    esc = next_letter(store, case_id, cat, D(2027, 2, 1), now=True)
    assert (esc.level, esc.body) == ("mediation", "carrefour-banque-mediateur")
    assert any("2 months without an answer" in w and "4 March 2027" in w for w in esc.warnings)
    # the médiateur's address is not in the catalogue: the person gives it
    assert {"recipient.street", "recipient.postal_code", "recipient.city"} <= {p.field for p in esc.missing}
    late = next_letter(store, case_id, cat, D(2027, 12, 1))
    assert not any("2 months" in w for w in late.warnings)
    assert any("médiateur" in w and "4 January 2028" in w for w in late.warnings)
    assert any("More than one year" in w for w in next_letter(store, case_id, cat, D(2028, 1, 5)).warnings)
    # after the médiateur: a report to the ACPR (sourced address, no letter: it settles no dispute), then court
    filled = fill(esc, {"recipient": {"street": "1 rue du Médiateur", "postal_code": "75001", "city": "Paris", "country": "FR"}})
    write(store, cat, filled, D(2027, 3, 10), case_id=case_id, sent=D(2027, 3, 10))
    acpr = cat.institutions["acpr"]
    assert acpr.kind == "regulator" and acpr.steps[0].channel("postal", "private").address.street == "4 place de Budapest"
    reg = next_letter(store, case_id, cat, D(2027, 6, 1))
    assert (reg.level, reg.body) == ("regulator", "acpr") and reg.answers is None
    assert "ACPR" in reg.message and "acpr.banque-france.fr" in reg.message and "does not settle" in reg.message
    court = next_letter(store, case_id, cat, D(2027, 6, 1), to="court")
    assert court.level == "court" and court.answers is None and "Juge des contentieux de la protection" in court.message
    assert "legal aid" in court.message and "pro deo" not in court.message  # a Belgian word


def limits(esc) -> tuple[str, ...]:
    """The escalation's warnings but the one asking to reread the facts."""
    return tuple(w for w in esc.warnings if "repeats the facts" not in w)


def test_ombudsfin_one_year_warning(store, cat):
    case_id, _case, _plan = write(store, cat, complaint(), D(2026, 12, 18), sent=D(2026, 12, 18))
    update_case(store, case_id, answered=D(2027, 1, 12), outcome="Refused.")
    assert next_step_limit([("complaint", ""), ("mediation", "ombudsfin")], "complaint", "BE", D(2026, 12, 18)) == D(2027, 12, 18)
    quiet = next_letter(store, case_id, cat, D(2027, 10, 18), to="mediation")
    assert limits(quiet) == ()
    near = limits(next_letter(store, case_id, cat, D(2027, 10, 20), to="mediation"))  # 59 days before the limit
    assert len(near) == 1 and "Ombudsfin" in near[0] and "18 December 2027" in near[0]
    # the internal review does not stop the clock: warned there too
    assert next_letter(store, case_id, cat, D(2027, 11, 1)).warnings == near
    passed = limits(next_letter(store, case_id, cat, D(2027, 12, 19), to="mediation"))
    assert "More than one year" in passed[0]


def test_insurance_goes_to_the_insurance_ombudsman(store, cat):
    case_id, _case, _plan = write(store, cat, complaint(product="insurance"), D(2026, 12, 18), sent=D(2026, 12, 18))
    update_case(store, case_id, answered=D(2027, 1, 5), outcome="Claim refused.")
    esc = next_letter(store, case_id, cat, D(2027, 11, 1), to="mediation")
    assert esc.body == "ombudsman-insurance" and limits(esc) == ()  # no one-year rule known for it
    case = build_case(esc.answers, cat, today=D(2027, 11, 1))
    assert case.recipient.name.startswith("Ombudsman des Assurances")


def test_refusals(store, cat):
    case_id, _case, _plan = write(store, cat, complaint(), D(2026, 12, 18))
    esc = next_letter(store, case_id, cat, D(2027, 1, 19))  # not marked as sent: its date is taken
    assert any("not marked as sent" in w for w in esc.warnings)
    with pytest.raises(UsageError):
        next_letter(store, case_id, cat, D(2027, 1, 19), to="complaint")  # not above the complaint
    update_case(store, case_id, closed=D(2027, 1, 20))
    with pytest.raises(UsageError, match="closed"):
        next_letter(store, case_id, cat, D(2027, 2, 1))
    assert esc.to_dict()["missing"][0]["field"] == "facts.why-unsatisfied"


# -- the earlier letters named, dated, referenced and enclosed -----------------------------------------------------

EARLIER = {
    "en": ("The letters sent so far about this matter:",
           "- Letter of 16 December 2026 (complaint), sent on 18 December 2026, reference PL-7: no answer",
           "- Letter of 19 January 2027 (request for an internal review): answered on 25 January 2027",
           "- Copy of the letter of 16 December 2026 (complaint)",
           "- Copy of the letter of 19 January 2027 (request for an internal review)"),
    "fr": ("Les lettres envoyées jusqu'ici à ce sujet :",
           "- Lettre du 16 décembre 2026 (plainte), envoyée le 18 décembre 2026, référence PL-7 : restée sans réponse",
           "- Lettre du 19 janvier 2027 (demande de réexamen interne) : réponse reçue le 25 janvier 2027",
           "- Copie de la lettre du 16 décembre 2026 (plainte)",
           "- Copie de la lettre du 19 janvier 2027 (demande de réexamen interne)"),
    "nl": ("De brieven die tot nu toe over deze zaak zijn verstuurd:",
           "- Brief van 16 december 2026 (klacht), verstuurd op 18 december 2026, kenmerk PL-7: geen antwoord",
           "- Brief van 19 januari 2027 (verzoek tot interne herziening): beantwoord op 25 januari 2027",
           "- Kopie van de brief van 16 december 2026 (klacht)",
           "- Kopie van de brief van 19 januari 2027 (verzoek tot interne herziening)"),
}


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_escalation_letter_names_and_encloses_the_earlier_letters(store, cat, lang):
    case_id, _case, _plan = write(store, cat, complaint(date="2026-12-16", language=lang), D(2026, 12, 16), sent=D(2026, 12, 18))
    update_case(store, case_id, reference="PL-7")
    esc = next_letter(store, case_id, cat, D(2027, 1, 19))
    review_answers = fill(esc, {"facts": {"why-unsatisfied": "No answer came."}})
    write(store, cat, review_answers, D(2027, 1, 19), case_id=case_id, sent=D(2027, 1, 19))
    update_case(store, case_id, answered=D(2027, 1, 25), outcome="Refused.")
    esc = next_letter(store, case_id, cat, D(2027, 2, 1))
    assert esc.answers["history"] == [
        {"level": "complaint", "date": "2026-12-16", "sent": "2026-12-18", "reference": "PL-7", "answered": None},
        {"level": "complaint-review", "date": "2027-01-19", "sent": "2027-01-19", "reference": "", "answered": "2027-01-25"},
    ]
    mediation = build_case(esc.answers, cat, today=D(2027, 2, 1))
    text = render_letter(mediation, cat, "txt", make_plan(mediation, cat))
    flat = " ".join(text.split())  # the txt letter wraps long lines
    for expected in EARLIER[lang]:
        assert " ".join(expected.split()) in flat, expected
    generic = {"en": "Copy of the earlier written complaint", "fr": "Copie de la plainte écrite précédente",
               "nl": "Kopie van de eerdere schriftelijke klacht"}[lang]
    assert generic not in text  # each letter is listed instead


ANSWERED = {  # the review was answered, the complaint was not: each said of its own letter
    "en": ("Stellantis Financial Services Belux SA has not answered the complaint. Stellantis Financial Services Belux SA "
           "answered the request for an internal review of 19 January 2027 on 25 January 2027."),
    "fr": ("Stellantis Financial Services Belux SA n'a pas répondu à cette plainte. Stellantis Financial Services Belux SA "
           "a répondu le 25 janvier 2027 à la demande de réexamen interne du 19 janvier 2027."),
    "nl": ("Stellantis Financial Services Belux SA heeft niet op de klacht geantwoord. Stellantis Financial Services Belux SA "
           "heeft op 25 januari 2027 geantwoord op het verzoek tot interne herziening van 19 januari 2027."),
}
NEITHER = {
    "en": "has answered neither the complaint nor the request for an internal review of 19 January 2027.",
    "fr": "n'a répondu ni à la plainte ni à la demande de réexamen interne du 19 janvier 2027.",
    "nl": "heeft noch op de klacht, noch op het verzoek tot interne herziening van 19 januari 2027 geantwoord.",
}
COMPLAINT_ONLY = {
    "en": ("answered the complaint on 5 January 2027.", "has not answered the request for an internal review of 19 January 2027."),
    "fr": ("a répondu à cette plainte le 5 janvier 2027.", "n'a pas répondu à la demande de réexamen interne du 19 janvier 2027."),
    "nl": ("heeft op 5 januari 2027 op de klacht geantwoord.", "heeft niet geantwoord op het verzoek tot interne herziening van 19 januari 2027."),
}


def _mediation_text(store, cat, lang, answered_complaint, answered_review, today):
    case_id, _case, _plan = write(store, cat, complaint(date="2026-12-16", language=lang), D(2026, 12, 16), sent=D(2026, 12, 18))
    if answered_complaint:
        update_case(store, case_id, answered=answered_complaint, outcome="Refused.")
    esc = next_letter(store, case_id, cat, D(2027, 1, 19), to="complaint-review")
    write(store, cat, fill(esc, {"facts": {"why-unsatisfied": "No answer came."}}), D(2027, 1, 19), case_id=case_id, sent=D(2027, 1, 19))
    if answered_review:
        update_case(store, case_id, answered=answered_review, outcome="Refused.")
    esc = next_letter(store, case_id, cat, today)
    mediation = build_case(esc.answers, cat, today=today)
    return " ".join(render_letter(mediation, cat, "txt", make_plan(mediation, cat)).split())


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_mediation_letter_says_which_letter_was_answered(store, cat, lang):
    text = _mediation_text(store, cat, lang, None, D(2027, 1, 25), D(2027, 2, 1))
    assert ANSWERED[lang] in text
    assert {"en": "answered the complaint on", "fr": "a répondu à cette plainte", "nl": "2027 op de klacht geantwoord"}[lang] not in text


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_mediation_letter_states_each_silence(store, cat, lang):
    assert NEITHER[lang] in _mediation_text(store, cat, lang, None, None, D(2027, 2, 10))


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_mediation_letter_answer_to_the_complaint_then_silence(store, cat, lang):
    text = _mediation_text(store, cat, lang, D(2027, 1, 5), None, D(2027, 2, 10))
    answered, silent = COMPLAINT_ONLY[lang]
    assert answered in text and silent in text


@pytest.mark.parametrize(("history", "field"), [
    ("a letter", "history"),
    ([{"level": "letter", "date": "2026-12-16"}], "history[0].level"),
    ([{"level": "complaint"}], "history[0].date"),
    ([{"level": "complaint", "date": "2026-12-16", "sent": "2026-12-10"}], "history[0].sent"),
    ([{"level": "complaint", "date": "2026-12-16", "answered": "2026-12-01"}], "history[0].answered"),
    ([{"level": "complaint", "date": "2026-12-16", "who": "me"}], "history[0].who"),
])
def test_history_answers_are_checked(cat, history, field):
    problems = missing(complaint(history=history), cat, today=D(2026, 12, 20))
    assert [p.field for p in problems] == [field]


def test_an_answer_before_the_sending_day_is_refused_naming_that_day():
    """The answer is checked against the day the letter was sent, when given: the message names that day."""
    from plainte.errors import FieldError
    from plainte.history import parse_history

    with pytest.raises(FieldError, match=r"sent \(18/12/2026\)") as caught:
        parse_history([{"level": "complaint", "date": "2026-12-16", "sent": "2026-12-18", "answered": "2026-12-17"}])
    assert caught.value.field == "history[0].answered"
    with pytest.raises(FieldError, match=r"letter's date \(16/12/2026\)"):
        parse_history([{"level": "complaint", "date": "2026-12-16", "answered": "2026-12-15"}])


def test_french_other_institution_mediation_names_the_mediator_not_the_bank(store, cat):
    """Without a catalogue body, the mediation step goes to the institution's own médiateur: the early-escalation
    warning, the "facts now go elsewhere" warning and the escalation's recipient name that mediator."""
    answers = complaint("other", date="2027-01-04", sending="registered", institution_kind="lender", institution_country="FR",
                        recipient={"name": "Crédit Solaire SA", "street": "5 rue de la Paix", "postal_code": "69002",
                                   "city": "Lyon", "country": "FR"})
    case_id, _case, _plan = write(store, cat, answers, D(2027, 1, 4), sent=D(2027, 1, 4))
    esc = next_letter(store, case_id, cat, D(2027, 2, 1), now=True)
    assert (esc.level, esc.body) == ("mediation", None)
    assert esc.recipient == "the mediator (médiateur) of Crédit Solaire SA"
    wait = next(w for w in esc.warnings if "before the answer deadline" in w)
    assert "the mediator (médiateur) of Crédit Solaire SA may ask you to wait" in wait
    assert any("now goes to the mediator (médiateur) of Crédit Solaire SA" in w for w in esc.warnings)
    assert {"mediator.name", "mediator.street"} <= {p.field for p in esc.missing}
    # once the médiateur is named (a later letter's answers), the step is named after it
    filled = fill(esc, {"mediator": {"name": "Médiateur de Crédit Solaire", "street": "CS 70412", "postal_code": "69422",
                                     "city": "Lyon Cedex 03", "country": "FR"}})
    from plainte.escalation import step_recipient
    from plainte.interview import resolve_institution

    inst = resolve_institution(filled, cat)
    assert step_recipient(inst, inst.step("mediation"), cat, filled) == "Médiateur de Crédit Solaire"
    assert step_recipient(inst, inst.step("complaint"), cat, filled) == "Crédit Solaire SA"
    assert step_recipient(inst, inst.step("regulator"), cat, filled).startswith("Autorité de contrôle prudentiel")
