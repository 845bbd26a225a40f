"""Translation catalogs: one for the UI language, one per letter language, kept separate."""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from functools import lru_cache

LANGUAGES = ("fr", "nl", "en")
DEFAULT_LANGUAGE = "en"
UI_DOMAIN = "messages"
LETTER_DOMAIN = "letters"

_current: gettext.NullTranslations = gettext.NullTranslations()
_current_lang = DEFAULT_LANGUAGE


def detect_language(env: Mapping[str, str] | None = None) -> str:
    """The UI language from PLAINTE_LANG, LANGUAGE, LC_ALL, LC_MESSAGES or LANG; English otherwise."""
    env = os.environ if env is None else env
    for key in ("PLAINTE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(key, "")
        for part in value.split(":"):
            code = part.split(".")[0].split("_")[0].split("-")[0].lower()
            if code in LANGUAGES:
                return code
            if code in ("c", "posix"):
                break
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def translations(lang: str, domain: str) -> gettext.NullTranslations:
    """The compiled catalog for lang and domain (UI messages or letters)."""
    from plainte.resources import locales_dir

    return gettext.translation(domain, str(locales_dir()), languages=[lang], fallback=True)


def set_ui_language(lang: str) -> None:
    """Choose the language of every message shown to the person."""
    global _current, _current_lang
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    _current_lang = lang
    _current = translations(lang, UI_DOMAIN)


def ui_language() -> str:
    """The current UI language code."""
    return _current_lang


def _(message: str) -> str:
    """Translate a UI message into the current UI language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a UI message with a plural form."""
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now."""
    return message


def pick(label: Mapping[str, str], lang: str | None = None) -> str:
    """The text of an inline {fr, nl, en} label in lang (the UI language by default)."""
    lang = lang or _current_lang
    return label.get(lang) or label.get(DEFAULT_LANGUAGE) or next(iter(label.values()), "")


def label_value(label: str, value: str) -> str:
    """"label: value" with the UI language's punctuation (French puts a space before the colon)."""
    return _("{label}: {value}").format(label=label, value=value)
