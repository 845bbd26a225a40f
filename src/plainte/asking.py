"""What the wizard and its askers share, light enough to load before the first screen: BACK, Stop, the Asker protocol."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Optional, Protocol, Union

from plainte.errors import PlainteError
from plainte.i18n import LANGUAGES, set_ui_language, ui_language

BACK = object()  # an asker returns this to go back one question


class Stop(PlainteError):
    """The person chose to stop; the draft is kept."""

    exit_code = 0

Choice = Union[tuple[str, str], tuple[str, str, str]]  # (id, label) or (id, label, one-line explanation)


class Asker(Protocol):
    """How questions reach a person: a terminal UI, a line-by-line mode, or a script in tests."""

    def choose(self, message: str, choices: Sequence[Choice], default: Optional[str], back: bool) -> Any: ...

    def text(self, message: str, default: str, validate: Callable[[str], Optional[str]], help: str, back: bool) -> Any: ...

    def confirm(self, message: str, default: Optional[bool], back: bool) -> Any: ...

    def multi(self, message: str, choices: list[tuple[str, str]], defaults: list[str]) -> list[str]: ...

    def say(self, text: str, style: str = "") -> None: ...


def choose_language(asker: Asker) -> None:
    """The first screen: the language of every screen after it (the letter's language is asked later)."""
    names = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
    lang = asker.choose("Langue · Taal · Language", names, ui_language(), False)
    if lang in LANGUAGES:
        set_ui_language(lang)
