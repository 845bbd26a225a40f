"""Turns a Case into finished letters: the plan, the template context, one text per format."""

from __future__ import annotations

from collections.abc import Iterable

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


def render_formats(case: Case, cat: Catalogue, formats: Iterable[str]) -> dict[str, bytes]:
    """Every requested format of a Case's letter, encoded in UTF-8."""
    plan = make_plan(case, cat)
    return {fmt: render_letter(case, cat, fmt, plan).encode("utf-8") for fmt in formats}
