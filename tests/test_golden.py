"""Golden letters: every example answers file, rendered in French, Dutch and English, matches tests/golden/.

Regenerate after an intended change with: PLAINTE_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
and read the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import yaml

from plainte.compose import render_letter
from plainte.interview import build_case
from plainte.resources import PACKAGE_DIR

ROOT = PACKAGE_DIR.parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden"
TODAY = dt.date(2026, 11, 21)
UPDATE = os.environ.get("PLAINTE_UPDATE_GOLDEN") == "1"
# English words that are neither French nor Dutch: none may appear in the fixed text of a fr/nl letter.
ENGLISH = {
    "the", "your", "you", "and", "with", "please", "payment", "subject", "dear", "faithfully", "enclosures",
    "from", "this", "that", "have", "which", "would", "should", "been", "paid", "claim", "letter", "receipt",
    "answer", "reference", "account", "amount", "sincerely", "regards", "registered", "yours", "request",
    "therefore", "will", "follow", "since", "within", "days", "copy", "creditor", "debt", "mediation",
    "court", "complaint", "ask", "asked", "received", "not", "any", "all", "our", "my", "we", "for", "by",
}
WORD = re.compile(r"[A-Za-zÀ-ÿ']+")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def user_words(data) -> set[str]:
    words: set[str] = set()
    if isinstance(data, dict):
        for v in data.values():
            words |= user_words(v)
    elif isinstance(data, list):
        for v in data:
            words |= user_words(v)
    elif data is not None:
        words |= {w.lower() for w in WORD.findall(str(data))}
    return words


CASES = [(p, lang) for p in EXAMPLES for lang in ("fr", "nl", "en")]


@pytest.mark.parametrize("path,lang", CASES, ids=[f"{p.stem}-{lang}" for p, lang in CASES])
def test_golden_letter(cat, path, lang):
    answers = load(path)
    answers["language"] = lang
    text = render_letter(build_case(answers, cat, today=TODAY), cat, "txt")
    golden = GOLDEN / f"{path.stem}.{lang}.txt"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}: run with PLAINTE_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("path,lang", [c for c in CASES if c[1] != "en"], ids=[f"{p.stem}-{lang}" for p, lang in CASES if lang != "en"])
def test_no_english_in_french_or_dutch_letters(cat, path, lang):
    answers = load(path)
    answers["language"] = lang
    case = build_case(answers, cat, today=TODAY)
    for fmt in ("txt", "html"):
        text = render_letter(case, cat, fmt)
        if fmt == "html":
            text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", text, flags=re.S)
        leaked = {w for w in (x.lower() for x in WORD.findall(text)) if w in ENGLISH} - user_words(answers)
        assert not leaked, (fmt, sorted(leaked))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_format_renders(cat, path):
    case = build_case(load(path), cat, today=TODAY)
    for fmt in ("txt", "md", "html"):
        assert case.sender.name.split()[0] in render_letter(case, cat, fmt)


def test_every_dispute_has_an_example(cat):
    covered = {load(p)["dispute"] for p in EXAMPLES}
    assert set(cat.disputes) <= covered, sorted(set(cat.disputes) - covered)
