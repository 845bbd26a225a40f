"""Typed parsers and validators for every answer plainte accepts."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from plainte.errors import FieldError
from plainte.i18n import _

__all__ = [
    "FIELD_TYPES",
    "parse",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_integer",
    "parse_money",
    "parse_text",
]

FIELD_TYPES: tuple[str, ...] = (
    "text",
    "date",
    "money",
    "integer",
    "bool",
    "choice",
    "iban",
    "structured-communication",
    "email",
    "phone",
    "national-number",
    "enterprise-number",
    "postal-code",
)

# Every character class below is ASCII-only on purpose: [0-9] never matches
# Arabic-Indic or full-width digits, which int() and Decimal() would accept.

_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space
_SPACE_RE = re.compile(r"[ \u00a0\u202f]+")
_WS_RE = re.compile(r"\s+")

# ---------------------------------------------------------------- money

_MONEY_MAX = Decimal("100000000")
_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")
_MONEY_MAX_CHARS = 40
_CURRENCY_PREFIX_RE = re.compile(r"^(?:€|eur(?:os?)?)[ \u00a0\u202f]*", re.IGNORECASE)
_CURRENCY_SUFFIX_RE = re.compile(r"[ \u00a0\u202f]*(?:€|eur(?:os?)?)$", re.IGNORECASE)
_MONEY_BODY_RE = re.compile(r"[0-9](?:[0-9.,\u00a0\u202f ]*[0-9])?")
_INT_GROUP_FIRST_RE = re.compile(r"[1-9][0-9]{0,2}")
_INT_GROUP_RE = re.compile(r"[0-9]{3}")
_DIGITS_RE = re.compile(r"[0-9]+")
_AMBIGUOUS_LEAD_RE = re.compile(r"[1-9][0-9]{0,2}")
# 245 or 245,80 or 1 240,00: no currency, thousands grouped by single spaces, 1 or 2 decimals (never ambiguous)
_PLAIN_AMOUNT_RE = re.compile(r"(?:[0-9]+|[1-9][0-9]{0,2}(?: [0-9]{3})+)(?:[.,][0-9]{1,2})?")

# ---------------------------------------------------------------- dates

_DMY_RE = re.compile(r"([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{1,8})")
_ISO_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")

# ---------------------------------------------------------------- identifiers


# ---------------------------------------------------------------- text

# C0 and C1 controls (Unicode category Cc), bidi embeddings, overrides and
# isolates, LRM/RLM/ALM, zero-width space, the byte-order mark and lone
# surrogates (which could not be written to a UTF-8 file later).
_INVISIBLE = "\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff"
_STRIP_MULTILINE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _INVISIBLE + "]+")
_STRIP_SINGLE_LINE_RE = re.compile("[\x00-\x1f\x7f-\x9f" + _INVISIBLE + "]+")
_NEWLINE_RE = re.compile("\r\n?|[\u2028\u2029\x85]")
_BREAKS_RE = re.compile("[\t\n\x0b\x0c\r\u2028\u2029\x85]")
_MULTI_SPACE_RE = re.compile(" {2,}")
_TRAILING_SPACE_RE = re.compile("[ \t]+\n")

# ---------------------------------------------------------------- misc

_INTEGER_RE = re.compile(r"[+-]?[0-9]{1,30}")
_TRUE = frozenset({"yes", "true", "1", "oui", "ja", "y", "o", "j"})
_FALSE = frozenset({"no", "false", "0", "non", "nee", "n"})


def _required(field: str) -> FieldError:
    return FieldError(field, _("is required"))


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _digits_text(raw: object, width: int) -> str | None:
    """A str as is, or a non-negative int as digits left-padded to width (YAML drops leading zeros)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        text = str(raw) if raw < 10**width else ""
        return text.rjust(width, "0") if text else None
    return None


# ================================================================= money


def _money_expected(field: str) -> FieldError:
    return FieldError(field, _("expected an amount in euros such as 1.234,56"))


