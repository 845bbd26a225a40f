"""Turns a Case into finished letters: the plan, the template context, one text per format."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from plainte.catalog import Catalogue
from plainte.context import build_context
from plainte.letters import FORMATS, render
from plainte.models import Case
from plainte.plan import Plan, make_plan


def render_letter(case: Case, cat: Catalogue, fmt: str = "txt", plan: Plan | None = None) -> str:
    """The letter of a Case in one format (txt, md or html)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    plan = plan or make_plan(case, cat)
    context = build_context(case, plan, cat, fmt)
    return render(f"disputes/{case.dispute.letter}.j2", context, fmt, case.language)


def render_formats(case: Case, cat: Catalogue, formats: Iterable[str], *,
                   attachments: Sequence[Path] = (), plan: Plan | None = None) -> dict[str, bytes]:
    """Every requested format of a Case's letter: txt, md and html in UTF-8, a print-ready PDF, an e-mail
    (.eml, with its PDF and the `attachments`). All are made in memory first: an error (no e-mail address
    for this step, an unreadable attachment) leaves nothing half written. plan: the case's make_plan, when the
    caller has it already."""
    plan = plan if plan is not None else make_plan(case, cat)
    out: dict[str, bytes] = {}
    for fmt in formats:
        if fmt in FORMATS:
            out[fmt] = render_letter(case, cat, fmt, plan).encode("utf-8")
        elif fmt == "pdf":
            from plainte.pdf import render_pdf  # reportlab: imported only when a PDF is asked for

            out[fmt] = render_pdf(case, cat, plan)
        elif fmt == "eml":
            from plainte.email_message import render_eml

            out[fmt] = render_eml(case, cat, attachments=attachments)
        else:
            raise ValueError(fmt)
    return out
