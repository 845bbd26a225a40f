"""The wizard's flow over the interview slots: back, review, evidence step, waiting advice, drafts.

UI-agnostic: an Asker (prompts.py, or a scripted one in tests) does the asking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol

from plainte.catalog import Catalogue, applies
from plainte.drafts import DraftStore
from plainte.errors import FieldError, PlainteError
from plainte.i18n import LANGUAGES, _, pick, set_ui_language, ui_language
from plainte.interview import Slot, get, parse_slot, put, resolve_institution, slots, validate
from plainte.plan import MANDATE

BACK = object()  # an asker returns this to go back one question
MANAGED = ("sender", "client", "recipient", "mediator", "references", "facts")
FORMAT_CHOICES = ("txt", "md", "html")


class Stop(PlainteError):
    """The person chose to stop; the draft is kept."""

    exit_code = 0


class Asker(Protocol):
    """How questions reach a person: a terminal UI, a line-by-line mode, or a script in tests."""

    def choose(self, message: str, choices: list[tuple[str, str]], default: Optional[str], back: bool) -> Any: ...

    def text(self, message: str, default: str, validate: Callable[[str], Optional[str]], help: str, back: bool) -> Any: ...

    def confirm(self, message: str, default: bool, back: bool) -> Any: ...

    def multi(self, message: str, choices: list[tuple[str, str]], defaults: list[str]) -> list[str]: ...

    def say(self, text: str, style: str = "") -> None: ...


@dataclass
class Result:
    """What the wizard gathered: the answers file, the formats and the folder to write to."""

    answers: dict[str, Any]
    formats: list[str] = field(default_factory=lambda: ["txt"])
    out_dir: str = "."


def _display(slot: Slot, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if slot.type in ("choice",):
        for cid, label in slot.choices:
            if cid == value:
                return label if isinstance(label, str) else pick(label)
    if slot.type == "evidence":
        names = {cid: (label if isinstance(label, str) else pick(label)) for cid, label in slot.choices}
        return ", ".join(names.get(v, v) for v in value) or "—"
    if slot.type == "bool":
        return _("yes") if value else _("no")
    return str(value)


def _managed_keys(answers: dict[str, Any]) -> list[str]:
    keys = [k for k in answers if k not in MANAGED and k not in ("attachments",)]
    for head in MANAGED:
        inner = answers.get(head)
        if isinstance(inner, dict):
            keys += [f"{head}.{k}" for k in inner]
    return keys


def choose_language(asker: Asker) -> None:
    """The first screen: the language of every screen after it (the letter's language is asked later)."""
    names = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
    lang = asker.choose("Langue · Taal · Language", names, ui_language(), False)
    if lang in LANGUAGES:
        set_ui_language(lang)


class Wizard:
    """Asks what is missing, one slot at a time, in the order the slots come."""

    def __init__(self, cat: Catalogue, asker: Asker, *, answers: Optional[dict[str, Any]] = None,
                 done: Optional[list[str]] = None, draft: Optional[DraftStore] = None,
                 today: Optional[dt.date] = None) -> None:
        self.cat = cat
        self.asker = asker
        self.answers: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (answers or {}).items()}
        self.done: list[str] = list(done or [])
        self.history: list[str] = []
        self.draft = draft
        self.today = today or dt.date.today()
        self._warned: set[str] = set()
        self._costs_offered = False

    # --- state -------------------------------------------------------------------------------
    def current_slots(self) -> list[Slot]:
        return slots(self.answers, self.cat)

    def prefill(self, skip_optional: bool = False) -> None:
        """Accept every given answer that is valid; invalid ones will be asked again.

        With skip_optional (answers from a file), optional questions left out of the file are not asked.
        """
        _typed, problems = validate(self.answers, self.cat, today=self.today)
        bad = {p.field for p in problems}
        for slot in self.current_slots():
            if slot.key in bad or slot.key in self.done:
                continue
            given = get(self.answers, slot.key) not in (None, "")
            if given or (skip_optional and not slot.required and slot.type != "evidence"):
                self.done.append(slot.key)

    def pending(self) -> Optional[Slot]:
        for slot in self.current_slots():
            if slot.key not in self.done:
                return slot
        return None

    def _prune(self) -> None:
        """Drop answers of questions that no longer apply (after an edit); keep every other answer."""
        for _round in range(3):
            keys = {s.key for s in self.current_slots()}
            stale = [k for k in _managed_keys(self.answers) if k not in keys and k not in ("institution_kind", "institution_country")]
            if not stale:
                break
            for key in stale:
                head, _sep, rest = key.partition(".")
                if rest:
                    self.answers[head].pop(rest, None)
                else:
                    self.answers.pop(head, None)
        keys = {s.key for s in self.current_slots()}
        self.done = [k for k in self.done if k in keys]

    def _save(self) -> None:
        if self.draft is not None:
            self.draft.save(self.answers, self.done, ui_language())

    def record(self, slot: Slot, value: Any) -> None:
        before = get(self.answers, slot.key)
        put(self.answers, slot.key, value)
        if slot.key not in self.done:
            self.done.append(slot.key)
        if before != value:
            self._prune()
        self._save()

    # --- asking ------------------------------------------------------------------------------
    def ask(self, slot: Slot) -> Any:
        """Ask one slot; returns the raw answer (answers-file shape) or BACK."""
        back = bool(self.history)
        current = get(self.answers, slot.key)
        label = slot.text()
        if slot.type == "evidence":
            return self.ask_evidence(slot, back)
        if slot.type == "choice":
            choices = [(cid, lab if isinstance(lab, str) else pick(lab)) for cid, lab in slot.choices]
            return self.asker.choose(label, choices, current if current is not None else slot.default, back)
        if slot.type == "bool":
            default = current if isinstance(current, bool) else bool(slot.default)
            return self.asker.confirm(label, default, back)
        default = current if current not in (None, "") else (self.today.strftime("%d/%m/%Y") if slot.key == "date" else (slot.default or ""))
        if isinstance(default, dt.date):
            default = default.strftime("%d/%m/%Y")

        def check(raw: str) -> Optional[str]:
            if raw.strip() == "":
                return None if not slot.required else _("This answer is required.")
            try:
                parse_slot(slot, raw, self.answers)
            except FieldError as exc:
                return exc.message
            return None

        raw = self.asker.text(label + ("" if slot.required else " " + _("(optional)")), str(default), check, slot.help_text(), back)
        if raw is BACK:
            return BACK
        return raw.strip() or None

    def ask_evidence(self, slot: Slot, back: bool) -> Any:
        """For each document: does the person have it; if not, what counts and how to get it."""
        dispute = self.cat.disputes[self.answers["dispute"]]
        facts = self.answers.get("facts") or {}
        have: list[str] = []
        documents = [(r.evidence, r.required) for r in dispute.evidence if applies(r.when, facts)]
        if self.answers.get("writer_role") == "social-worker" and MANDATE not in [d[0] for d in documents]:
            documents.insert(0, (MANDATE, True))  # a social worker acts on the client's mandate, whatever the dispute
        current = get(self.answers, "evidence") or []
        for n, (eid, required) in enumerate(documents):
            ev = self.cat.evidence[eid]
            title = pick(ev.label) + ("" if required else " " + _("(recommended)"))
            answer = self.asker.confirm(_("Do you have this document: {label}?").format(label=title),
                                        eid in current or not current, back and n == 0)
            if answer is BACK:
                return BACK
            if answer:
                have.append(eid)
                self.asker.say(_("Good proof: {text}").format(text=pick(ev.valid)))
                continue
            self.asker.say(_("What counts as good proof: {text}").format(text=pick(ev.valid)))
            if ev.invalid:
                self.asker.say(_("Not enough: {text}").format(text=pick(ev.invalid)))
            self.asker.say(_("How to get it: {text}").format(text=pick(ev.obtain)))
            if required:
                choice = self.asker.choose(
                    _("This document is needed. What do you want to do?"),
                    [("continue", _("Go on: the letter will say the document will follow")),
                     ("stop", _("Stop here and keep my answers as a draft"))],
                    "continue", False)
                if choice == "stop":
                    put(self.answers, "evidence", have)
                    self._save()
                    raise Stop(_("Your answers are kept. Run plainte new to continue."))
        return have

    def advise(self) -> None:
        """Waiting periods and warnings, once each, as soon as the answers they depend on are known."""
        from plainte import fields
        from plainte.deadlines import add_business_days
        from plainte.letters import format_day

        dispute = self.cat.disputes.get(str(self.answers.get("dispute")))
        inst = resolve_institution(self.answers, self.cat)
        if dispute is None or inst is None:
            return
        facts = self.answers.get("facts") or {}
        country = inst.country if inst.country in ("BE", "FR") else "BE"
        for w in dispute.waiting:
            key = f"wait:{w.after}:{w.business_days}"
            if key in self._warned or not applies(w.when, facts) or facts.get(w.after) in (None, ""):
                continue
            try:
                start = fields.parse_date(facts[w.after], field=w.after)
            except FieldError:
                continue
            until = add_business_days(start, w.business_days, country)
            self._warned.add(key)
            if self.today < until:
                self.asker.say(_("Wait: {reason} Send it on {date} at the earliest.").format(reason=pick(w.reason), date=format_day(until, ui_language())), "warning")
        for w in dispute.warnings:
            key = f"warn:{w.id}"
            if key in self._warned or not applies(w.when, facts):
                continue
            if w.when and not all(k in facts for k in w.when):
                continue
            self._warned.add(key)
            self.asker.say("! " + pick(w.text), "warning")

    def offer_costs(self) -> None:
        """Once, before the review: check the costs a Belgian demand adds (advice, not letter text)."""
        from plainte import costs_offer

        if self._costs_offered or not costs_offer.applies_to(self.answers, resolve_institution(self.answers, self.cat)):
            return
        self._costs_offered = True
        costs_offer.offer(self.asker)

    def review(self) -> Optional[str]:
        """Show every answer; return None to go on, or the key of the answer to change."""
        shown = []
        for slot in self.current_slots():
            if slot.type == "evidence" or get(self.answers, slot.key) not in (None, ""):
                shown.append(slot)
        self.asker.say(_("Please check your answers:"), "title")
        for slot in shown:
            self.asker.say(f"  {slot.text()}: {_display(slot, get(self.answers, slot.key))}")
        choice = self.asker.choose(_("Is everything right?"),
                                   [("write", _("Yes, write the letter")), ("change", _("Change an answer")),
                                    ("stop", _("Stop here and keep my answers as a draft"))], "write", False)
        if choice == "stop":
            raise Stop(_("Your answers are kept. Run plainte new to continue."))
        if choice != "change":
            return None
        key = self.asker.choose(_("Which answer do you want to change?"),
                                [(s.key, f"{s.text()}: {_display(s, get(self.answers, s.key))}") for s in self.current_slots()],
                                None, False)
        return key

    def choose_language(self) -> None:
        choose_language(self.asker)

    def run(self, *, ask_language: bool = True, ask_output: bool = True, from_file: bool = False) -> Result:
        """The whole flow; raises Stop or KeyboardInterrupt (the draft is saved after every answer)."""
        if ask_language:
            self.choose_language()
        self.prefill(skip_optional=from_file)
        while True:
            slot = self.pending()
            if slot is None:
                _typed, problems = validate(self.answers, self.cat, today=self.today)
                if problems:  # should not happen: re-ask what is wrong
                    bad = {p.field for p in problems}
                    self.done = [k for k in self.done if k not in bad]
                    if self.pending() is None:
                        raise PlainteError("\n".join(str(p) for p in problems))
                    continue
                self.offer_costs()
                key = self.review()
                if key is None:
                    break
                target = next(s for s in self.current_slots() if s.key == key)
                value = self.ask(target)
                if value is not BACK:
                    self.record(target, value)
                    self.advise()
                continue
            value = self.ask(slot)
            if value is BACK:
                if self.history:
                    previous = self.history.pop()
                    if previous in self.done:
                        self.done.remove(previous)
                continue
            self.history.append(slot.key)
            self.record(slot, value)
            self.advise()
        result = Result(answers=self.answers)
        if ask_output:
            result.formats = self.asker.multi(_("In which formats do you want the letter?"),
                                              [("txt", _("Plain text (.txt)")), ("md", _("Markdown (.md)")), ("html", _("Web page to print (.html)"))],
                                              ["txt", "html"]) or ["txt"]
            result.out_dir = self.asker.text(_("In which folder should the letter be saved?"), ".", lambda raw: None, "", False) or "."
        return result