def _money_from_decimal(value: Decimal, *, field: str) -> Decimal:
    if not value.is_finite():
        raise _money_expected(field)
    if value < 0:
        raise FieldError(field, _("must not be negative"))
    if value > _MONEY_MAX:
        raise FieldError(field, _("is too large: at most {maximum}").format(maximum="100.000.000,00"))
    quantized = value.quantize(_CENT)
    if quantized != value:
        raise FieldError(field, _("has more than two decimals: write only the cents, e.g. 12,50"))
    return quantized if quantized else _ZERO


def _money_inconsistent(field: str) -> FieldError:
    return FieldError(field, _("has inconsistent thousands separators: write e.g. 1.234.567,89 or 1234567,89"))


def _valid_grouping(integer_part: str, separator: str) -> bool:
    groups = integer_part.split(separator)
    return bool(_INT_GROUP_FIRST_RE.fullmatch(groups[0])) and all(
        _INT_GROUP_RE.fullmatch(group) for group in groups[1:]
    )


def _money_text_to_plain(text: str, *, field: str) -> str:
    """Turn the number part of an amount into plain "1234.56" form, or raise FieldError."""
    has_space = any(c in text for c in _SPACES)
    if has_space:
        text = _SPACE_RE.sub(" ", text)
    dots = text.count(".")
    commas = text.count(",")

    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        thousands_sep = "," if decimal_sep == "." else "."
        if text.count(decimal_sep) != 1 or has_space:
            raise _money_inconsistent(field)
    elif dots + commas == 1:
        decimal_sep = "." if dots else ","
        thousands_sep = " "
        head, tail = text.split(decimal_sep)
        if (
            len(tail) == 3
            and not has_space
            and _AMBIGUOUS_LEAD_RE.fullmatch(head)
            and _DIGITS_RE.fullmatch(tail)
        ):
            raise FieldError(
                field,
                _(
                    '"{raw}" is ambiguous: did you mean {thousands} or {decimal}? '
                    "Write the cents with a comma, e.g. 1.234,00"
                ).format(raw=text, thousands=f"{head}{tail},00", decimal=f"{head},{tail}"),
            )
    elif dots or commas:  # one kind of separator, several times: thousands only
        sep = "." if dots else ","
        if has_space or not _valid_grouping(text, sep):
            raise _money_inconsistent(field)
        return text.replace(sep, "")
    else:  # digits and maybe spaces
        if has_space and not _valid_grouping(text, " "):
            raise _money_inconsistent(field)
        return text.replace(" ", "")

    integer_part, _sep, decimals = text.partition(decimal_sep)
    if not _DIGITS_RE.fullmatch(decimals):
        raise _money_inconsistent(field)
    if thousands_sep in integer_part and not _valid_grouping(integer_part, thousands_sep):
        raise _money_inconsistent(field)
    if not _DIGITS_RE.fullmatch(integer_part.replace(thousands_sep, "")):
        raise _money_inconsistent(field)
    if len(decimals) > 2:
        raise FieldError(field, _("has more than two decimals: write only the cents, e.g. 12,50"))
    return integer_part.replace(thousands_sep, "") + "." + decimals


