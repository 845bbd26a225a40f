"""Print-ready PDF letters: A4, the recipient in a right-hand envelope window, fold marks, page numbers,
and an embedded Unicode font shipped in the package (so a letter prints the same on every machine).

reportlab, not fpdf2 or weasyprint: ~120 letters/s against 10 and 4.5, and it installs from pip alone
(weasyprint needs Pango and HarfBuzz from the OS; reference/measured.md). The layout is computed here
with plain line wrapping (no platypus): fast, and the page count is known before drawing ("1/2").

Import this module only when a PDF is asked for: reportlab costs ~75 ms to import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from typing import Any, Optional

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from plainte.catalog import Catalogue
from plainte.context import build_context
from plainte.i18n import LETTER_DOMAIN, ngettext, pick, translations
from plainte.letters import BODY, LOCALES, format_day, render
from plainte.models import Case
from plainte.plan import Plan, make_plan
from plainte.resources import PACKAGE_DIR

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM  # A4: 595.28 x 841.89 pt

# Page layout, in mm from the top-left corner of the sheet.
LEFT, RIGHT, BOTTOM = 25, 20, 20  # margins; the page number sits below the bottom margin
SENDER_TOP = 15  # the sender block, top left, above the window's height
CONT_TOP = 20  # where the text starts on the second and later pages
BODY_TOP = 103  # where the text starts on the first page: below the window, just under the first fold (99 mm),
# so the fold never runs through the place-and-date line

# The recipient's address field, for right-hand window envelopes DL (110 x 220 mm) and C5/6 (114 x 229 mm)
# as used in Belgium and France. Position: the common DL right-window standard, a 100 x 45 mm window
# 20 mm from the right edge and 15 mm from the bottom edge of the envelope (neither bpost nor La Poste
# fixes the window itself; bpost's addressing rules, bpost.be "Juiste plaats van het adres", ask that the
# window leave the top 40 mm of the envelope free, that no part of the address can slide out of the
# window, and that nothing in it be mistaken for an address). A sheet folded in three (99 mm panels)
# moves inside: 10 (DL) to 19 mm (C5/6) sideways, 11 to 15 mm up and down. What always shows through the window is then 109-190 mm from the
# left edge of the sheet and 50-84 mm (DL) or 54-84 mm (C5/6) from its top. The field below covers it:
# the sending-mode line at 50 mm, the address itself from about 56 mm; the HTML letter uses the same field
# (letters/base.j2). Checked against: a French mailing house's guidance, address box 85 x 33 mm at 55 mm
# from the top and 110 mm from the left (edics.fr, "Rédiger vos adresses : les bonnes pratiques"); the
# Swiss standard SN 010130, C5/6 right window 100 x 45 mm at 21 mm from the bottom and 12 mm from the
# right (older edition) or 90 x 40 mm at 30 and 17 mm. Lines left-aligned, as sorting machines read them.
WINDOW_X, WINDOW_Y, WINDOW_W, WINDOW_H = 110, 50, 80, 35

# An A4 sheet folded in three for a DL / C5/6 envelope: folds at 99 and 198 mm from the top. Short
# marks in the left margin show where to fold.
FOLDS = (99, 198)
FOLD_MARK = (5, 10)  # from 5 to 10 mm from the left edge (inside most printers' printable area)

FONT_DIR = PACKAGE_DIR / "fonts"
REGULAR, BOLD = "DejaVuSerif", "DejaVuSerif-Bold"
BODY_SIZE, BODY_LEADING = 10, 13.5  # pt
SMALL_SIZE, SMALL_LEADING = 9, 11.5  # sender block
ADDRESS_SIZE, ADDRESS_LEADING, ADDRESS_MIN_SIZE = 10, 12.5, 9
PARA_GAP = 7  # pt between paragraphs
SIGNATURE_ROOM = 15 * MM  # blank space above the typed name, to sign by hand
BULLET_INDENT = 5 * MM
PAGE_NUMBER_SIZE = 8.5


@lru_cache(maxsize=None)
def register_fonts() -> tuple[str, str]:
    """Register the shipped DejaVu Serif faces with reportlab, once per process."""
    for name, filename in ((REGULAR, "DejaVuSerif.ttf"), (BOLD, "DejaVuSerif-Bold.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    return REGULAR, BOLD


@dataclass(frozen=True)
class Para:
    """One paragraph of the body: its hard lines and how it is set."""

    lines: tuple[str, ...]
    bold: bool = False
    x: float = 0.0  # extra indent, pt (the place and date line is aligned with the window)
    space_before: float = 0.0  # pt, on top of the paragraph gap
    keep_with_next: bool = False


@dataclass(frozen=True)
class Letter:
    """The parts of one letter, placed by the layout: header blocks and body paragraphs."""

    title: str
    language: str
    sender: tuple[str, ...]
    contact: tuple[str, ...]
    mode: str  # the sending-mode line ("RECOMMANDÉ"), or ""
    recipient: tuple[str, ...]
    body: tuple[Para, ...]


@dataclass
class Page:
    """Text runs to draw on one page: (x, y from the top, font, size, text), all in pt."""

    first: bool
    runs: list[tuple[float, float, str, float, str]] = field(default_factory=list)


def pdf_title(case: Case) -> str:
    """The document title: the kind of dispute and the institution, in the letter's language.

    Not the letter's subject line: a subject can carry the client's name (a social worker's letter),
    a date or the person's own words, and PDF metadata travels further than the page (file managers,
    search indexes). No author, no subject, no keywords."""
    return f"{pick(case.dispute.label, case.language)} — {case.institution.label(case.language)}"


def letter_parts(case: Case, cat: Catalogue, plan: Optional[Plan] = None) -> Letter:
    """The structured letter: header blocks from the template context, body paragraphs from the
    template's body rendering (letters.BODY: the letter below its header, paragraphs unwrapped)."""
    plan = plan or make_plan(case, cat)
    lang = case.language
    context = build_context(case, plan, cat, BODY)
    text = render(f"disputes/{case.dispute.letter}.j2", context, BODY, lang)
    mode = translations(lang, LETTER_DOMAIN).gettext("REGISTERED MAIL") if case.sending == "registered" else ""
    return Letter(
        title=pdf_title(case),
        language=lang,
        sender=tuple(x for x in context["sender_lines"] if x),
        contact=tuple(x for x in context["sender_contact"] if x),
        mode=mode,
        recipient=tuple(x for x in context["recipient_lines"] if x),
        body=_paragraphs(text, case, context),
    )


