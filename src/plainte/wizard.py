"""The wizard's flow over the interview slots: back, review, evidence step, waiting advice, drafts.

UI-agnostic: an Asker (prompts.py, or a scripted one in tests) does the asking.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional

from plainte.asking import BACK, Asker, Choice, Stop, choose_language
from plainte.catalog import Catalogue
from plainte.drafts import DraftStore
from plainte.errors import FieldError, PlainteError
from plainte.i18n import _, ngettext, pick, ui_language
from plainte.interview import Slot, fact_date_problem, get, parse_slot, put, resolve_institution, slots, validate
from plainte.wizard_screens import ask_output as output_screen, review, waits

__all__ = ["BACK", "Asker", "Result", "Stop", "Wizard", "choose_language"]
MANAGED = ("sender", "client", "recipient", "mediator", "references", "facts")


@dataclass
class Result:
    """What the wizard gathered: the answers file, the formats and the folder to write to."""

    answers: dict[str, Any]
    formats: list[str] = field(default_factory=lambda: ["txt"])
    out_dir: str = "."


def _managed_keys(answers: dict[str, Any]) -> list[str]:
    keys = [k for k in answers if k not in MANAGED and k not in ("attachments",)]
    for head in MANAGED:
        inner = answers.get(head)
        if isinstance(inner, dict):
            keys += [f"{head}.{k}" for k in inner]
    return keys


class Wizard:
    """Asks what is missing, one slot at a time, in the order the slots come."""

    def __init__(self, cat: Catalogue, asker: Asker, *, answers: Optional[dict[str, Any]] = None,
                 done: Optional[list[str]] = None, draft: Optional[DraftStore] = None,
                 today: Optional[dt.date] = None, language_screen: bool = False) -> None:
        self.cat = cat
        self.asker = asker
        self.answers: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (answers or {}).items()}
        self.done: list[str] = list(done or [])
        self.draft = draft
        self.today = today or dt.date.today()
        self.language_screen = language_screen  # back from the first question returns to the language screen
        self.problems: dict[str, str] = {}  # why a given answer is asked again
        self._warned: set[str] = set()
        self._costs_offered = False
        self._slots: Optional[tuple[tuple[str, str], list[Slot]]] = None  # current_slots() for one state of the answers

    # --- state -------------------------------------------------------------------------------
    def current_slots(self) -> list[Slot]:
        """The slots in the order the wizard asks them: who writes first, then the institution and the rest.
        Worked out once per state of the answers (and UI language): several calls are made for each question."""
        key = (ui_language(), repr(self.answers))
        if self._slots is None or self._slots[0] != key:
            out = slots(self.answers, self.cat)
            self._slots = (key, sorted(out, key=lambda s: s.key != "writer_role"))
        return list(self._slots[1])

    def prefill(self, skip_optional: bool = False) -> int:
        """Accept every given answer that is valid; invalid ones will be asked again, saying why.

        With skip_optional (answers from a file), optional questions left out of the file are not asked, and a
        list of documents counts as an answer; in a draft only the questions marked done are. Returns how many
        answers were accepted.
        """
        _typed, problems = validate(self.answers, self.cat, today=self.today)
        self.problems = {p.field: p.message for p in problems if get(self.answers, p.field) not in (None, "")}
        bad = {p.field for p in problems}
        accepted = 0
        for slot in self.current_slots():
            if slot.key in bad or slot.key in self.done:
                continue
            if slot.type == "evidence" and not skip_optional:
                continue  # a draft's documents are only a starting point until the evidence step is done
            given = get(self.answers, slot.key) not in (None, "")
            if given or (skip_optional and not slot.required and slot.type != "evidence"):
                self.done.append(slot.key)
                accepted += given
        return accepted

    def pending(self) -> Optional[Slot]:
        for slot in self.current_slots():
            if slot.key not in self.done:
                return slot
        return None

    def previous(self, slot: Slot) -> Optional[Slot]:
        """The answered question just before this one: where "back" goes."""
        before = None
        for s in self.current_slots():
            if s.key == slot.key:
                return before
            if s.key in self.done:
                before = s
        return before

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

    def _documents(self) -> tuple[str, ...]:
        """The documents the evidence step asks about, given the answers so far."""
        return next((tuple(c[0] for c in s.choices) for s in self.current_slots() if s.type == "evidence"), ())

    def record(self, slot: Slot, value: Any) -> None:
        before, documents = get(self.answers, slot.key), self._documents()
        put(self.answers, slot.key, value)
        self.problems.pop(slot.key, None)
        if slot.key not in self.done:
            self.done.append(slot.key)
        if before != value:
            self._prune()
            now = self._documents()
            if now != documents and "evidence" in self.done:  # other documents apply now: ask about them again
                self.done.remove("evidence")
                self.answers["evidence"] = [e for e in self.answers.get("evidence") or [] if e in now]
        self._save()

    # --- asking ------------------------------------------------------------------------------
    def _choices(self, slot: Slot) -> list[Choice]:
        """A choice slot's options; disputes and institutions carry their one-line explanation."""
        out: list[Choice] = []
        for cid, lab in slot.choices:
            label = lab if isinstance(lab, str) else pick(lab)
            if slot.key == "dispute" and cid in self.cat.disputes:
                d = self.cat.disputes[cid]
                out.append((cid, pick(d.label), pick(d.summary)))
            elif slot.key == "institution" and cid in self.cat.institutions and self.cat.institutions[cid].description:
                out.append((cid, label, pick(self.cat.institutions[cid].description)))
            else:
                out.append((cid, label))
        return out

    def _default(self, slot: Slot, running: list[tuple[dt.date, str]]) -> Any:
        """The answer shown first: the one given, else a sensible one (the UI language, the first day to send
        after the `running` waiting periods)."""
        current = get(self.answers, slot.key)
        if current not in (None, ""):
            return current
        if slot.key == "language":
            inst = resolve_institution(self.answers, self.cat)
            if inst is not None and ui_language() in inst.languages:
                return ui_language()
        if slot.key == "date":
            return max([self.today] + [until for until, _reason in running]).strftime("%d/%m/%Y")
        return slot.default

    def ask(self, slot: Slot, back: bool) -> Any:
        """Ask one slot; returns the raw answer (answers-file shape) or BACK."""
        label = slot.text()
        if slot.key in self.problems:
            self.asker.say(_("Not accepted: {error}").format(error=self.problems[slot.key]), "warning")
        if slot.type == "evidence":
            return self.ask_evidence(back)
        running = self.waits() if slot.key == "date" else []  # for the default and the help: worked out once
        default = self._default(slot, running)
        if slot.type == "choice":
            return self.asker.choose(label, self._choices(slot), default, back)
        if slot.type == "bool":
            return self.asker.confirm(label, default if isinstance(default, bool) else bool(slot.default), back)
        if isinstance(default, dt.date):
            default = default.strftime("%d/%m/%Y")

        def check(raw: str) -> Optional[str]:
            if raw.strip() == "":
                return None if not slot.required else _("This answer is required.")
            try:
                value = parse_slot(slot, raw, self.answers)
            except FieldError as exc:
                return exc.message
            return fact_date_problem(slot.key, value, self.today)

        help_text = slot.help_text()
        if running:
            help_text = _("Send it on {date} at the earliest: see the advice above.").format(date=default)
        raw = self.asker.text(label + ("" if slot.required else " " + _("(optional)")), str(default or ""), check, help_text, back)
        if raw is BACK:
            return BACK
        return raw.strip() or None

    def ask_evidence(self, back: bool) -> Any:
        from plainte.evidence_step import StopForDocument, ask_evidence

        def keep(have: list[str]) -> None:
            put(self.answers, "evidence", have)
            self._save()

        try:
            return ask_evidence(self.asker, self.cat, self.answers, back, keep)
        except StopForDocument:
            raise Stop(_("Your answers are kept. When you have the document, run plainte new to continue.")) from None

    def waits(self) -> list[tuple[dt.date, str]]:
        """The waiting periods still running: (first day to send, why)."""
        return waits(self.cat, self.answers, self.today)

    def advise(self) -> None:
        """Waiting periods and warnings, once each, as soon as the answers they depend on are known."""
        from plainte.letters import format_day

        dispute = self.cat.disputes.get(str(self.answers.get("dispute")))
        inst = resolve_institution(self.answers, self.cat)
        if dispute is None or inst is None:
            return
        facts = self.answers.get("facts") or {}
        for until, reason in self.waits():
            key = f"wait:{until.isoformat()}:{reason}"
            if key not in self._warned:
                self._warned.add(key)
                self.asker.say(_("Wait: {reason} Send it on {date} at the earliest.").format(reason=reason, date=format_day(until, ui_language())), "warning")
        from plainte.plan import warnings_for

        for w in warnings_for(dispute, inst, facts):
            key = f"warn:{w.id}"
            if key in self._warned:
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
        return review(self.asker, self.current_slots(), self.answers, self.cat)

    def edit(self, key: str) -> None:
        """Ask one answer again from the review; later questions it makes necessary are asked next, the rest kept."""
        target = next(s for s in self.current_slots() if s.key == key)
        value = self.ask(target, True)
        if value is not BACK:
            self.record(target, value)
            self.advise()

    def go_back(self, slot: Slot) -> None:
        previous = self.previous(slot)
        if previous is not None:
            self.done.remove(previous.key)
        elif self.language_screen:
            choose_language(self.asker)

    def run(self, *, ask_language: bool = True, ask_output: bool = True, from_file: bool = False) -> Result:
        """The whole flow; raises Stop or KeyboardInterrupt (the draft is saved after every answer)."""
        if ask_language:
            choose_language(self.asker)
            self.language_screen = True
        accepted = self.prefill(skip_optional=from_file)
        if from_file:
            self.asker.say(ngettext("{n} answer taken from the file; only what is missing or not accepted is asked.",
                                    "{n} answers taken from the file; only what is missing or not accepted is asked.",
                                    accepted).format(n=accepted))
        while True:
            slot = self.pending()
            if slot is None:
                _typed, problems = validate(self.answers, self.cat, today=self.today)
                if problems:  # a cross-check across answers: ask again what it names
                    self.problems.update({p.field: p.message for p in problems})
                    bad = {p.field for p in problems}
                    self.done = [k for k in self.done if k not in bad]
                    if self.pending() is None:
                        raise PlainteError("\n".join(str(p) for p in problems))
                    continue
                self.offer_costs()
                key = self.review()
                if key is None:
                    break
                self.edit(key)
                continue
            value = self.ask(slot, self.previous(slot) is not None or self.language_screen)
            if value is BACK:
                self.go_back(slot)
                continue
            self.record(slot, value)
            self.advise()
        result = Result(answers=self.answers)
        if ask_output:
            result.formats, result.out_dir = output_screen(self.asker)
        return result