def parse_money(raw: object, *, field: str) -> Decimal:
    """An amount in euros, >= 0 and <= 100 000 000, quantized to the cent."""
    if _is_blank(raw):
        raise _required(field)
    if isinstance(raw, bool):
        raise _money_expected(field)
    if isinstance(raw, int):
        if raw < 0:
            raise FieldError(field, _("must not be negative"))
        if raw > _MONEY_MAX:
            raise FieldError(field, _("is too large: at most {maximum}").format(maximum="100.000.000,00"))
        return Decimal(raw).quantize(_CENT)
    if isinstance(raw, float):
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):  # pragma: no cover - str(float) always parses
            raise _money_expected(field) from None
        return _money_from_decimal(value, field=field)
    if isinstance(raw, Decimal):
        return _money_from_decimal(raw, field=field)
    if not isinstance(raw, str):
        raise _money_expected(field)

    text = raw.strip()
    if len(text) > _MONEY_MAX_CHARS:
        raise _money_expected(field)
    if _PLAIN_AMOUNT_RE.fullmatch(text):  # the usual amount: what the full reading below makes of it, sooner
        return _money_from_decimal(Decimal(text.replace(" ", "").replace(",", ".")), field=field)
    stripped = _CURRENCY_PREFIX_RE.sub("", text, count=1)
    if stripped == text:
        stripped = _CURRENCY_SUFFIX_RE.sub("", text, count=1)
    text = stripped.strip()
    if text[:1] in ("-", "\u2212"):
        raise FieldError(field, _("must not be negative"))
    if not _MONEY_BODY_RE.fullmatch(text):
        raise _money_expected(field)
    plain = _money_text_to_plain(text, field=field)
    try:
        value = Decimal(plain)
    except (InvalidOperation, ValueError):  # pragma: no cover - plain is digits[.digits]
        raise _money_expected(field) from None
    return _money_from_decimal(value, field=field)


# ================================================================= dates


def _date_expected(field: str) -> FieldError:
    return FieldError(field, _("expected a date such as 31/12/2026"))


def _checked_date(year: int, month: int, day: int, shown: str, *, field: str) -> datetime.date:
    if not 1900 <= year <= 2100:
        raise FieldError(field, _("the year must be between 1900 and 2100, e.g. 31/12/2026"))
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise FieldError(
            field, _("{date} does not exist: check the day and the month, e.g. 31/12/2026").format(date=shown)
        ) from None


def parse_date(raw: object, *, field: str) -> datetime.date:
    """A calendar date written dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd, years 1900 to 2100."""
    if _is_blank(raw):
        raise _required(field)
    if type(raw) is not str:
        if isinstance(raw, datetime.datetime):
            raw = raw.date()
        if isinstance(raw, datetime.date):
            return _checked_date(raw.year, raw.month, raw.day, raw.isoformat(), field=field)
        if not isinstance(raw, str):
            raise _date_expected(field)
    text = raw.strip()
    match = _ISO_RE.fullmatch(text)  # first, as a CSV writes dates; no text matches both patterns (4 digits, or 1 or 2, lead)
    if match:
        year, month, day = match.groups()
        return _checked_date(int(year), int(month), int(day), text, field=field)
    match = _DMY_RE.fullmatch(text)
    if match:
        day, _sep, month, year = match.groups()
        if len(year) == 2:
            raise FieldError(field, _("write the year with four digits, e.g. 31/12/2026"))
        if len(year) != 4:
            raise _date_expected(field)
        return _checked_date(int(year), int(month), int(day), text, field=field)
    raise _date_expected(field)


# ================================================================= text and simple values


def parse_text(raw: object, *, field: str, max_length: int = 2000, multiline: bool = False) -> str:
    """Free text, cleaned of control and invisible direction characters; kept verbatim otherwise."""
    if type(raw) is str:  # the usual answer, tested first
        text = raw
    elif raw is None:
        raise _required(field)
    elif isinstance(raw, bool):
        raise FieldError(field, _("expected text, not yes or no (in YAML, put the value in quotes)"))
    elif isinstance(raw, (int, float, Decimal)):
        text = str(raw)
    elif isinstance(raw, datetime.date):
        text = raw.isoformat()
    elif isinstance(raw, str):
        text = raw
    else:
        raise FieldError(field, _("expected text"))

    if text.isprintable() or (multiline and text.replace("\n", "").isprintable()):
        pass  # nothing for the four patterns below: of "\n" and printable characters, they match none
    elif multiline:
        text = _NEWLINE_RE.sub("\n", text)
        text = _STRIP_MULTILINE_RE.sub("", text)
    else:
        text = _BREAKS_RE.sub(" ", text)
        text = _STRIP_SINGLE_LINE_RE.sub("", text)
    if not text.isascii():  # ASCII text is already in NFC
        text = unicodedata.normalize("NFC", text)
    if multiline:
        if " \n" in text or "\t\n" in text:  # all that _TRAILING_SPACE_RE can match
            text = _TRAILING_SPACE_RE.sub("\n", text)
    elif "  " in text:
        text = _MULTI_SPACE_RE.sub(" ", text)
    text = text.strip()
    if not text:
        raise FieldError(field, _("must not be empty"))
    if len(text) > max_length:
        raise FieldError(
            field,
            _("is too long: at most {maximum} characters, got {length}").format(maximum=max_length, length=len(text)),
        )
    return text


