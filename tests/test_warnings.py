"""Advice shown with a letter follows the institution's country and ladder: no French rule for a Belgian case, no
Ombudsfin year where the Insurance Ombudsman or a French médiateur comes next."""

from __future__ import annotations

import datetime as dt

import pytest

from plainte.catalog import parse_dispute
from plainte.errors import CatalogueError
from plainte.interview import build_case
from plainte.plan import bodies_ahead, make_plan, warnings_for

D = dt.date
SENDER = {"name": "Thomas Jacobs", "street": "Rue Saint-Gilles 27", "postal_code": "4000", "city": "Liège", "country": "BE"}
FR_RECIPIENT = {"street": "1 rue du Médiateur", "postal_code": "75001", "city": "Paris", "country": "FR"}


def mediation(institution="stellantis-fs-belux", product="credit", court_case=False, **extra) -> dict:
    answers = {
        "institution": institution, "dispute": "mediation-request", "language": "fr", "date": "2027-02-01",
        "sending": "registered", "writer_role": "consumer", "sender": dict(SENDER),
        "facts": {"subject": "Mensualité prélevée deux fois", "product": product, "complaint-date": "2026-12-18",
                  "answer-received": False, "description": "La mensualité a été prélevée deux fois.",
                  "expectation": "Le remboursement.", "court-case": court_case},
        "evidence": ["complaint-copy", "proof-of-sending"],
    }
    if institution == "stellantis-fs-belux":
        answers["segment"] = "private"
    answers.update(extra)
    return answers


def ids(cat, answers) -> set[str]:
    case = build_case(answers, cat, today=D(2027, 2, 1))
    return {w.id for w in make_plan(case, cat).warnings}


def test_belgian_mediation_gets_the_ombudsfin_year_and_no_french_rule(cat):
    assert ids(cat, mediation()) == {"deadline-belgium", "not-binding", "attach-everything"}


def test_belgian_insurance_goes_without_the_ombudsfin_year(cat):
    got = ids(cat, mediation(product="insurance"))
    assert got == {"not-binding", "insurance-ombudsman", "attach-everything"}


def test_french_mediation_gets_the_french_rule_only(cat):
    got = ids(cat, mediation("carrefour-banque", product="insurance", recipient=FR_RECIPIENT))
    assert got == {"deadline-france", "not-binding", "attach-everything"}


@pytest.mark.parametrize(("institution", "expected"), [("stellantis-fs-belux", "court-case"), ("carrefour-banque", "court-case-other")])
def test_court_case_warning_names_ombudsfin_only_where_it_comes_next(cat, institution, expected):
    extra = {"recipient": FR_RECIPIENT} if institution == "carrefour-banque" else {}
    got = ids(cat, mediation(institution, court_case=True, **extra))
    other = ({"court-case", "court-case-other"} - {expected}).pop()
    assert expected in got and other not in got


def test_complaint_review_of_a_belgian_case_names_ombudsfin_not_france(cat):
    answers = mediation(dispute="complaint-review", facts={
        "subject": "Mensualité prélevée deux fois", "complaint-date": "2026-12-18", "answer-received": False,
        "why-unsatisfied": "Aucune réponse.", "expectation": "Le remboursement."})
    answers["evidence"] = ["complaint-copy"]
    assert ids(cat, answers) == {"next-step-belgium"}


def test_bodies_ahead_follow_the_product_route(cat):
    stellantis = cat.institutions["stellantis-fs-belux"]
    assert bodies_ahead(stellantis, "complaint", "credit") == {"ombudsfin", "economic-inspection"}
    assert bodies_ahead(stellantis, "mediation", "insurance") == {"ombudsman-insurance", "economic-inspection"}
    assert bodies_ahead(stellantis, "regulator") == {"economic-inspection"}


def test_wizard_and_plan_share_the_filter(cat):
    dispute = cat.disputes["mediation-request"]
    carrefour = cat.institutions["carrefour-banque"]
    shown = {w.id for w in warnings_for(dispute, carrefour, {"product": "credit", "court-case": False})}
    assert "deadline-belgium" not in shown and "deadline-france" in shown


def test_warning_bodies_must_exist(cat):
    from dataclasses import replace

    from plainte.catalog import check

    raw = {"id": "x", "label": {"fr": "x", "nl": "x", "en": "x"}, "summary": {"fr": "x", "nl": "x", "en": "x"},
           "kinds": ["bank"], "level": "complaint", "letter": "complaint",
           "questions": [{"id": "q", "type": "text", "label": {"fr": "x", "nl": "x", "en": "x"}}],
           "warnings": [{"id": "w", "bodies": ["nobody"], "text": {"fr": "x", "nl": "x", "en": "x"}}],
           "source": {"ref": "test", "checked": "2026-11-29"}}
    dispute = parse_dispute(raw, "x.yaml")
    assert dispute.warnings[0].bodies == ("nobody",)
    with pytest.raises(CatalogueError, match="nobody"):
        check(replace(cat, disputes={**cat.disputes, "x": dispute}))
