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
