"""The only module that talks to questionary: the terminal asker, and a plain line-by-line asker.

The plain mode (--plain, or TERM=dumb) prints numbered choices and reads lines: no cursor movement and
no colour, so a screen reader can follow it.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, Optional

from plainte.asking import BACK, Choice
from plainte.i18n import _

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BACK_WORD = "<"


def inert(text: Any) -> str:
    """Text safe to show on a terminal: escape sequences and control characters removed."""
    return _CONTROL.sub("", str(text))


class PlainAsker:
    """Line-by-line questions with numbered choices (screen readers, dumb terminals)."""

    def __init__(self, stdin: Any = None, stdout: Any = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.on_shown: Optional[Callable[[], None]] = None  # called once, when the first question is on screen

    def _shown(self) -> None:
        if self.on_shown is not None:
            hook, self.on_shown = self.on_shown, None
            hook()

    def _write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _line(self, prompt: str) -> str:
        self._write(prompt)
        self._shown()
        line = self.stdin.readline()
        if line == "":
            raise KeyboardInterrupt  # end of input: stop, the draft is kept
        return line.rstrip("\n").rstrip("\r")

    def say(self, text: str, style: str = "") -> None:
        self._write(inert(text) + "\n")

    def choose(self, message: str, choices: Sequence[Choice], default: Optional[str], back: bool) -> Any:
        self._write("\n" + inert(message) + "\n")
        for n, choice in enumerate(choices, 1):
            mark = " *" if choice[0] == default else ""
            about = f" — {inert(choice[2])}" if len(choice) > 2 else ""
            self._write(f"  {n}. {inert(choice[1])}{mark}{about}\n")
        hint = _("Type a number and press Enter.")
        if default is not None:
            hint += " " + _("Enter alone keeps the choice marked *.")
        if back:
            hint += " " + _("Type < to go back.")
        self._write(hint + "\n")
        while True:
            raw = self._line("? ").strip()
            if back and raw == BACK_WORD:
                return BACK
            if raw == "" and default is not None:
                return default
            if raw.isdigit() and 1 <= int(raw) <= len(choices):
                return choices[int(raw) - 1][0]
            self._write(_("Please type a number from 1 to {n}.").format(n=len(choices)) + "\n")

    def text(self, message: str, default: str, validate: Callable[[str], Optional[str]], help: str, back: bool) -> Any:
        self._write("\n" + inert(message) + "\n")
        if help:
            self._write("  " + inert(help) + "\n")
        if default:
            self._write("  " + _("Enter alone keeps: {value}").format(value=inert(default)) + "\n")
        if back:
            self._write("  " + _("Type < to go back.") + "\n")
        while True:
            raw = self._line("? ")
            if back and raw.strip() == BACK_WORD:
                return BACK
            if raw.strip() == "" and default:
                raw = default
            error = validate(raw)
            if error is None:
                return raw
            self._write(_("Not accepted: {error}").format(error=inert(error)) + "\n")

    def confirm(self, message: str, default: Optional[bool], back: bool) -> Any:
        answer = self.choose(message, [("yes", _("Yes")), ("no", _("No"))], _yes_no(default), back)
        return answer if answer is BACK else answer == "yes"

    def multi(self, message: str, choices: list[tuple[str, str]], defaults: list[str]) -> list[str]:
        self._write("\n" + inert(message) + "\n")
        for n, (cid, label) in enumerate(choices, 1):
            mark = " *" if cid in defaults else ""
            self._write(f"  {n}. {inert(label)}{mark}\n")
        self._write(_("Type the numbers separated by commas. Enter alone keeps the choices marked *.") + "\n")
        while True:
            raw = self._line("? ").strip()
            if raw == "":
                return list(defaults)
            picks = [p.strip() for p in raw.split(",") if p.strip()]
            if all(p.isdigit() and 1 <= int(p) <= len(choices) for p in picks):
                return [choices[int(p) - 1][0] for p in dict.fromkeys(picks)]
            self._write(_("Please type numbers from 1 to {n}.").format(n=len(choices)) + "\n")


def fold(text: str) -> str:
    """Text for searching: decomposed (NFKD), combining marks (accents) removed, case folded, the ligatures œ and æ
    spelt out: "Déjà" -> "deja", "Œuvre" -> "oeuvre"."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return bare.replace("œ", "oe").replace("æ", "ae")


