"""PDF letters, read back with pypdf: real text, A4, the address in the envelope window, embedded font,
clean metadata, page numbers, every French, Dutch and English character."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
import yaml

pypdf = pytest.importorskip("pypdf")

from plainte.compose import render_letter  # noqa: E402
from plainte.interview import build_case  # noqa: E402
from plainte.pdf import (  # noqa: E402
    FOLDS, MM, PAGE_H, PAGE_W, RIGHT, WINDOW_H, WINDOW_W, WINDOW_X, WINDOW_Y, Letter, Para, layout, letter_parts,
    render_letters, render_pdf, render_pdf_many,
)
from plainte.resources import PACKAGE_DIR  # noqa: E402

EXAMPLES = PACKAGE_DIR.parent.parent / "examples"
TODAY = dt.date(2026, 11, 21)
SPECIAL = "é ë ç œ ’ « » € ĳ"
NBSP = str.maketrans({"\u00a0": " ", "\u202f": " "})


def answers(example="already-paid", **changes):
    data = yaml.safe_load((EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def pdf_of(cat, data):
    case = build_case(data, cat, today=TODAY)
    return case, render_pdf(case, cat)


def read(data: bytes):
    return pypdf.PdfReader(BytesIO(data))


def runs(page):
    """Every text run of a page: (text, x in mm from the left, y in mm from the top)."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), round(x / MM, 2), round((PAGE_H - y) / MM, 2)))

    page.extract_text(visitor_text=visit)
    return found


def text_of(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in read(data).pages).translate(NBSP)


def long_answers():
    data = answers()
    data["facts"]["description"] = "\n\n".join(
        f"Paragraph {i}: " + "This sentence makes the letter longer than one page. " * 5 for i in range(7))
    return data


def test_text_is_real_and_extractable(cat):
    _case, data = pdf_of(cat, answers())
    text = text_of(data)
    assert data.startswith(b"%PDF-")
    assert "Marie Dubois" in text
    assert "Avenue de la Liberté 12" in text and "21 novembre 2026" in text
    assert "245,80 €" in text


def test_page_is_a4(cat):
    _case, data = pdf_of(cat, answers())
    box = read(data).pages[0].mediabox
    assert float(box.width) == pytest.approx(595.28, abs=1) and float(box.height) == pytest.approx(841.89, abs=1)
    assert (PAGE_W, PAGE_H) == pytest.approx((595.28, 841.89), abs=0.01)


def test_recipient_is_in_the_envelope_window(cat):
    case, data = pdf_of(cat, answers())
    page = runs(read(data).pages[0])
    for line in (case.recipient.name, "Avenue de la Liberté 12", "1080 Molenbeek-Saint-Jean"):
        (x, y), = [(x, y) for t, x, y in page if t == line]
        assert WINDOW_X <= x <= WINDOW_X + WINDOW_W and WINDOW_Y <= y <= WINDOW_Y + WINDOW_H
        assert 109 <= x <= 190 and 54 <= y <= 84  # what always shows through a DL or C5/6 window


def test_sending_mode_line_is_just_above_the_address(cat):
    case, data = pdf_of(cat, answers(sending="registered"))
    page = runs(read(data).pages[0])
    mode = letter_parts(case, cat).mode
    assert mode and mode in render_letter(case, cat, "txt").splitlines()  # the text the letter shows
    (mx, my), = [(x, y) for t, x, y in page if t == mode]
    (rx, ry), = [(x, y) for t, x, y in page if t == case.recipient.name]
    assert WINDOW_Y <= my < ry and mx == pytest.approx(rx)
    _case, plain = pdf_of(cat, answers(sending="post"))
    assert mode not in text_of(plain)


def test_sender_block_is_top_left(cat):
    _case, data = pdf_of(cat, answers())
    page = runs(read(data).pages[0])
    (x, y), = [(x, y) for t, x, y in page if t == "Marie Dubois" and y < WINDOW_Y]  # not the signature
    assert x < 30 and y < 25


def test_font_is_embedded_and_nothing_else_is_used(cat):
    _case, data = pdf_of(cat, answers())
    fonts = read(data).pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]
        assert "DejaVuSerif" in font["/BaseFont"]


def test_metadata_has_a_title_and_no_personal_data(cat):
    data_in = answers()
    data_in["writer_role"] = "social-worker"
    data_in["organisation"] = "CPAS de Saint-Gilles"
    data_in["client"] = {"name": "Karim El Amrani", "street": "Rue Haute 5", "postal_code": "1000", "city": "Bruxelles"}
    case, data = pdf_of(cat, data_in)
    meta = read(data).metadata
    assert meta.title and "Intrum" in meta.title
    blob = " ".join(str(v) for v in meta.values())
    for personal in ("Marie", "Dubois", "Karim", "Amrani", "245,80", "INT-2026", "CPAS", "Saint-Gilles"):
        assert personal not in blob
    assert meta.creator == "plainte"
    assert not meta.author and not meta.subject


def test_one_page_letter_has_no_page_number():
    letter = Letter(title="Déjà payé — Intrum", language="fr", sender=("Marie Dubois",), contact=(), mode="",
                    recipient=("Intrum", "1080 Bruxelles"), body=(Para(("Madame, Monsieur,",)), Para(("Texte.",))))
    reader = read(render_letters([letter], letter.title))
    assert len(reader.pages) == 1
    assert not re.search(r"\b1/1\b", reader.pages[0].extract_text())


