"""The wizard's screens around the questions: the review of every answer, the waiting periods, formats and folder."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Optional

from plainte.asking import BACK, Asker, Stop
from plainte.catalog import Catalogue
from plainte.errors import FieldError
from plainte.i18n import _, label_value, pick, ui_language
from plainte.interview import Slot, get, resolve_institution


def question(slot: Slot) -> str:
    """The question as a heading for its answer: "Who is writing: ..." (the question mark dropped)."""
    return slot.text().rstrip().rstrip("?").rstrip()  # "Qui écrit ?" -> "Qui écrit"


def display(slot: Slot, value: Any, cat: Catalogue) -> str:
    if slot.type == "evidence":
        names = {cid: (label if isinstance(label, str) else pick(label)) for cid, label in slot.choices}
        return ", ".join(names.get(v, v) for v in value or ()) or _("none")
    if value is None or value == "":
        return "—"
    if slot.key == "dispute" and isinstance(value, str) and value in cat.disputes:
        return pick(cat.disputes[value].label)
    if slot.type == "choice":
        for cid, label in slot.choices:
            if cid == value:
                return label if isinstance(label, str) else pick(label)
    if slot.type == "bool":
        return _("yes") if value else _("no")
    if slot.type in ("date", "money"):  # as typed ("1.345,60", "2026-11-03"): shown as the letter will say it
        from plainte import fields
        from plainte.i18n import ui_language
        from plainte.letters import format_money

        try:
            if slot.type == "money":
                return format_money(fields.parse_money(value, field=slot.key), ui_language())
            return fields.parse_date(value, field=slot.key).strftime("%d/%m/%Y")
        except FieldError:
            return str(value)
    return str(value)


def review_line(slot: Slot, value: Any, cat: Catalogue) -> str:
    """One line of the review: the question, then the answer."""
    return label_value(question(slot), display(slot, value, cat))


def review(asker: Asker, slots: list[Slot], answers: dict[str, Any], cat: Catalogue) -> Optional[str]:
    """Show every answer; return None to go on, or the key of the answer to change (Stop to keep a draft)."""
    while True:
        asker.say(_("Please check your answers:"), "title")
        for slot in slots:
            value = get(answers, slot.key)
            if slot.type == "evidence" or value not in (None, ""):
                asker.say("  " + review_line(slot, value, cat))
        warning = own_words_warning(slots, answers)
        if warning:
            asker.say(warning, "warning")
        choice = asker.choose(_("Is everything right?"),
                              [("write", _("Yes, write the letter")), ("change", _("Change an answer")),
                               ("stop", _("Stop here and keep my answers as a draft"))], "write", False)
        if choice == "stop":
            raise Stop(_("Your answers are kept. Run plainte new to continue."))
        if choice != "change":
            return None
        key = asker.choose(_("Which answer do you want to change?"),
                           [(s.key, review_line(s, get(answers, s.key), cat)) for s in slots], None, True)
        if key is not BACK:
            return key


def own_words_warning(slots: list[Slot], answers: dict[str, Any]) -> str:
    """When the letter is in another language than the screens, a reminder that the person's own words (the
    free-text answers) go into the letter as typed; empty otherwise."""
    lang = answers.get("language")
    typed = [question(s) for s in slots if s.multiline and get(answers, s.key) not in (None, "")]
    if not typed or lang not in ("fr", "nl", "en") or lang == ui_language():
        return ""
    name = {"fr": _("French"), "nl": _("Dutch"), "en": _("English")}[lang]
    return _("The letter will be in {language}, but what you wrote in your own words goes into it as you typed it "
             "({questions}): write it in {language}, or change the letter's language.").format(
        language=name, questions="; ".join(typed))


def waits(cat: Catalogue, answers: dict[str, Any], today: dt.date) -> list[tuple[dt.date, str]]:
    """The waiting periods still running: (first day to send, why), on the calendar the plan uses."""
    from plainte.plan import calendar_country, waits_for

    dispute = cat.disputes.get(str(answers.get("dispute")))
    inst = resolve_institution(answers, cat)
    if dispute is None or inst is None:
        return []
    country = calendar_country(inst.country, get(answers, "sender.country"))
    return [(w.until, pick(w.reason)) for w in waits_for(dispute, answers.get("facts") or {}, country, today)]


def ask_output(asker: Asker) -> tuple[list[str], str]:
    """The formats and the folder: PDF first (to print or attach), then a web page, plain text, Markdown."""
    formats = asker.multi(_("In which formats do you want the letter?"),
                          [("pdf", _("PDF, to print or to attach to an e-mail (.pdf)")),
                           ("html", _("Web page to print (.html)")), ("txt", _("Plain text (.txt)")),
                           ("md", _("Markdown (.md)"))],
                          ["pdf", "txt"]) or ["txt"]
    here = os.getcwd()

    def check(raw: str) -> Optional[str]:
        path = os.path.expanduser(raw.strip() or here)
        if os.path.exists(path) and not os.path.isdir(path):
            return _("{path} is a file, not a folder: give a folder").format(path=path)
        return None

    folder = asker.text(_("In which folder should the letter be saved?"), here, check,
                        _("A folder that does not exist yet is created."), False)
    return formats, (folder or "").strip() or here
