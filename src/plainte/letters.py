"""The Jinja environment for letters: sandboxed, strict, i18n per letter language, Babel filters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from plainte.i18n import LETTER_DOMAIN, pick, translations
from plainte.resources import letters_dir
from plainte.template_cache import CompiledTemplates, cache_folder, fingerprint

FORMATS = ("txt", "md", "html")
OUTPUT_FORMATS = (*FORMATS, "pdf", "eml")  # what --format accepts: the text formats, a PDF, an e-mail
BODY = "pdf"  # the letter below its header (sender, sending mode, recipient), paragraphs unwrapped: pdf.py lays out the rest
LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}
WIDTH = 78
FORMAT_CACHE = 4096  # amounts and dates formatted per locale, kept: a batch repeats the same few thousand
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")  # inline Markdown syntax
_MD_LINE_START = re.compile(r"^(\s*)([#+\-]|\d+\.)(\s)", re.M)  # a value must not start a heading or a list


@lru_cache(maxsize=None)
def _babel_locale(lang: str) -> Any:
    from babel import Locale

    return Locale.parse(LOCALES[lang])


def format_money(value: Any, lang: str) -> str:
    """An amount in euro in the letter's locale: "1 234,56 €", "€ 1.234,56", "€1,234.56"."""
    return _money(str(value), lang)


@lru_cache(maxsize=FORMAT_CACHE)
def _money(text: str, lang: str) -> str:
    from babel.numbers import format_currency

    return format_currency(Decimal(text), "EUR", locale=_babel_locale(lang))


def format_day(value: dt.date, lang: str) -> str:
    """A date written out in the letter's language: "1er novembre 2026", "21 november 2026"."""
    if type(value) is dt.date:  # noqa: E721 - a datetime, or None (babel's today), is formatted each time
        return _day(value, lang)
    return _format_day(value, lang)


def _format_day(value: dt.date, lang: str) -> str:
    from babel.dates import format_date

    text = format_date(value, format="long", locale=_babel_locale(lang))
    if lang == "fr" and value.day == 1:
        text = "1er" + text[1:]
    return text


_DOUBLE_STOP = re.compile(r"(?<!\.)(\.\.|\.{4})(?=[\s)]|$)")  # "Acme Ltd." + "." / "etc..." + "."


def single_stop(text: Any) -> Any:
    """One full stop where a sentence ends with a value that already ends in one: "The creditor is Acme Ltd.."
    becomes "... Acme Ltd.", "etc...." becomes "etc..."; an ellipsis of its own is kept. Markup stays Markup."""
    if ".." not in text:
        return text
    fixed = _DOUBLE_STOP.sub(lambda m: m.group(1)[:-1], str(text))
    return Markup(fixed) if isinstance(text, Markup) else fixed


_day = lru_cache(maxsize=FORMAT_CACHE)(_format_day)


def md_escape(text: str) -> str:
    """Escape Markdown syntax in a value so it prints literally."""
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) + m.group(3), _MD_SPECIAL.sub(r"\\\1", text))


_ASCII_SPACE = re.compile(r"[ \t\x0b\x0c\r]+")


def _tidy(line: str) -> bool:
    """True when the line has no run of ASCII spaces, no tab, CR, VT or FF and no space at either end."""
    return not ("  " in line or "\t" in line or "\r" in line or "\x0b" in line or "\x0c" in line
                or line[:1] == " " or line[-1:] == " ")


def wrap_line(line: str, width: int = WIDTH) -> str:
    """Greedy wrap at ordinary spaces only (no-break spaces hold amounts and dates together); a word longer
    than the width stays whole. Same result as textwrap.fill(break_long_words=False, break_on_hyphens=False)
    on our text, at a fraction of its cost (it was half the time of a plain-text letter).

    The words are joined by single spaces first; then each line ends at the last space that keeps it within
    the width (or, for a word longer than the width, at the space after that word)."""
    text = line if _tidy(line) else " ".join(w for w in _ASCII_SPACE.split(line) if w)
    if len(text) <= width:
        return text
    lines = []
    start, end = 0, len(text)
    while end - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut < 0:  # the first word is longer than the width: it stays whole, on its own line
            cut = text.find(" ", start + width + 1)
            if cut < 0:
                break
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    return "\n".join(lines)