def search_matches(query: str, title: Any) -> bool:
    """True when what was typed occurs in a choice's title, whatever the accents and the case ("regle" finds
    "Règlement"). A title may be prompt_toolkit formatted text: (style, text) pairs."""
    text = title if isinstance(title, str) else "".join(part[1] for part in title or ())
    return fold(query) in fold(text)


def _yes_no(default: Optional[bool]) -> Optional[str]:
    return None if default is None else ("yes" if default else "no")


_ENGLISH_DESCRIPTION = "  Description: "  # questionary's own prefix, replaced by the explanation alone


@functools.cache
def _described_control() -> Any:
    """questionary's choice list, showing the highlighted choice's explanation under the list, wrapped, without
    questionary's English "Description:" prefix, and searched without regard to accents or case (the class is
    made once, on the first choice list: questionary is imported only then)."""
    import shutil
    import textwrap

    from questionary.prompts.common import InquirerControl

    class DescribedControl(InquirerControl):  # type: ignore[misc]
        @property
        def filtered_choices(self) -> list[Any]:
            """questionary's filter, but blind to accents and case (typing "deja" finds "Déjà payé")."""
            if not self.search_filter:
                return self.choices
            found = [c for c in self.choices if search_matches(self.search_filter, c.title)]
            self.found_in_search = len(found) > 0
            return found if self.found_in_search else self.choices

        def _get_choice_tokens(self) -> list[tuple[str, str]]:
            tokens = []
            for style, text in super()._get_choice_tokens():
                if text.startswith(_ENGLISH_DESCRIPTION):
                    width = max(30, shutil.get_terminal_size().columns - 4)
                    text = "\n".join(textwrap.wrap(text[len(_ENGLISH_DESCRIPTION):], width,
                                                    initial_indent="  ", subsequent_indent="  "))
                tokens.append((style, text))
            return tokens

    return DescribedControl


def _enter_clears_a_search_that_found_nothing(question: Any) -> None:
    """Enter after typing what matches no choice (a postal code typed while the country list is shown) clears the
    search and shows the whole list again, instead of choosing the highlighted choice the person never looked at."""
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.keys import Keys

    control = next((c for c in question.application.layout.find_all_controls() if isinstance(c, _described_control())), None)
    if control is None:  # another questionary: its own Enter stays
        return

    def found_nothing() -> bool:
        if not control.search_filter:
            return False
        _shown = control.filtered_choices  # sets found_in_search for the text typed so far
        return not control.found_in_search

    @question.application.key_bindings.add(Keys.ControlM, eager=True, filter=Condition(found_nothing))
    def _clear(event: Any) -> None:  # added after questionary's Enter: prompt_toolkit runs the last match
        control.search_filter = None


