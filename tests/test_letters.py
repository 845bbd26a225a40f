"""Letter rendering: user text stays data, formats, locale-aware dates and amounts, legal mentions."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from plainte.compose import render_letter
from plainte.interview import build_case
from plainte.resources import PACKAGE_DIR

EXAMPLES = PACKAGE_DIR.parent.parent / "examples"
TODAY = dt.date(2026, 11, 21)
INJECTIONS = ["{{ 7*7 }}", "{% raw %}x{% endraw %}", "{{ ''.__class__.__mro__ }}", "<script>alert(1)</script>", "[bold]x[/bold]", "**x** _y_"]


def answers(**changes):
    data = yaml.safe_load((EXAMPLES / "already-paid.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        data[key] = value
    return data


@pytest.mark.parametrize("name", INJECTIONS)
def test_user_text_is_never_a_template(cat, name):
    data = answers()
    data["sender"]["name"] = name
    data["facts"]["description"] = name
    case = build_case(data, cat, today=TODAY)
    txt = render_letter(case, cat, "txt")
    assert txt.count(name) >= 2  # verbatim, in the sender block and in the description
    html = render_letter(case, cat, "html")
    assert "<script>" not in html
    if "<" in name:
        assert "&lt;script&gt;" in html


def test_markdown_escapes_user_text(cat):
    data = answers()
    data["facts"]["description"] = "**not bold** _not italic_"
    md = render_letter(build_case(data, cat, today=TODAY), cat, "md")
    assert r"\*\*not bold\*\*" in md


@pytest.mark.parametrize("lang,amount,day", [
    ("fr", "245,80\u00a0€", "3 novembre 2026"),
    ("nl", "€\u00a0245,80", "3 november 2026"),
    ("en", "€245.80", "3 November 2026"),
])
def test_amounts_and_dates_in_the_letter_locale(cat, lang, amount, day):
    case = build_case(answers(language=lang), cat, today=TODAY)
    txt = render_letter(case, cat, "txt")
    assert amount in txt and day in txt


def test_first_of_month_in_french(cat):
    data = answers(language="fr")
    data["facts"]["payment-date"] = "2026-10-01"
    assert "1er octobre 2026" in render_letter(build_case(data, cat, today=TODAY), cat, "txt")


@pytest.mark.parametrize("lang,mode_line", [("fr", "RECOMMANDÉ"), ("nl", "AANGETEKEND"), ("en", "REGISTERED MAIL")])
def test_registered_line(cat, lang, mode_line):
    case = build_case(answers(language=lang), cat, today=TODAY)
    assert mode_line in render_letter(case, cat, "txt")
    plain = build_case(answers(language=lang, sending="post"), cat, today=TODAY)
    assert mode_line not in render_letter(plain, cat, "txt")


def test_collector_letter_says_copy_to_creditor(cat):
    txt = render_letter(build_case(answers(language="en"), cat, today=TODAY), cat, "txt")
    assert "Copy: Proximus SA (creditor)" in txt


def test_missing_required_proof_will_follow(cat):
    data = answers(language="en", evidence=[])
    txt = render_letter(build_case(data, cat, today=TODAY), cat, "txt")
    assert "will follow" in txt and "Enclosed is a bank statement" not in txt


def test_html_is_a_printable_page(cat):
    html = render_letter(build_case(answers(), cat, today=TODAY), cat, "html")
    assert html.lstrip().startswith("<!DOCTYPE html>") and "@page { size: A4" in html
    assert 'class="window"' in html
