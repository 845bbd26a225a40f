"""The generic Chinese car-loan platform: the letters name the platform the person gives, the interview asks for it
whoever the letter goes to, and its ladder (industry association, local regulator, court) reads sensibly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from plainte.cases import open_store, record_letter, show_case
from plainte.compose import render_letter
from plainte.escalation import fill, next_letter
from plainte.interview import build_case, missing, slots
from plainte.plan import make_plan
from plainte.resources import PACKAGE_DIR

EXAMPLES = PACKAGE_DIR.parent.parent / "examples"
TODAY = dt.date(2026, 11, 21)
PLATFORM = "Jinsu Auto Finance"
PLATFORM_ADDRESS = {"street": "88 Century Avenue", "postal_code": "200120", "city": "Shanghai", "country": "CN"}
GENERIC_NAMES = ("Car-loan platform", "Plateforme de crédit auto", "Platform voor autoleningen")


def for_platform(dispute: str, **recipient) -> dict:
    """The dispute's example answers, sent to the generic platform profile."""
    data = yaml.safe_load((EXAMPLES / f"{dispute}.yaml").read_text(encoding="utf-8"))
    data["institution"] = "cn-car-loan-platform"
    data.pop("segment", None)
    data["recipient"] = {"name": PLATFORM, **PLATFORM_ADDRESS, **recipient}
    return data


def disputes(cat) -> list[str]:
    return [d.id for d in cat.disputes_for(cat.institutions["cn-car-loan-platform"])]


def test_every_letter_names_the_platform_given(cat):
    assert {"complaint", "mediation-request", "already-paid", "payment-plan"} <= set(disputes(cat))
    for dispute in disputes(cat):
        for lang in ("fr", "nl", "en"):
            data = for_platform(dispute)
            data["language"] = lang
            data.setdefault("references", {})["file_number"] = "JS-2026-1"  # "file number at <institution>" names it
            case = build_case(data, cat, today=TODAY)
            assert case.institution.label(lang) == PLATFORM
            text = render_letter(case, cat, "txt")
            assert PLATFORM in text, (dispute, lang)
            assert not [n for n in GENERIC_NAMES if n in text], (dispute, lang)


@pytest.mark.parametrize("dispute", ["complaint", "mediation-request"])
def test_the_platform_name_is_asked_whoever_receives_the_letter(cat, dispute):
    data = for_platform(dispute)
    del data["recipient"]["name"]
    assert "recipient.name" in {p.field for p in missing(data, cat, today=TODAY)}


def test_complaint_goes_to_the_platform_at_the_address_given(cat):
    case = build_case(for_platform("complaint"), cat, today=TODAY)
    assert case.recipient.name == PLATFORM and case.recipient.address.city == "Shanghai"
    text = render_letter(case, cat, "txt")
    assert "File number at" not in text  # a letter to the platform itself, not to a body about it


def test_mediation_request_goes_to_the_association_and_asks_its_address_as_such(cat):
    answers = {"institution": "cn-car-loan-platform", "dispute": "mediation-request", "recipient": {"name": PLATFORM}}
    asked = {s.key: s for s in slots(answers, cat)}
    association = "National Internet Finance Association of China (complaint centre)"
    assert asked["recipient.name"].text() == "The name of the institution your dispute is with"  # the platform, not the body
    assert asked["recipient.street"].text() == f"Street and number of {association}"  # not the platform's
    assert asked["recipient.country"].default == "CN"
    assert "official website" in asked["recipient.street"].help_text()  # the catalogue says where to find it
    data = for_platform("mediation-request")
    data["language"] = "en"
    case = build_case(data, cat, today=TODAY)
    assert case.recipient.name == association and case.institution.name == PLATFORM
    text = render_letter(case, cat, "txt")
    assert text.count(PLATFORM) >= 5 and f"dispute with {PLATFORM}" in text


def test_bodies_on_the_ladder_are_named_in_the_letter_language(cat):
    data = for_platform("mediation-request")
    data["language"] = "fr"
    text = render_letter(build_case(data, cat, today=TODAY), cat, "txt")
    assert "Association nationale de la finance sur Internet de Chine" in text and "National Internet" not in text