class TerminalAsker:
    """Questions with questionary: arrow keys, type-to-search, validation as you type."""

    SEARCH_FROM = 6  # lists this long can be searched by typing

    def __init__(self) -> None:
        os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")  # no English warning on terminals without CPR
        if os.environ.get("NO_COLOR"):
            os.environ.setdefault("PROMPT_TOOLKIT_COLOR_DEPTH", "DEPTH_1_BIT")
        import questionary  # noqa: F401  (loaded now, before the catalogue is read in the background)

        self.on_shown: Optional[Callable[[], None]] = None  # called once, when the first question is on screen

    def _ask(self, question: Any) -> Any:
        if self.on_shown is not None:
            hook, self.on_shown = self.on_shown, None
            question.application.after_render += lambda _app: hook()  # the hook runs its work once
        return question.unsafe_ask()

    def say(self, text: str, style: str = "") -> None:
        """Print text as text (never markup), in prompt_toolkit's colours, which NO_COLOR turns off."""
        from prompt_toolkit import print_formatted_text
        from prompt_toolkit.formatted_text import FormattedText

        pt_style = {"warning": "ansiyellow", "title": "bold", "error": "ansired"}.get(style, "")
        print_formatted_text(FormattedText([(pt_style, inert(text))]))

    def _back_choice(self) -> Any:
        import questionary

        return questionary.Choice(title="← " + _("Back"), value=BACK)

    def choose(self, message: str, choices: Sequence[Choice], default: Optional[str], back: bool) -> Any:
        import questionary
        from questionary.prompts import select as select_module

        items = [questionary.Choice(title=inert(c[1]), value=c[0], description=inert(c[2]) if len(c) > 2 else None)
                 for c in choices]
        if back:
            items.append(self._back_choice())
        search = len(choices) >= self.SEARCH_FROM
        instruction = _("(type to search, arrows to move, Enter to choose)") if search else _("(arrows to move, Enter to choose)")
        start = next((c for c in items if c.value == default), None)
        plain_control = select_module.InquirerControl
        select_module.InquirerControl = _described_control()  # the list is built inside select(): swap it there only
        try:
            question = questionary.select(inert(message), choices=items, default=start, instruction=instruction,
                                          use_search_filter=search, use_jk_keys=not search, qmark="?")
        finally:
            select_module.InquirerControl = plain_control
        if search:
            _enter_clears_a_search_that_found_nothing(question)
        return self._ask(question)

    def text(self, message: str, default: str, validate: Callable[[str], Optional[str]], help: str, back: bool) -> Any:
        import questionary

        if help:
            self.say("  " + help)
        if back:
            self.say("  " + _("Type < and Enter to go back."))

        def check(raw: str) -> Any:
            if back and raw.strip() == BACK_WORD:
                return True
            error = validate(raw)
            return True if error is None else error

        raw = self._ask(questionary.text(inert(message), default=default, validate=check, qmark="?"))
        return BACK if back and raw.strip() == BACK_WORD else raw

    def confirm(self, message: str, default: Optional[bool], back: bool) -> Any:
        answer = self.choose(message, [("yes", _("Yes")), ("no", _("No"))], _yes_no(default), back)
        return answer if answer is BACK else answer == "yes"

    def multi(self, message: str, choices: list[tuple[str, str]], defaults: list[str]) -> list[str]:
        import questionary

        items = [questionary.Choice(title=inert(label), value=cid, checked=cid in defaults) for cid, label in choices]
        # questionary sums up the answer in English ("done (2 selections)"): its line says the labels instead,
        # and is erased once answered, to write ours
        from questionary.prompts import common

        make_layout = common.create_inquirer_layout
        common.create_inquirer_layout = lambda ic, tokens, **kw: make_layout(ic, answered_as_labels(ic, tokens), **kw)
        try:  # checkbox() builds its layout now, not when asked
            picked = questionary.checkbox(inert(message), choices=items, instruction=_("(Space to tick, Enter to confirm)"),
                                          validate=lambda ticked: True if ticked else _("Tick at least one (Space), then press Enter."),
                                          qmark="?", erase_when_done=True)
        finally:
            common.create_inquirer_layout = make_layout
        picked = self._ask(picked)
        labels = [inert(label) for cid, label in choices if cid in picked]
        self.say("? " + inert(message) + " " + (", ".join(labels) or _("none")))
        return picked


def answered_as_labels(ic: Any, tokens: Callable[[], list[tuple[str, str]]]) -> Callable[[], list[tuple[str, str]]]:
    """The prompt line of a checkbox: once answered, the ticked labels instead of questionary's English summary."""

    def line() -> list[tuple[str, str]]:
        out = tokens()
        if not ic.is_answered:
            return out
        labels = ", ".join(str(choice.title) for choice in ic.get_selected_values()) or _("none")
        return [t for t in out if t[0] != "class:answer"] + [("class:answer", labels)]

    return line


def make_asker(plain: bool) -> Any:
    """The plain asker when asked for or when the terminal is dumb; questionary otherwise."""
    if plain or os.environ.get("TERM") == "dumb":
        return PlainAsker()
    return TerminalAsker()