def _paragraphs(text: str, case: Case, context: dict[str, Any]) -> tuple[Para, ...]:
    """Split the body into paragraphs and mark the few that are set apart: the place and date (aligned
    with the window), the subject (bold, kept with the salutation, which is kept with what follows), room
    to sign by hand above the typed name, and the end of the letter kept together (the last paragraph,
    the closing, the signature, the enclosures, the copy): a second page never holds only those."""
    blocks = [tuple(b.split("\n")) for b in text.strip().split("\n\n") if b.strip()]
    n = len(blocks)
    label = translations(case.language, LETTER_DOMAIN).gettext("Subject:")
    subject_at = next((i for i, b in enumerate(blocks) if len(b) == 1 and b[0].startswith(label)), -9)
    signature_at = max((i for i, b in enumerate(blocks) if b[0] == context["signature"]), default=-9)
    day = format_day(case.date, case.language)
    paras = []
    for i, lines in enumerate(blocks):
        if i == 0 and len(lines) == 1 and day in lines[0]:
            para = Para(lines, x=(WINDOW_X - LEFT) * MM)
        elif i == subject_at:
            para = Para(lines, bold=True, keep_with_next=True)
        else:
            ending = signature_at > 1 and signature_at - 2 <= i < n - 1
            para = Para(lines, space_before=SIGNATURE_ROOM if i == signature_at else 0.0,
                        keep_with_next=i == subject_at + 1 or ending)
        paras.append(para)
    return tuple(paras)


# --- layout ---------------------------------------------------------------------------------------