# wrap_line's greedy cut in one pass over a tidy paragraph: up to WIDTH characters ending before a space or a
# line end, else a word longer than the width, whole. One C call instead of a loop per line (a plain-text letter
# has some twenty paragraphs).
_WRAPPED_LINE = re.compile(r"(.{1,%d}|[^ \n]+)(?: |$)" % WIDTH, re.M)


def _tidy_paragraph(text: str) -> bool:
    """True when each line is tidy (see _tidy) and no line is empty, in a paragraph already stripped."""
    if "  " in text or "\t" in text or "\r" in text or "\x0b" in text or "\x0c" in text:
        return False
    # most paragraphs are one line: one search for a newline spares three slower two-character searches
    return "\n" not in text or not (" \n" in text or "\n " in text or "\n\n" in text)


def _para_txt(text: str) -> str:
    """The paragraph with each of its lines wrapped (wrap_line), then a blank line."""
    text = str(text).strip()
    if not _tidy_paragraph(text):  # white space to collapse, or an empty line to keep: line by line
        return "\n".join([wrap_line(line) for line in text.split("\n")]) + "\n\n"
    if len(text) <= WIDTH:
        return text + "\n\n"
    return "\n".join(_WRAPPED_LINE.findall(text)) + "\n\n"


def _para_plain(text: str) -> str:
    return "\n".join(line.rstrip() for line in str(text).strip().split("\n")) + "\n\n"


def _para_md(text: str) -> str:
    return re.sub(r"(?<!  )\n", "  \n", str(text).strip()) + "\n\n"


_NEWLINE_NOT_AFTER_BR = re.compile(r"(?<!<br>)\n")


def _para_html(text: Any) -> Markup:
    body = escape(text).strip() if not isinstance(text, Markup) else Markup(str(text).strip())
    return Markup("<p>") + Markup(_NEWLINE_NOT_AFTER_BR.sub("<br>\n", str(body))) + Markup("</p>\n")


def _lines_txt(lines: list[str]) -> str:
    return "\n".join(str(x) for x in lines if x)


def _lines_md(lines: list[str]) -> str:
    return "  \n".join(str(x) for x in lines if x)  # values are escaped when the context is built


def _lines_html(lines: list[str]) -> Markup:
    return Markup("<br>\n").join(escape(str(x)) for x in lines if x)


def _bullets(fmt: str) -> Callable[[list[str]], Any]:
    if fmt == "html":
        return lambda items: Markup("<br>\n").join(Markup("– ") + escape(x) for x in items)  # a macro's Markup is not escaped twice
    return lambda items: "\n".join("- " + str(x) for x in items)