def parse_integer(raw: object, *, field: str, minimum: int | None = 0, maximum: int | None = None) -> int:
    """A whole number such as 3, within [minimum, maximum] when given."""
    if _is_blank(raw):
        raise _required(field)
    expected = FieldError(field, _("expected a whole number such as 3"))
    if isinstance(raw, bool):
        raise expected
    if isinstance(raw, int):
        value = int(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if not _INTEGER_RE.fullmatch(text):
            raise expected
        value = int(text)
    else:
        raise expected
    if minimum is not None and value < minimum:
        raise FieldError(field, _("must be at least {minimum}").format(minimum=minimum))
    if maximum is not None and value > maximum:
        raise FieldError(field, _("must be at most {maximum}").format(maximum=maximum))
    return value


def parse_bool(raw: object, *, field: str) -> bool:
    """Yes or no: true/false, yes/no, oui/non, ja/nee, 1/0 and their initials."""
    if _is_blank(raw):
        raise _required(field)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise FieldError(field, _("expected yes or no"))


def parse_choice(raw: object, *, field: str, choices: Sequence[str]) -> str:
    """One of the ids in choices, matched without regard to case; the canonical id is returned."""
    if _is_blank(raw):
        raise _required(field)
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str):
        wanted = raw.strip().casefold()
        for choice in choices:
            if choice == raw or choice.casefold() == wanted:
                return choice
    raise FieldError(field, _("expected one of: {choices}").format(choices=", ".join(choices)))


# ================================================================= identifiers (identifiers.py)

_IDENTIFIERS = ("parse_iban", "format_iban", "parse_structured_communication", "parse_national_number",
                "parse_enterprise_number", "parse_email", "parse_phone", "parse_postal_code")


def __getattr__(name: str) -> object:
    """The identifier parsers live in identifiers.py; they are reachable from here too."""
    if name in _IDENTIFIERS:
        from plainte import identifiers

        return getattr(identifiers, name)
    raise AttributeError(name)


# ================================================================= dispatcher


def parse(
    type_name: str,
    raw: object,
    *,
    field: str,
    choices: Sequence[str] = (),
    country: str = "BE",
) -> object:
    """Parse raw as the field type type_name; ValueError for an unknown type name (a programming error)."""
    if type_name not in FIELD_TYPES:
        raise ValueError(f"unknown field type {type_name!r}; expected one of {', '.join(FIELD_TYPES)}")
    if _is_blank(raw):
        raise _required(field)
    if type_name == "text":
        return parse_text(raw, field=field)
    if type_name == "date":
        return parse_date(raw, field=field)
    if type_name == "money":
        return parse_money(raw, field=field)
    if type_name == "integer":
        return parse_integer(raw, field=field)
    if type_name == "bool":
        return parse_bool(raw, field=field)
    if type_name == "choice":
        return parse_choice(raw, field=field, choices=choices)
    from plainte import identifiers

    if type_name == "postal-code":
        return identifiers.parse_postal_code(raw, field=field, country=country)
    parser = {
        "iban": identifiers.parse_iban,
        "structured-communication": identifiers.parse_structured_communication,
        "email": identifiers.parse_email,
        "phone": identifiers.parse_phone,
        "national-number": identifiers.parse_national_number,
        "enterprise-number": identifiers.parse_enterprise_number,
    }[type_name]
    return parser(raw, field=field)
