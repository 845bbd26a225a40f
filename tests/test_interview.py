"""Answers to Case: every problem listed at once, typed values, recipients from the catalogue."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
import yaml

from plainte.errors import AnswersError
from plainte.i18n import set_ui_language
from plainte.interview import build_case, missing, slots
from plainte.resources import PACKAGE_DIR

EXAMPLES = PACKAGE_DIR.parent.parent / "examples"
TODAY = dt.date(2026, 11, 21)


def example(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


def test_example_builds_a_typed_case(cat):
    case = build_case(example("already-paid"), cat, today=TODAY)
    assert case.facts["amount-paid"] == Decimal("245.80")
    assert case.facts["payment-date"] == dt.date(2026, 11, 3)
    assert case.facts["from-iban"] == "BE68539007547034"
    assert case.recipient.name == "Intrum"
    assert case.recipient.address.city == "Molenbeek-Saint-Jean"


def test_every_problem_is_listed_at_once(cat):
    answers = example("already-paid")
    answers["facts"]["payment-date"] = "31/02/2026"
    answers["facts"]["amount-paid"] = "1.234"
    answers["facts"]["from-iban"] = "BE00 0000"
    answers["colour"] = "blue"
    answers["sender"]["shoe_size"] = 42
    del answers["sender"]["name"]
    with pytest.raises(AnswersError) as info:
        build_case(answers, cat, today=TODAY)
    fields = {p.field for p in info.value.problems}
    assert {"facts.payment-date", "facts.amount-paid", "facts.from-iban", "colour", "sender.shoe_size", "sender.name"} <= fields


def test_unknown_ids_are_named(cat):
    answers = example("already-paid")
    answers["institution"] = "nowhere-bank"
    answers["facts"]["colour"] = "x"
    problems = missing(answers, cat, today=TODAY)
    assert any(p.field == "institution" and "intrum-be" in p.message for p in problems)
    answers = example("already-paid")
    answers["dispute"] = "bad-weather"
    problems = missing(answers, cat, today=TODAY)
    assert any(p.field == "dispute" and "already-paid" in p.message for p in problems)
    answers = example("already-paid")
    answers["facts"]["colour"] = "x"
    answers["evidence"] = ["proof-of-payment", "selfie"]
    problems = {p.field for p in missing(answers, cat, today=TODAY)}
    assert {"facts.colour", "evidence"} <= problems


def test_errors_are_in_the_ui_language(cat):
    set_ui_language("fr")
    answers = example("already-paid")
    answers["facts"]["payment-date"] = "31/02/2026"
    problems = missing(answers, cat, today=TODAY)
    text = " ".join(str(p) for p in problems)
    assert "facts.payment-date" in text
    assert "date" in text and "expected" not in text


def test_defaults_apply(cat):
    answers = example("already-paid")
    for key in ("date", "sending", "writer_role", "language"):
        answers.pop(key, None)
    case = build_case(answers, cat, today=TODAY)
    assert case.date == TODAY and case.sending == "registered" and case.writer_role == "consumer"
    assert case.language == "fr"  # Intrum answers in French first


def test_segment_picks_channel(cat):
    answers = example("complaint")
    answers["segment"] = "business"
    case = build_case(answers, cat, today=TODAY)
    assert "BU Lease" in case.recipient.attention
    answers["segment"] = "private"
    case = build_case(answers, cat, today=TODAY)
    assert "SRC" in case.recipient.attention


def test_unknown_address_is_asked(cat):
    answers = example("already-paid")
    del answers["recipient"]
    problems = {p.field for p in missing(answers, cat, today=TODAY)}
    assert {"recipient.street", "recipient.postal_code", "recipient.city"} <= problems


def test_other_institution(cat):
    answers = example("already-paid")
    answers.update(institution="other", institution_kind="bank", institution_country="BE",
                   recipient={"name": "Banque Locale SA", "street": "Rue Neuve 1", "postal_code": "1000", "city": "Bruxelles", "country": "BE"})
    case = build_case(answers, cat, today=TODAY)
    assert case.recipient.name == "Banque Locale SA"
    assert [s.body for s in case.institution.steps if s.body] == ["ombudsfin", "economic-inspection"]


def test_social_worker_needs_organisation_and_client(cat):
    answers = example("already-paid")
    answers["writer_role"] = "social-worker"
    problems = {p.field for p in missing(answers, cat, today=TODAY)}
    assert {"organisation", "client.name", "client.street"} <= problems


def test_conditional_question_only_when_it_applies(cat):
    answers = {"institution": "belfius", "dispute": "mediation-request", "facts": {"answer-received": False}}
    keys = {s.key for s in slots(answers, cat)}
    assert "facts.answer-date" not in keys
    answers["facts"]["answer-received"] = True
    assert "facts.answer-date" in {s.key for s in slots(answers, cat)}


def test_mediation_request_goes_to_the_ombudsman(cat):
    case = build_case(example("mediation-request"), cat, today=TODAY)
    assert case.recipient.name.startswith("Ombudsfin")
    assert case.recipient.address.postal_code == "1000"


def test_insurance_product_goes_to_insurance_ombudsman(cat):
    answers = example("mediation-request")
    answers["institution"] = "stellantis-fs-belux"
    answers["facts"]["product"] = "insurance"
    case = build_case(answers, cat, today=TODAY)
    assert "Assurances" in case.recipient.name


def test_answers_are_not_mutated(cat):
    answers = example("already-paid")
    before = copy.deepcopy(answers)
    build_case(answers, cat, today=TODAY)
    assert answers == before


def test_every_unknown_document_is_named_at_once(cat):
    answers = example("already-paid")
    answers["evidence"] = ["selfie", "proof-of-payment", "horoscope"]
    [problem] = [p for p in missing(answers, cat, today=TODAY) if p.field == "evidence"]
    assert "selfie" in problem.message and "horoscope" in problem.message and "proof-of-payment," in problem.message


def test_a_social_worker_may_enclose_the_mandate_in_any_dispute(cat):
    answers = example("already-paid")
    answers.update(writer_role="social-worker", organisation="CPAS de Forest", evidence=["mandate", "proof-of-payment"],
                   client={"name": "Jean Client", "street": "Rue 1", "postal_code": "1190", "city": "Forest", "country": "BE"})
    assert build_case(answers, cat, today=TODAY).evidence == ("mandate", "proof-of-payment")
    consumer = example("already-paid")
    consumer["evidence"] = ["mandate"]
    assert any(p.field == "evidence" and "mandate" in p.message for p in missing(consumer, cat, today=TODAY))


# --- a médiateur plainte does not know (France, "other" institution) -----------------------------------------


def test_french_other_mediation_goes_to_the_mediator_the_person_names(cat):
    from plainte.compose import render_letter

    answers = example("mediation-request-france")
    keys = [s.key for s in slots(answers, cat)]
    assert {"recipient.name", "mediator.name", "mediator.street", "mediator.postal_code", "mediator.city"} <= set(keys)
    assert "recipient.street" not in keys and "mediator.email" not in keys  # the bank's address is not needed
    case = build_case(answers, cat, today=TODAY)
    assert case.institution.name == "Crédit Solaire SA"
    assert case.recipient.name == "Médiateur de Crédit Solaire"
    assert (case.recipient.address.postal_code, case.recipient.address.city) == ("69422", "Lyon Cedex 03")
    for lang, dispute_with in (("fr", "litige avec Crédit Solaire SA"), ("nl", "geschil met Crédit Solaire SA"),
                               ("en", "dispute with Crédit Solaire SA")):
        text = render_letter(build_case(dict(answers, language=lang), cat, today=TODAY), cat, "txt")
        head, _sep, body = text.partition("Lyon, ")
        assert "Médiateur de Crédit Solaire\nCS 70412\n69422 Lyon Cedex 03" in head and "Crédit Solaire SA" not in head
        assert dispute_with in body and "Médiateur de Crédit Solaire" not in body


def test_the_mediator_is_asked_and_every_missing_field_named(cat):
    answers = example("mediation-request-france")
    del answers["mediator"]
    fields = {p.field for p in missing(answers, cat, today=TODAY)}
    assert {"mediator.name", "mediator.street", "mediator.postal_code", "mediator.city"} <= fields
    assert not any(f.startswith("recipient.") for f in fields)
    answers = example("mediation-request-france")
    answers["mediator"].update(postal_code="6942", colour="blue")
    fields = {p.field for p in missing(answers, cat, today=TODAY)}
    assert {"mediator.postal_code", "mediator.colour"} <= fields
    answers = example("mediation-request-france")
    answers["mediator"]["name"] = "crédit solaire sa"
    problems = missing(answers, cat, today=TODAY)
    assert [p.field for p in problems] == ["mediator.name"] and "Crédit Solaire SA" in problems[0].message


def test_a_mediator_by_email_and_in_the_institutions_country_by_default(cat):
    answers = example("mediation-request-france")
    answers["sending"] = "email"
    del answers["mediator"]["country"]
    assert [p.field for p in missing(answers, cat, today=TODAY)] == ["mediator.email"]
    answers["mediator"]["email"] = "mediateur@credit-solaire.example.fr"
    case = build_case(answers, cat, today=TODAY)
    assert case.recipient.email == "mediateur@credit-solaire.example.fr" and case.recipient.address.country == "FR"


def test_a_mediator_where_the_catalogue_knows_the_body_is_refused(cat):
    answers = example("mediation-request")  # Belfius: Ombudsfin
    answers["mediator"] = {"name": "Ombudsfin"}
    problems = missing(answers, cat, today=TODAY)
    assert [p.field for p in problems] == ["mediator"]
    answers = example("mediation-request-france")
    answers["dispute"] = "complaint"  # a complaint goes to the bank itself
    answers["facts"] = {}
    assert "mediator" in {p.field for p in missing(answers, cat, today=TODAY)}


def test_the_mediator_question_is_in_the_ui_language(cat):
    set_ui_language("fr")
    try:
        answers = example("mediation-request-france")
        slot = next(s for s in slots(answers, cat) if s.key == "mediator.name")
        assert slot.text() == "Nom du médiateur (tel que l'indique la réponse de l'organisme)"
        assert "médiateur" in slot.help_text()
    finally:
        set_ui_language("en")


def test_escalating_a_french_complaint_asks_for_the_mediator_and_keeps_the_bank(tmp_path, cat):
    from pathlib import Path

    from plainte.cases import open_store, record_letter
    from plainte.escalation import fill, next_letter
    from plainte.plan import make_plan

    answers = example("mediation-request-france")
    complaint = {k: answers[k] for k in ("institution", "institution_kind", "institution_country", "language", "sending",
                                         "writer_role", "sender", "references")}
    complaint.update(dispute="complaint", date="2026-07-06",
                     recipient={"name": "Crédit Solaire SA", "street": "8 quai Perrache", "postal_code": "69002", "city": "Lyon",
                                "country": "FR"},
                     facts={"subject": "assurance emprunteur non souscrite", "product": "credit", "facts-date": "2026-01-05",
                            "description": "Une assurance est prélevée chaque mois.", "expectation": "Le remboursement."})
    store = open_store(tmp_path / "cases.sqlite3")
    try:
        case = build_case(complaint, cat, today=dt.date(2026, 7, 6))
        assert case.recipient.name == "Crédit Solaire SA" and case.recipient.address.city == "Lyon"
        case_id, _ = record_letter(store, case, make_plan(case, cat), [Path("complaint.txt")], complaint, sent=dt.date(2026, 7, 6))
        esc = next_letter(store, case_id, cat, dt.date(2026, 11, 21))
        assert (esc.level, esc.dispute) == ("mediation", "mediation-request")
        assert {"mediator.name", "mediator.street", "mediator.postal_code", "mediator.city"} <= {p.field for p in esc.missing}
        given = {"mediator": answers["mediator"], "facts": {"answer-received": False, "court-case": False}}
        filled = fill(esc, given)
        assert not missing(filled, cat, today=dt.date(2026, 11, 21))
        letter = build_case(filled, cat, today=dt.date(2026, 11, 21))
        assert letter.institution.name == "Crédit Solaire SA" and letter.recipient.name == "Médiateur de Crédit Solaire"
    finally:
        store.close()


@pytest.mark.parametrize("key", ["institution", "dispute", "language", "sending", "writer_role"])
@pytest.mark.parametrize("value", [["already-paid"], {"id": "already-paid"}])
def test_a_list_or_a_mapping_where_one_id_is_expected_is_named(cat, key, value):
    answers = example("already-paid")
    answers[key] = value
    problems = missing(answers, cat, today=TODAY)
    assert any(p.field == key and "expected one of" in p.message for p in problems), problems


@pytest.mark.parametrize("facts", [12345, "texte", ["a"]])
def test_facts_that_are_not_a_mapping_are_reported_for_every_dispute(cat, facts):
    from plainte.answers import load_answers

    for path in sorted(EXAMPLES.glob("*.yaml")):
        answers = load_answers(path)
        answers["facts"] = facts
        with pytest.raises(AnswersError) as err:
            build_case(answers, cat, today=dt.date(2026, 11, 21))
        assert err.value.problems[0].field == "facts", path.name


def test_the_slots_of_answers_whose_facts_are_not_a_mapping(cat):
    from plainte.answers import load_answers

    for path in sorted(EXAMPLES.glob("*.yaml")):
        answers = load_answers(path)
        answers["facts"] = "texte"
        assert [s.key for s in slots(answers, cat) if s.key.startswith("facts.")]  # the questions of a case with no facts yet


def test_answers_of_one_shape_are_walked_once_and_validated_alike(cat):
    """validate remembers which slots answers of one shape (the ids, choices and facts that choose the slots) need;
    answers of the same shape with other personal data, or of another shape, give what a fresh walk gives."""
    from plainte import interview

    shapes = interview._cached(cat, "shapes", dict)

    def fresh(answers):
        shapes.clear()
        typed, problems = interview.validate(answers, cat, today=dt.date(2026, 11, 21))
        shapes.clear()
        return typed, problems

    def with_cache(answers):
        return interview.validate(answers, cat, today=dt.date(2026, 11, 21))

    base = example("debt-mediation")
    other = copy.deepcopy(base)
    other["client"]["name"], other["facts"]["monthly-amount"], other["sender"]["email"] = "Ann Peeters", "55,00", "not an e-mail"
    no_plan = copy.deepcopy(other)
    no_plan["facts"]["propose-plan"] = "no"  # a fact a question's condition reads: another shape, no monthly amount
    expected = [fresh(a) for a in (base, other, no_plan)]
    assert with_cache(base) == expected[0] and len(shapes) == 1
    assert with_cache(other) == expected[1] and len(shapes) == 1  # same shape: the walk is reused
    assert with_cache(no_plan) == expected[2] and len(shapes) == 2
    assert "monthly-amount" not in with_cache(no_plan)[0]["facts"]  # its question does not apply
    assert with_cache(other)[0]["facts"]["monthly-amount"] == Decimal("55.00")
    assert any(p.field == "sender.email" for p in with_cache(other)[1])

    listed = copy.deepcopy(base)
    listed["facts"]["propose-plan"] = ["yes"]  # not a possible key: walked every time
    expected = fresh(listed)
    assert interview._shape(listed, cat) is None and with_cache(listed) == expected
    assert interview._shape({**base, "dispute": " debt-mediation"}, cat) is None  # the facts that count depend on it

    for n in range(interview.SHAPES_KEPT + 5):  # bounded
        with_cache({**base, "recipient": {"name": f"Institution {n}"}})
    assert len(shapes) <= interview.SHAPES_KEPT