_PARA: dict[str, Callable[[Any], Any]] = {"txt": _para_txt, "md": _para_md, "html": _para_html, BODY: _para_plain}
_LINES: dict[str, Callable[[list[str]], Any]] = {"txt": _lines_txt, "md": _lines_md, "html": _lines_html, BODY: _lines_txt}


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _LetterEnvironment(SandboxedEnvironment):
    """The sandbox, except that the letters' own gettext and ngettext (installed below) are called without
    being inspected first: they are ours, and they only look up and %-format text. Every other callable a
    template reaches is checked as before. (The inspection was a third of a plain-text letter's time.)"""

    own_gettext: Any = None
    own_ngettext: Any = None
    translate: Any = None  # the letter language's catalog.gettext, that own_gettext calls

    def make_globals(self, d: Any) -> Any:
        """A template's globals as one plain dict, not Jinja's ChainMap over the environment's: each letter's
        context starts as a copy of them, and copying a ChainMap cost more than building the whole context.
        Same content: environment() sets every global before any template is loaded (as Jinja asks), and
        nothing changes them afterwards."""
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`x.name` on the context's plain dicts: the item, as the sandbox gives it, without first failing
        getattr (an AttributeError raised and caught for each of a letter's few dozen `references.x`,
        `institution.name`). A name that is a dict attribute (`items`, `__class__`) goes the sandbox's way."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:  # a plain dict has no other attribute
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as Jinja's
        if __obj is __self.own_gettext and len(args) == 1:  # {% trans %}: a letter's commonest call, done here
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return _filled(__context, __self.translate(args[0]), kwargs)
        if __obj is __self.own_gettext or __obj is __self.own_ngettext:
            kwargs.pop("_block_vars", None)  # for these two, only the evaluation context (shared) matters
            kwargs.pop("_loop_vars", None)
            return __obj(__context, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _new_gettext(translate: Callable[[str], str]) -> Callable[..., str]:
    """Jinja's newstyle gettext (jinja2.ext._make_new_gettext), calling the translation directly; every sentence,
    values filled in, goes through single_stop (a value may end the sentence in one language, not in another)."""

    @pass_context
    def gettext(__context: Context, __string: str, **variables: Any) -> str:
        return _filled(__context, translate(__string), variables)

    return gettext


def _filled(context: Context, text: str, variables: dict[str, Any]) -> Any:
    """A translated sentence with its values filled in: always a format string, as in Jinja ("%%" is a percent
    sign); Markup when autoescaping; then single_stop."""
    if context.eval_ctx.autoescape:
        text = Markup(text)
    text = text % variables
    return single_stop(text) if ".." in text else text


def _new_ngettext(translate: Callable[[str, str, int], str]) -> Callable[..., str]:
    """Jinja's newstyle ngettext (jinja2.ext._make_new_ngettext), calling the translation directly, then single_stop."""

    @pass_context
    def ngettext(__context: Context, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
        variables.setdefault("num", __num)
        rv = translate(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return single_stop(rv % variables)

    return ngettext


@lru_cache(maxsize=None)
def _shared_code(fmt: str) -> CompiledTemplates:
    """The compiled templates of one format, shared by the letter languages and kept between runs (template_cache)."""
    from plainte import template_cache

    return CompiledTemplates(fmt, cache_folder(), fingerprint(__file__, template_cache.__file__))


def _at_render(filter_: Callable[[Any], Any]) -> Callable[..., Any]:
    """A filter of the letter's language, run when the letter renders. Jinja computes a filter of a constant
    ("20.00"|money) when it compiles the template, unless the filter takes the context: the compiled code,
    shared by the languages, must not keep the language it was first compiled in."""
    return pass_context(lambda _context, value: filter_(value))


@lru_cache(maxsize=None)
def environment(fmt: str, lang: str) -> SandboxedEnvironment:
    """One compiled environment per output format and letter language (cached: templates compile once)."""
    env = _LetterEnvironment(
        loader=FileSystemLoader(str(letters_dir())),
        undefined=StrictUndefined,
        autoescape=fmt == "html",
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the packaged templates do not change while a process runs: no stat of each file per letter
        bytecode_cache=_shared_code(fmt),
    )
    catalog = translations(lang, LETTER_DOMAIN)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    env.translate = catalog.gettext
    env.own_gettext = env.globals["gettext"] = _new_gettext(catalog.gettext)
    env.own_ngettext = env.globals["ngettext"] = _new_ngettext(catalog.ngettext)
    env.filters["money"] = _at_render(lambda v: format_money(v, lang))
    env.filters["day"] = _at_render(lambda v: format_day(v, lang))
    env.filters["para"] = _PARA[fmt]
    env.filters["lines"] = _LINES[fmt]
    env.filters["bullets"] = _bullets(fmt)
    env.filters["label"] = _at_render(lambda v: pick(v, lang))
    env.filters["iban"] = _format_iban
    env.filters["lower_first"] = lambda v: str(v)[:1].lower() + str(v)[1:]
    env.globals["fmt"] = fmt
    env.globals["lang"] = lang
    return env


def _format_iban(value: str) -> str:
    from plainte.identifiers import format_iban

    return format_iban(value)


_BLANK_LINES = re.compile(r"\n\n\n+")  # not \n{3,}: this form is searched for as a literal, ten times faster


def render(template: str, context: dict[str, Any], fmt: str, lang: str) -> str:
    """Render one letter template in a format and language; user values are context, never template."""
    env = environment(fmt, lang)
    text = env.get_template(template).render(context)
    if fmt != "html":
        text = _BLANK_LINES.sub("\n\n", text).strip() + "\n"
    return text
