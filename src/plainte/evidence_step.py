"""The wizard's evidence step: for each document, what counts as proof, does the person have it, how to get it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from plainte.asking import BACK, Asker
from plainte.catalog import Catalogue
from plainte.i18n import _, pick
from plainte.plan import documents_for


class StopForDocument(Exception):
    """The person stops to fetch a needed document; the answers so far are kept as a draft."""


def _default(eid: str, current: Optional[list[str]]) -> Optional[bool]:
    """The answer given before (the draft or an edit), else none: the person says it, Enter alone does not."""
    if current is None:
        return None
    return eid in current


def ask_evidence(asker: Asker, cat: Catalogue, answers: dict[str, Any], back: bool,
                 keep: Callable[[list[str]], None]) -> Any:
    """The list of documents the person has, or BACK. `keep` saves a partial answer before a stop.

    Every document is explained before the question (a transfer order is not a proof of payment: the person
    must know that before saying yes). Back goes to the previous document, then to the previous question.
    """
    dispute = cat.disputes[answers["dispute"]]
    rules = documents_for(dispute, answers.get("facts") or {}, answers.get("writer_role"), cat)
    given = answers.get("evidence")
    current = list(given) if isinstance(given, list) else None
    have: dict[str, bool] = {}
    i = 0
    while i < len(rules):
        rule = rules[i]
        ev = cat.evidence[rule.evidence]
        title = pick(ev.label) + " " + (_("(needed)") if rule.required else _("(recommended)"))
        asker.say(title, "title")
        asker.say("  " + _("What counts as good proof: {text}").format(text=pick(ev.valid)))
        if ev.invalid:
            asker.say("  " + _("Not enough: {text}").format(text=pick(ev.invalid)))
        previous = have.get(rule.evidence)
        answer = asker.confirm(_("Do you have this document: {label}?").format(label=pick(ev.label)),
                               previous if previous is not None else _default(rule.evidence, current), back or i > 0)
        if answer is BACK:
            if i == 0:
                return BACK
            i -= 1
            continue
        have[rule.evidence] = bool(answer)
        if not answer:
            asker.say("  " + _("How to get it: {text}").format(text=pick(ev.obtain)))
            if rule.required:
                choice = asker.choose(
                    _("This document is needed. What do you want to do?"),
                    [("continue", _("Go on: the letter will say the document will follow")),
                     ("stop", _("Stop here and keep my answers as a draft"))],
                    "continue", True)
                if choice is BACK:
                    continue  # the same document again
                if choice == "stop":
                    keep([r.evidence for r in rules if have.get(r.evidence)])
                    raise StopForDocument()
        i += 1
    return [r.evidence for r in rules if have.get(r.evidence)]
