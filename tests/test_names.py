"""Bodies named per language: a French letter gives Ombudsfin's French name only, a Dutch letter its Dutch name,
and a Dutch or English screen names the Economic Inspection in that language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plainte.answers import load_answers
from plainte.catalog import parse_institution
from plainte.compose import render_letter
from plainte.errors import PlainteError
from plainte.interview import build_case
from plainte.plan import make_plan
from plainte.views import institution_summary, institution_view

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = dt.date(2026, 11, 21)

INSPECTION = {
    "fr": "SPF Economie, P.M.E., Classes moyennes et Énergie – Direction générale de l'Inspection économique",
    "nl": "FOD Economie, K.M.O., Middenstand en Energie – Algemene Directie Economische Inspectie",
    "en": "FPS Economy, S.M.E.s, Self-employed and Energy – Directorate-General Economic Inspection",
}


def flat(text: str) -> str:
    return " ".join(text.split())


def test_official_names_per_language(cat):
    inspection = cat.institutions["economic-inspection"]
    assert {lang: inspection.label(lang) for lang in INSPECTION} == INSPECTION
    assert inspection.name == INSPECTION["fr"]  # the name stored with a case and used to sort: its first language
    ombudsfin = cat.institutions["ombudsfin"]
    assert ombudsfin.label("fr") == "Ombudsfin – Ombudsman en conflits financiers"
    assert ombudsfin.label("nl") == "Ombudsfin – Ombudsman in financiële geschillen"
    insurance = cat.institutions["ombudsman-insurance"]
    assert insurance.label("fr") == "Ombudsman des Assurances" and insurance.label("nl") == "Ombudsman van de Verzekeringen"
    assert cat.institutions["belfius"].label("nl") == "Belfius Bank"  # a plain name is the same in every language


def test_a_name_mapping_needs_every_language():
    raw = {"id": "x", "name": {"fr": "Service X", "nl": "Dienst X"}, "kind": "ombudsman", "country": "BE",
           "languages": ["fr", "nl"], "source": {"ref": "test", "checked": "2026-11-29"}}
    with pytest.raises(PlainteError) as info:
        parse_institution(raw, "x.yaml")
    assert "name" in str(info.value) and "en" in str(info.value)
    raw["name"] = {"fr": "Service X", "nl": "Dienst X", "en": "Service X (EN)"}
    inst = parse_institution(raw, "x.yaml")
    assert inst.name == "Service X" and inst.label("en") == "Service X (EN)"


@pytest.mark.parametrize("lang, own, other", [
    ("fr", "Ombudsfin – Ombudsman en conflits financiers", "financiële"),
    ("nl", "Ombudsfin – Ombudsman in financiële geschillen", "conflits financiers"),
])
def test_ombudsfin_letter_names_it_in_the_letter_language_only(cat, lang, own, other):
    answers = load_answers(EXAMPLES / "mediation-request.yaml")
    answers["language"] = lang
    case = build_case(answers, cat, today=TODAY)
    text = render_letter(case, cat, "txt", make_plan(case, cat))
    assert case.recipient.name == own
    assert own in flat(text) and other not in text and " / " not in text


@pytest.mark.parametrize("lang, own, other", [
    ("fr", "Ombudsman des Assurances", "Verzekeringen"),
    ("nl", "Ombudsman van de Verzekeringen", "des Assurances"),
])
def test_insurance_ombudsman_letter_names_it_in_the_letter_language_only(cat, lang, own, other):
    answers = load_answers(EXAMPLES / "mediation-request.yaml")
    answers.update(institution="stellantis-fs-belux", segment="private", language=lang)
    answers["facts"]["product"] = "insurance"
    case = build_case(answers, cat, today=TODAY)
    text = render_letter(case, cat, "txt", make_plan(case, cat))
    assert case.recipient.name == own and own in text and other not in text


def test_views_name_bodies_in_the_ui_language(cat):
    assert institution_summary(cat.institutions["economic-inspection"], "nl")["name"] == INSPECTION["nl"]
    ladder = institution_view(cat.institutions["stellantis-fs-belux"], cat, "en")["ladder"]
    names = [step.get("body_name") for step in ladder if step.get("body")]
    assert INSPECTION["en"] in names and "Ombudsfin" in names


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_screens_name_the_economic_inspection_in_the_ui_language(tmp_path, monkeypatch, lang):
    from typer.testing import CliRunner

    from plainte.cli import build_app, setup_language

    monkeypatch.setenv("PLAINTE_DB", str(tmp_path / "cases.sqlite3"))
    argv = ["--ui-lang", lang, "render", str(EXAMPLES / "mediation-request.yaml"), "-o", str(tmp_path / "out")]
    setup_language(argv)
    result = CliRunner().invoke(build_app(), argv)
    assert result.exit_code == 0, result.output
    said = flat(result.output)
    assert INSPECTION[lang] in said and "Inspection économique" not in said