Row = list[tuple[float, str, str]]  # the runs of one printed line: (x offset, font, text)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Wrap one hard line to a width, breaking only at ordinary spaces: the no-break spaces Babel puts
    in amounts and dates ("245,80 €", "€ 1.234,50") keep them whole. A word longer than the width
    is cut where it must be."""
    measure = pdfmetrics.stringWidth
    space = measure(" ", font, size)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in text.split(" "):
        w = measure(word, font, size)
        if current and used + space + w > width:
            lines.append(" ".join(current))
            current, used = [], 0.0
        while w > width and len(word) > 1:  # an IBAN without spaces, a long URL
            cut = max(1, int(len(word) * width / w))
            while cut > 1 and measure(word[:cut], font, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
            w = measure(word, font, size)
        current.append(word)
        used += (space if len(current) > 1 else 0.0) + w
    lines.append(" ".join(current))
    return lines


def _rows(para: Para, width: float) -> list[Row]:
    """The printed lines of a paragraph, wrapped to the text width."""
    font = BOLD if para.bold else REGULAR
    rows: list[Row] = []
    for hard in para.lines:
        if hard.startswith("- "):  # an enclosure: a dash and a hanging indent
            wrapped = _wrap(hard[2:], font, BODY_SIZE, width - para.x - BULLET_INDENT)
            rows.append([(para.x, font, "–"), (para.x + BULLET_INDENT, font, wrapped[0])])
            rows += [[(para.x + BULLET_INDENT, font, w)] for w in wrapped[1:]]
        else:
            rows += [[(para.x, font, w)] for w in _wrap(hard, font, BODY_SIZE, width - para.x)]
    return rows


def layout(letter: Letter) -> list[Page]:
    """Place the letter on pages: the header on the first page, then the paragraphs. A paragraph is
    split across pages only when it has 4 lines or more, leaving at least 2 on each page; a paragraph
    marked keep_with_next moves to the next page with the one that follows (its first 2 lines, or all
    of it when it is kept with the next one too)."""
    register_fonts()
    pages = [Page(first=True)]
    _place_header(pages[0], letter)
    width = PAGE_W - (LEFT + RIGHT) * MM
    bottom = PAGE_H - BOTTOM * MM
    all_rows = [_rows(p, width) for p in letter.body]
    tails = [0.0] * len(letter.body)  # the room the paragraphs kept with each one need after it
    for i in range(len(letter.body) - 2, -1, -1):
        if letter.body[i].keep_with_next:
            nxt, rows = letter.body[i + 1], len(all_rows[i + 1])
            kept = rows * BODY_LEADING + tails[i + 1] if nxt.keep_with_next else min(2, rows) * BODY_LEADING
            tails[i] = PARA_GAP + nxt.space_before + kept
    y, at_top = BODY_TOP * MM, True
    for i, para in enumerate(letter.body):
        rows = all_rows[i]
        if not at_top:
            y += PARA_GAP + para.space_before
        tail = tails[i]
        splittable = len(rows) >= 4 and not para.keep_with_next
        while y + len(rows) * BODY_LEADING + tail > bottom:
            room = int((bottom - y) // BODY_LEADING)
            if at_top and len(rows) * BODY_LEADING <= bottom - y:
                break  # a new page would not do better: keep it here, without the next paragraph
            take = min(room, len(rows) - 2) if splittable else 0
            if take < 2:
                take = max(1, room) if at_top else 0  # longer than a whole page: it has to be cut
            y = _place_rows(pages[-1], rows[:take], y)
            rows = rows[take:]
            pages.append(Page(first=False))
            y, at_top = CONT_TOP * MM, True
        y = _place_rows(pages[-1], rows, y)
        at_top = at_top and not rows
    return pages


def _place_rows(page: Page, rows: list[Row], y: float) -> float:
    for row in rows:
        for dx, font, text in row:
            page.runs.append((LEFT * MM + dx, y + BODY_SIZE * 0.8, font, BODY_SIZE, text))
        y += BODY_LEADING
    return y


def _place_header(page: Page, letter: Letter) -> None:
    """The sender top left; the sending-mode line and the recipient in the window."""
    y = SENDER_TOP * MM
    width = (WINDOW_X - LEFT - 5) * MM
    for i, line in enumerate(letter.sender):
        font = BOLD if i == 0 else REGULAR
        for w in _wrap(line, font, SMALL_SIZE, width):
            page.runs.append((LEFT * MM, y + SMALL_SIZE * 0.8, font, SMALL_SIZE, w))
            y += SMALL_LEADING
    if letter.contact:
        y += 3
        for line in letter.contact:
            for w in _wrap(line, REGULAR, SMALL_SIZE, width):
                page.runs.append((LEFT * MM, y + SMALL_SIZE * 0.8, REGULAR, SMALL_SIZE, w))
                y += SMALL_LEADING
    x, y, width = WINDOW_X * MM, WINDOW_Y * MM, WINDOW_W * MM
    if letter.mode:
        page.runs.append((x, y + ADDRESS_SIZE * 0.8, BOLD, ADDRESS_SIZE, letter.mode))
        y += ADDRESS_LEADING + 4
    size = _address_size(letter.recipient, width)
    leading = ADDRESS_LEADING * size / ADDRESS_SIZE
    for line in letter.recipient:
        for w in _balance(_wrap(line, REGULAR, size, width), REGULAR, size, width):
            page.runs.append((x, y + size * 0.8, REGULAR, size, w))
            y += leading


def _balance(lines: list[str], font: str, size: float, width: float) -> list[str]:
    """Never leave a lone short word on the last line of a wrapped address line ("boîte / 2")."""
    if len(lines) < 2 or len(lines[-1]) > 8 or " " not in lines[-2]:
        return lines
    head, _sep, word = lines[-2].rpartition(" ")
    tail = f"{word} {lines[-1]}"
    if pdfmetrics.stringWidth(tail, font, size) > width:
        return lines
    return lines[:-2] + [head, tail]


def _address_size(lines: Sequence[str], width: float) -> float:
    """One size for the whole address: smaller (down to 9 pt) when a line below the name would not fit
    the window. A long name wraps rather than shrinking the address; a line that still does not fit wraps."""
    widest = max((pdfmetrics.stringWidth(line, REGULAR, ADDRESS_SIZE) for line in lines[1:]), default=0.0)
    if widest <= width:
        return ADDRESS_SIZE
    return max(ADDRESS_MIN_SIZE, ADDRESS_SIZE * width / widest)


# --- drawing --------------------------------------------------------------------------------------

def _draw(canvas: Canvas, pages: list[Page]) -> None:
    total = len(pages)
    for number, page in enumerate(pages, 1):
        if page.first:
            canvas.setLineWidth(0.4)
            canvas.setStrokeGray(0.35)
            for fold in FOLDS:
                y = PAGE_H - fold * MM
                canvas.line(FOLD_MARK[0] * MM, y, FOLD_MARK[1] * MM, y)
        current = None
        for x, y, font, size, text in page.runs:
            if (font, size) != current:
                canvas.setFont(font, size)
                current = (font, size)
            canvas.drawString(x, PAGE_H - y, text)
        if total > 1:
            canvas.setFont(REGULAR, PAGE_NUMBER_SIZE)
            canvas.drawRightString(PAGE_W - RIGHT * MM, 10 * MM, f"{number}/{total}")
        canvas.showPage()


def _canvas(buffer: BytesIO, title: str, language: str) -> Canvas:
    """A canvas whose metadata holds a title and the creator, and nothing about the person."""
    register_fonts()
    lang = LOCALES[language].replace("_", "-") if language in LOCALES else None  # none for mixed languages
    canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), initialFontName=REGULAR, initialFontSize=BODY_SIZE, lang=lang)
    canvas.setTitle(title)
    canvas.setCreator("plainte")
    canvas.setAuthor("")
    canvas.setSubject("")
    canvas.setKeywords("")
    return canvas


def render_letters(letters: Sequence[Letter], title: str) -> bytes:
    """Prepared letters in one PDF, in order, each starting on a new page with its own page numbers."""
    if not letters:
        raise ValueError("no letters to render")
    languages = {letter.language for letter in letters}
    buffer = BytesIO()
    canvas = _canvas(buffer, title, languages.pop() if len(languages) == 1 else "")
    for letter in letters:
        _draw(canvas, layout(letter))
    canvas.save()
    return buffer.getvalue()


def render_pdf(case: Case, cat: Catalogue, plan: Optional[Plan] = None) -> bytes:
    """One letter as a print-ready PDF."""
    letter = letter_parts(case, cat, plan)
    return render_letters([letter], letter.title)


def render_pdf_many(cases: Iterable[Case], cat: Catalogue, *, plans: Optional[Sequence[Plan]] = None,
                    title: str = "") -> bytes:
    """Several letters in one PDF, in order, each starting on a new page with its own page numbers
    (for `plainte batch --combine`: one file to print). Drawn on one canvas: no PDF merging needed."""
    letters = [letter_parts(c, cat, plans[i] if plans else None) for i, c in enumerate(cases)]
    if not title and len(letters) == 1:
        title = letters[0].title
    elif not title:
        title = ngettext("{n} letter", "{n} letters", len(letters)).format(n=len(letters))
    return render_letters(letters, title)
