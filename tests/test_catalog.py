"""The shipped catalogue: loads cleanly, every id it names exists, every label has fr, nl and en."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import pytest

from plainte import catalog
from plainte.catalog import load, parse_institution, read_yaml
from plainte.errors import CatalogueError
from plainte.resources import data_dir, letters_dir

DISPUTE_IDS = {
    "already-paid", "item-returned", "item-not-received", "contract-cancelled", "invoice-after-cancellation",
    "no-contract", "invoice-not-received", "service-disputed", "debt-mediation", "collective-debt-settlement",
    "payment-plan", "unrecognised-claim", "complaint", "complaint-review", "mediation-request",
}


def test_loads_without_warnings():
    catalog._load.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load()


def test_every_required_dispute_exists(cat):
    assert DISPUTE_IDS <= set(cat.disputes)


@pytest.mark.parametrize("dispute_id", sorted(DISPUTE_IDS))
def test_dispute_has_questions_evidence_and_letter(cat, dispute_id):
    d = cat.disputes[dispute_id]
    assert d.questions and d.evidence
    assert (letters_dir() / "disputes" / f"{d.letter}.j2").is_file()
    for rule in d.evidence:
        assert rule.evidence in cat.evidence


def test_the_seed_institutions_are_there(cat):
    for iid in ("stellantis-fs-belux", "belfius", "intrum-be", "carrefour-banque", "cn-car-loan-platform",
                "ombudsfin", "ombudsman-insurance", "economic-inspection"):
        assert iid in cat.institutions


def test_every_body_named_exists(cat):
    for inst in cat.institutions.values():
        for step in inst.steps:
            assert step.body is None or step.body in cat.institutions


def _labels(obj, path="") -> list[tuple[str, dict]]:
    """Every {fr, nl, en} mapping in a raw YAML structure."""
    found = []
    if isinstance(obj, dict):
        if {"fr", "nl", "en"} & set(obj):
            found.append((path, obj))
        for k, v in obj.items():
            found += _labels(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found += _labels(v, f"{path}[{i}]")
    return found


def test_every_label_has_three_languages():
    for path in sorted(data_dir().rglob("*.yaml")):
        for where, label in _labels(read_yaml(path)):
            for lang in ("fr", "nl", "en"):
                assert isinstance(label.get(lang), str) and label[lang].strip(), f"{path.name}{where} lacks {lang}"


def test_every_fact_has_a_source():
    for folder in ("institutions", "disputes"):
        for path in sorted((data_dir() / folder).glob("*.yaml")):
            raw = read_yaml(path)
            assert raw.get("source", {}).get("ref") and raw["source"].get("checked"), path.name


def _strings(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, str):
        yield obj


def test_no_odr_platform_is_ever_offered():
    """The EU ODR platform closed in 2025 (facts.md section 3): no data value or letter text names it."""
    pattern = re.compile(r"europa\.eu/consumers/odr|\bODR\b|online dispute resolution|règlement en ligne des litiges", re.I)
    for path in sorted(data_dir().rglob("*.yaml")):
        for text in _strings(read_yaml(path)):
            assert not pattern.search(text), (path.name, text)
    for path in sorted(letters_dir().rglob("*.j2")):
        assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_stellantis_segments_and_deadlines(cat):
    inst = cat.institutions["stellantis-fs-belux"]
    step = inst.step("complaint")
    assert step.channel("email", "private").value == "services4you@stellantis-finance.com"
    assert step.channel("email", "business").value == "lease4you@stellantis-finance.com"
    assert "SRC" in step.channel("postal", "private").attention
    assert "BU Lease" in step.channel("postal", "business").attention
    assert step.acknowledge.business_days == 5 and step.answer.months == 1
    assert [s.level for s in inst.steps if s.only_for is None][:2] == ["complaint", "complaint-review"]


def test_unknown_key_is_refused(tmp_path):
    raw = read_yaml(data_dir() / "institutions" / "belfius.yaml")
    raw["colour"] = "red"
    with pytest.raises(CatalogueError, match="colour"):
        parse_institution(raw, "belfius.yaml")


def test_missing_language_is_refused():
    raw = read_yaml(data_dir() / "institutions" / "belfius.yaml")
    raw["description"] = {"fr": "Banque", "en": "Bank"}
    with pytest.raises(CatalogueError, match="nl"):
        parse_institution(raw, "belfius.yaml")


def test_user_institution_file(tmp_path, monkeypatch):
    local = tmp_path / "local.yaml"
    local.write_text(
        "id: cpas-creditor\nname: Régie communale\nkind: lender\ncountry: BE\nlanguages: [fr]\n"
        "source: {ref: 'letter of 2026-11-02', checked: 2026-11-21}\n"
        "steps:\n  - level: complaint\n    channels:\n      - type: postal\n        address: {street: Rue Haute 1, postal_code: '1000', city: Bruxelles, country: BE}\n",
        encoding="utf-8",
    )
    cat = load([local])
    assert cat.institutions["cpas-creditor"].origin == str(local)
    assert cat.disputes_for(cat.institutions["cpas-creditor"])


def test_user_folder_is_read(tmp_path, monkeypatch):
    folder = tmp_path / "cfg" / "institutions"
    folder.mkdir(parents=True)
    (folder / "x.yaml").write_text(
        "id: my-lender\nname: My Lender\nkind: lender\ncountry: BE\nlanguages: [nl]\nsource: {ref: contract, checked: 2026-11-21}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PLAINTE_CONFIG_DIR", str(tmp_path / "cfg"))
    catalog._load.cache_clear()
    assert "my-lender" in load().institutions
    catalog._load.cache_clear()


def test_user_file_cannot_shadow_catalogue(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("id: belfius\nname: Fake\nkind: bank\ncountry: BE\nlanguages: [nl]\nsource: {ref: x, checked: 2026-11-21}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="belfius"):
        load([f])


def test_disputes_for_respect_ladder(cat):
    intrum = {d.id for d in cat.disputes_for(cat.institutions["intrum-be"])}
    assert "complaint-review" not in intrum  # Intrum has no internal review step
    belfius = {d.id for d in cat.disputes_for(cat.institutions["belfius"])}
    assert {"complaint", "complaint-review", "mediation-request"} <= belfius


def test_every_ladder_step_has_a_dated_source(cat):
    steps = [(inst.id, s) for inst in cat.institutions.values() for s in inst.steps]
    steps += [(f"ladders.yaml {ladder.country}", s) for ladder in cat.ladders for s in ladder.steps]
    for where, step in steps:
        assert step.source is not None and step.source.ref and step.source.checked, (where, step.level)


def test_belfius_channels_from_seed_001(cat):
    step = cat.institutions["belfius"].step("complaint")
    assert step.channel("email", "private").value == "complaints@belfius.be"
    phone = step.channel("phone", "private")
    assert phone.value == "+32 2 222 12 02"
    assert [(h.days, h.start, h.end) for h in phone.hours] == [
        (("mon", "tue", "wed", "thu", "fri"), "08:00", "22:00"), (("sat",), "09:00", "17:00")]
    postal = step.channel("postal", "private")
    assert "Collinummer 7908" in postal.attention and postal.address.street == "Karel Rogierplein 11"
    assert cat.institutions["belfius"].step("complaint-review").service["en"] == "Negotiator"
    assert len(cat.institutions["belfius"].asks_for) == 6


def test_intrum_channels_from_seed_002_and_unknown_address(cat):
    step = cat.institutions["intrum-be"].step("complaint")
    assert step.channel("portal", "private").value == "https://www.intrum.be/votredossier"
    assert step.channel("phone", "private").value == "+32 2 708 30 33"
    assert step.channel("postal", "private").address is None  # not in the seed: the person is asked


def test_france_ladders_name_the_mediateur_and_the_over_indebtedness_commission(cat):
    inst = cat.institutions["carrefour-banque"]
    first = inst.step("complaint")
    assert first.acknowledge.business_days == 10 and first.answer.months == 2
    assert inst.step("mediation").body == "carrefour-banque-mediateur"
    surendettement = [s for s in inst.steps if s.only_for == "over-indebtedness"]
    assert [s.body for s in surendettement] == ["fr-commission-surendettement"]
    assert "fr-commission-surendettement" in {s.body for s in cat.ladder("FR", "lender")}
    assert [s.level for s in inst.steps if s.only_for is None] == ["complaint", "mediation", "regulator", "court"]


def test_french_other_ladder_has_the_institutions_own_mediateur(cat):
    """In France each bank has its own médiateur (facts.md §4): the generic ladder names none, the person does."""
    for kind in ("bank", "lender"):
        steps = cat.ladder("FR", kind)
        mediation = [s for s in steps if s.level == "mediation" and s.only_for is None]
        assert len(mediation) == 1 and mediation[0].body is None and not mediation[0].channels
        assert mediation[0].source.checked == dt.date(2026, 11, 29) and "L612-2" in mediation[0].source.ref
        assert [s.level for s in steps if s.only_for is None] == ["complaint", "mediation", "regulator", "court"]
    other = cat.ladder("BE", "bank")
    assert all(s.body for s in other if s.level == "mediation")  # Belgium: Ombudsfin, a catalogue body