def test_ladder_walked_from_complaint_to_court(tmp_path, cat):
    store = open_store(tmp_path / "cases.sqlite3")
    try:
        answers = for_platform("complaint")
        case = build_case(answers, cat, today=TODAY)
        case_id, _ = record_letter(store, case, make_plan(case, cat), [Path("complaint.txt")], answers, sent=TODAY)
        assert show_case(store, case_id).summary.institution_name == PLATFORM
        # the association: the platform's name is kept, its address is not taken for the association's
        esc = next_letter(store, case_id, cat, dt.date(2026, 12, 1), now=True)
        assert (esc.level, esc.dispute, esc.body) == ("mediation", "mediation-request", "cn-industry-association")
        assert esc.answers["recipient"] == {"name": PLATFORM}
        assert {p.field for p in esc.missing} == {"recipient.street", "recipient.postal_code", "recipient.city"}
        assert any(PLATFORM in w and "Association of China" in w for w in esc.warnings)
        filled = fill(esc, {"recipient": {"street": "18 Jinrong Street", "postal_code": "100033", "city": "Beijing", "country": "CN"}})
        mediation = build_case(filled, cat, today=dt.date(2026, 12, 1))
        assert mediation.institution.name == PLATFORM and mediation.recipient.address.city == "Beijing"
        record_letter(store, mediation, make_plan(mediation, cat), [Path("mediation.txt")], filled, case_id=case_id,
                      sent=dt.date(2026, 12, 1))
        # the local regulator: no letter, but when it fits and where to find it
        reg = next_letter(store, case_id, cat, dt.date(2027, 3, 1), now=True)
        assert (reg.level, reg.body, reg.answers) == ("regulator", "cn-local-financial-regulator", None)
        assert "Local financial regulatory bureau" in reg.message and "large amounts" in reg.message
        assert "local government's official website" in reg.message and "lawyer" in reg.message
        court = next_letter(store, case_id, cat, dt.date(2027, 3, 1), now=True, to="court")
        assert (court.level, court.body) == ("court", "cn-peoples-court")
        assert "People's Court" in court.message and "which court is competent" in court.message
    finally:
        store.close()


def _address_hints(cat, data) -> set[str]:
    return {s.help for s in slots(data, cat) if s.key.startswith("recipient.") and s.key != "recipient.name"}


def test_an_english_screen_never_shows_the_french_name(cat):
    from plainte.i18n import set_ui_language

    assert cat.institutions["cn-car-loan-platform"].name == "Car-loan platform (China)"  # no fr/nl/en language: English
    data = for_platform("complaint")
    del data["recipient"]
    hints = _address_hints(cat, data)
    assert hints and all("Car-loan platform (China)" in h for h in hints)
    assert not [h for h in hints for n in GENERIC_NAMES[1:] if n in h]
    set_ui_language("fr")
    assert all("Plateforme de crédit auto (Chine)" in h for h in _address_hints(cat, data))  # the screen's language
    set_ui_language("en")
    data["recipient"] = {"name": PLATFORM}
    assert all(PLATFORM in h for h in _address_hints(cat, data))  # the name given, once given


def test_the_draft_offer_names_the_platform_given(cat):
    from plainte.new_command import _offer_draft

    class Asker:
        question = ""

        def confirm(self, question, default, _plain):
            Asker.question = question
            return True

    answers = for_platform("complaint")
    assert _offer_draft(Asker(), {"saved": "2026-11-20T10:00:00", "answers": answers}, cat)
    assert PLATFORM in Asker.question and not [n for n in GENERIC_NAMES if n in Asker.question]
    del answers["recipient"]["name"]
    _offer_draft(Asker(), {"saved": "2026-11-20T10:00:00", "answers": answers}, cat)
    assert "Car-loan platform (China)" in Asker.question


def test_a_dispute_that_does_not_apply_names_the_platform_in_the_ui_language(cat):
    from plainte.commands import cmd_evidence
    from plainte.errors import UsageError

    with pytest.raises(UsageError, match=r"does not apply to Car-loan platform \(China\)"):
        cmd_evidence("excessive-costs", "cn-car-loan-platform", True)