def test_longer_letter_is_numbered(cat):
    _case, data = pdf_of(cat, long_answers())
    reader = read(data)
    n = len(reader.pages)
    assert n >= 2
    for i, page in enumerate(reader.pages, 1):
        assert any(t == f"{i}/{n}" and y > 280 and x > 170 for t, x, y in runs(page))


def test_text_stays_inside_the_margins(cat):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    data = long_answers()
    data["facts"]["description"] = data["facts"]["description"][:1400] + "\n\n" + "x" * 400 + " " + "IBAN" * 30
    case = build_case(data, cat, today=TODAY)
    pages = layout(letter_parts(case, cat))
    for page in pages:
        for x, y, font, size, text in page.runs:
            assert x + stringWidth(text, font, size) <= PAGE_W - RIGHT * MM + 0.01
            assert 0 < y < PAGE_H - 15 * MM
    text = text_of(render_pdf(case, cat)).replace("\n", "")
    assert "x" * 400 in text


def test_every_character_of_the_three_languages(cat):
    for lang in ("fr", "nl", "en"):
        data = answers(language=lang)
        data["facts"]["creditor"] = "Œuvres « Françoise » — Zoë’s IJsselmeer ĳs, cœur"
        data["facts"]["description"] = SPECIAL
        _case, pdf = pdf_of(cat, data)
        text = text_of(pdf)
        for ch in SPECIAL.split():
            assert ch in text, (lang, ch)
        assert "Œuvres « Françoise » — Zoë’s IJsselmeer ĳs, cœur" in text


def test_long_recipient_name_stays_in_the_window(cat):
    case = build_case(answers("mediation-request"), cat, today=TODAY)
    (page, *_rest) = layout(letter_parts(case, cat))
    from reportlab.pdfbase.pdfmetrics import stringWidth

    window = [r for r in page.runs if r[0] >= WINDOW_X * MM - 0.01 and WINDOW_Y * MM <= r[1] <= (WINDOW_Y + WINDOW_H) * MM]
    assert window
    for x, _y, font, size, text in window:
        assert x + stringWidth(text, font, size) <= (WINDOW_X + WINDOW_W) * MM + 0.01
        assert size >= 9


def test_fold_marks_at_a_third_and_two_thirds(cat):
    _case, data = pdf_of(cat, answers())
    stream = read(data).pages[0].get_contents().get_data().decode("latin-1")
    ys = {round(float(y), 1) for y in re.findall(r"[\d.]+ ([\d.]+) m [\d.]+ [\d.]+ l", stream)}
    for fold in FOLDS:
        assert round(PAGE_H - fold * MM, 1) in ys


def test_combined_pdf_keeps_each_letter_whole(cat):
    one = build_case(answers(), cat, today=TODAY)
    two = build_case(long_answers(), cat, today=TODAY)
    three = build_case(answers("excessive-costs"), cat, today=TODAY)
    sizes = [len(read(render_pdf(c, cat)).pages) for c in (one, two, three)]
    reader = read(render_pdf_many([one, two, three], cat))
    assert len(reader.pages) == sum(sizes)
    starts = [0, sizes[0], sizes[0] + sizes[1]]
    assert "Pieter Vermeulen" in reader.pages[starts[2]].extract_text()
    numbers = [t for page in reader.pages for t, _x, _y in runs(page) if re.fullmatch(r"\d+/\d+", t)]
    expected = [f"{i}/{n}" for n in sizes if n > 1 for i in range(1, n + 1)]
    assert numbers == expected
    assert reader.metadata.title and "Marie" not in reader.metadata.title


def test_every_example_renders(cat):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = build_case(yaml.safe_load(path.read_text(encoding="utf-8")), cat, today=TODAY)
        text = text_of(render_pdf(case, cat))
        assert case.sender.name in text, path.name


def test_end_of_letter_stays_together(cat):
    """Whatever the length, the last paragraph, closing, signature, enclosures and copy share a page."""
    pages_seen = set()
    for k in range(1, 41):
        data = answers()
        data["facts"]["description"] = "This sentence adds to the letter. " * k
        case = build_case(data, cat, today=TODAY)
        letter = letter_parts(case, cat)
        pages = layout(letter)
        pages_seen.add(len(pages))
        signature = max(i for i, p in enumerate(letter.body) if p.lines[0] == case.sender.name)
        ending = [p.lines[0] for p in letter.body[signature - 2:]]
        where = {line: max(n for n, page in enumerate(pages) for r in page.runs if len(r[4]) > 3 and line.startswith(r[4]))
                 for line in ending}
        assert len(set(where.values())) == 1, (k, where)
    assert pages_seen == {1, 2}


def test_the_first_fold_runs_between_lines_of_the_header(cat):
    """Folding the sheet for the envelope never creases the address, the place and date line or the subject:
    every text run of the first page above the second fold lies wholly above or below the first fold."""
    for example in ("already-paid", "excessive-costs", "mediation-request"):
        case = build_case(answers(example), cat, today=TODAY)
        page = layout(letter_parts(case, cat))[0]
        for _x, baseline, _font, size, _text in page.runs:
            top, bottom = baseline - size * 0.8, baseline + size * 0.25  # ascenders and descenders, pt
            assert not top < FOLDS[0] * MM < bottom, (example, _text)
