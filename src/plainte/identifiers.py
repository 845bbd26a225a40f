"""Typed parsers for identifiers: IBAN, Belgian structured communication, national and enterprise
numbers, e-mail addresses, phone numbers and postal codes. Only FieldError ever escapes."""

from __future__ import annotations

import re
import unicodedata

from plainte.errors import FieldError
from plainte.fields import _DIGITS_RE, _WS_RE, _digits_text, _is_blank, _required
from plainte.i18n import _

_ID_SEPARATORS_RE = re.compile(r"[ \u00a0\u202f./\-]+")
_IBAN_PREFIX_RE = re.compile(r"^IBAN[ \u00a0\u202f]*:?[ \u00a0\u202f]*", re.IGNORECASE)
_IBAN_COMPACT_RE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}")
_DIGITS_12_RE = re.compile(r"[0-9]{12}")
_DIGITS_11_RE = re.compile(r"[0-9]{11}")
_ENTERPRISE_RE = re.compile(r"(?:BE)?(?:\(0\))?([0-9]{9,10})")

# ---------------------------------------------------------------- contact

_EMAIL_FORBIDDEN = frozenset('<>()[]\\,;:"')
_EMAIL_LABEL_RE = re.compile(r"[^.\s@]+")
_PHONE_RE = re.compile(r"(\+)?([0-9 \u00a0\u202f./\-()]+)")
_PHONE_SEPARATORS_RE = re.compile(r"[ \u00a0\u202f./\-()]+")

_POSTAL_RE: dict[str, re.Pattern[str]] = {
    "BE": re.compile(r"(?:B-?\s*)?([1-9][0-9]{3})"),
    "FR": re.compile(r"(?:F-?\s*)?([0-9]{5})"),
    "NL": re.compile(r"(?:NL-?\s*)?([1-9][0-9]{3})\s*([A-Z]{2})"),
    "LU": re.compile(r"(?:L-?\s*)?([0-9]{4})"),
    "DE": re.compile(r"(?:D-?\s*)?([0-9]{5})"),
    "CN": re.compile(r"([0-9]{6})"),
}
_POSTAL_OTHER_RE = re.compile(r"[A-Z0-9][A-Z0-9 \-]{0,8}[A-Z0-9]")


# ================================================================= IBAN


def _iban_expected(field: str) -> FieldError:
    return FieldError(field, _("expected an IBAN such as BE68 5390 0754 7034"))


def _iban_checksum_error(field: str) -> FieldError:
    return FieldError(field, _("is not a valid IBAN: the check digits do not match, check for a typo"))


def parse_iban(raw: object, *, field: str) -> str:
    """An IBAN in compact form (uppercase, no spaces), checked with python-stdnum."""
    if _is_blank(raw):
        raise _required(field)
    if not isinstance(raw, str):
        raise _iban_expected(field)
    compact = _ID_SEPARATORS_RE.sub("", _IBAN_PREFIX_RE.sub("", raw.strip(), count=1))
    if not compact.isascii():
        raise _iban_expected(field)
    compact = compact.upper()
    if not _IBAN_COMPACT_RE.fullmatch(compact):
        raise _iban_expected(field)

    from stdnum import iban
    from stdnum.exceptions import InvalidChecksum, ValidationError

    belgian = compact.startswith("BE")
    try:
        # stdnum tests the check digits before the country and length, so it
        # would call BE6853900754703 (one digit short) a typo in the check digits:
        # check the structure first with the right check digits put in.
        corrected = compact[:2] + iban.calc_check_digits(compact) + compact[4:]
        # The Belgian country check of stdnum also looks the bank code up in a
        # list that lags behind the NBB register (it rejects BE68 5390 0754 7034),
        # so for Belgium only the national check digits are verified below.
        iban.validate(corrected, check_country=not belgian)
    except InvalidChecksum:
        raise _iban_checksum_error(field) from None
    except (ValidationError, ValueError, TypeError, KeyError, IndexError):
        raise _iban_expected(field) from None
    if corrected != compact:
        raise _iban_checksum_error(field)
    if belgian:
        national = compact[4:]
        if not _DIGITS_12_RE.fullmatch(national) or ((int(national[:10]) % 97) or 97) != int(national[10:]):
            raise _iban_checksum_error(field)
    return compact


def format_iban(value: str) -> str:
    """An IBAN grouped by four characters for display: BE68 5390 0754 7034."""
    compact = _WS_RE.sub("", str(value)).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# ================================================================= Belgian numbers


def _ogm_expected(field: str) -> FieldError:
    return FieldError(field, _("expected a structured communication such as +++090/9337/55493+++"))


def _ogm_valid(digits: str) -> bool:
    try:
        from stdnum.be import ogm_vcs
    except ImportError:  # a python-stdnum without be.ogm_vcs (pyproject allows >= 1.19)
        return int(digits) > 0 and ((int(digits[:10]) % 97) or 97) == int(digits[10:])
    from stdnum.exceptions import ValidationError

    try:
        ogm_vcs.validate(digits)
    except (ValidationError, ValueError):
        return False
    return True


def parse_structured_communication(raw: object, *, field: str) -> str:
    """A Belgian structured communication (OGM/VCS), returned as +++123/4567/89012+++."""
    if _is_blank(raw):
        raise _required(field)
    text = _digits_text(raw, 12)
    if text is None:
        raise _ogm_expected(field)
    text = text.strip().strip("+*")  # +++123/4567/89012+++ or ***123/4567/89012***
    digits = _ID_SEPARATORS_RE.sub("", text)
    if not _DIGITS_12_RE.fullmatch(digits):
        raise _ogm_expected(field)
    if not _ogm_valid(digits):
        raise FieldError(
            field, _("is not a valid structured communication: the check digits do not match, check for a typo")
        )
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def _stdnum_check(validate: object, digits: str, expected: FieldError, bad_checksum: FieldError) -> None:
    """Run a python-stdnum validator: a wrong check digit and any other refusal become our FieldErrors."""
    from stdnum.exceptions import InvalidChecksum, ValidationError

    try:
        validate(digits)  # type: ignore[operator]
    except InvalidChecksum:
        raise bad_checksum from None
    except (ValidationError, ValueError, TypeError, IndexError):
        raise expected from None


def parse_national_number(raw: object, *, field: str) -> str:
    """A Belgian national register number, returned as YY.MM.DD-XXX.CC."""
    if _is_blank(raw):
        raise _required(field)
    expected = FieldError(field, _("expected a national register number such as 85.07.30-033.28"))
    text = _digits_text(raw, 11)
    if text is None:
        raise expected
    digits = _ID_SEPARATORS_RE.sub("", text.strip())
    if not _DIGITS_11_RE.fullmatch(digits):
        raise expected

    from stdnum.be import nn

    _stdnum_check(nn.validate, digits, expected,
                  FieldError(field, _("is not a valid national register number: the check digits do not match, check for a typo")))
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:11]}"


def parse_enterprise_number(raw: object, *, field: str) -> str:
    """A Belgian enterprise (BCE/KBO, VAT) number, returned as 0123.456.789."""
    if _is_blank(raw):
        raise _required(field)
    expected = FieldError(field, _("expected an enterprise number such as 0403.170.701"))
    text = _digits_text(raw, 10)
    if text is None:
        raise expected
    compact = _ID_SEPARATORS_RE.sub("", text.strip())
    match = _ENTERPRISE_RE.fullmatch(compact.upper()) if compact.isascii() else None
    if not match:
        raise expected
    digits = match.group(1).rjust(10, "0")  # the old format had 9 digits
    if digits[0] not in "01":
        raise expected

    from stdnum.be import vat

    _stdnum_check(vat.validate, digits, expected,
                  FieldError(field, _("is not a valid enterprise number: the check digits do not match, check for a typo")))
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


# ================================================================= contact


def _email_expected(field: str) -> FieldError:
    return FieldError(field, _("expected an e-mail address such as name@example.be"))


def _phone_expected(field: str) -> FieldError:
    return FieldError(field, _("expected a phone number such as +32 2 370 77 11 or 02 370 77 11"))


def parse_email(raw: object, *, field: str) -> str:
    """An e-mail address (pragmatic check), with the domain lowercased."""
    if _is_blank(raw):
        raise _required(field)
    if not isinstance(raw, str):
        raise _email_expected(field)
    text = raw.strip()
    if len(text) > 254 or text.count("@") != 1:
        raise _email_expected(field)
    if text.isascii() and text.isprintable():  # the usual address: of white space, only " " can be in it
        if " " in text or not _EMAIL_FORBIDDEN.isdisjoint(text):
            raise _email_expected(field)
    else:
        for char in text:
            if char.isspace() or char in _EMAIL_FORBIDDEN or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
                raise _email_expected(field)
    local, _at, domain = text.partition("@")
    if not local or len(local) > 64:
        raise _email_expected(field)
    labels = domain.split(".")
    if len(labels) < 2 or not all(_EMAIL_LABEL_RE.fullmatch(label) for label in labels):
        raise _email_expected(field)
    if len(labels[-1]) < 2 or labels[-1].isdigit():
        raise _email_expected(field)
    return f"{local}@{domain.lower()}"


def parse_phone(raw: object, *, field: str) -> str:
    """A phone number reduced to its digits, with a leading + when international: +3223707711."""
    if _is_blank(raw):
        raise _required(field)
    if not isinstance(raw, str):  # an int has lost its leading 0 or +
        raise _phone_expected(field)
    text = raw.strip()
    if len(text) > 40:
        raise _phone_expected(field)
    match = _PHONE_RE.fullmatch(text)
    if not match:
        raise _phone_expected(field)
    international = bool(match.group(1))
    body = match.group(2)
    if international:
        body = body.replace("(0)", "", 1)  # +32 (0)2 370 77 11
    digits = _PHONE_SEPARATORS_RE.sub("", body)
    if not _DIGITS_RE.fullmatch(digits):
        raise _phone_expected(field)
    if not international and digits.startswith("00"):
        international = True
        digits = digits[2:]
    if not 8 <= len(digits) <= 15 or (international and digits.startswith("0")):
        raise _phone_expected(field)
    return "+" + digits if international else digits


def _postal_expected(country: str) -> str:
    if country == "BE":
        return _("expected a Belgian postal code of 4 digits, such as 1000")
    if country == "FR":
        return _("expected a French postal code of 5 digits, such as 75001")
    if country == "NL":
        return _("expected a Dutch postal code such as 1234 AB")
    if country == "LU":
        return _("expected a Luxembourg postal code of 4 digits, such as 1234 or L-1234")
    if country == "DE":
        return _("expected a German postal code of 5 digits, such as 10115")
    if country == "CN":
        return _("expected a Chinese postal code of 6 digits, such as 100000")
    return _("expected a postal code of 2 to 10 letters, digits, spaces or dashes")


def parse_postal_code(raw: object, *, field: str, country: str = "BE") -> str:
    """A postal code in the form used by country (ISO 3166 alpha-2)."""
    if _is_blank(raw):
        raise _required(field)
    country = country.strip().upper() if isinstance(country, str) else ""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        raw = str(raw)
    if not isinstance(raw, str):
        raise FieldError(field, _postal_expected(country))
    text = raw.strip()
    if not text.isalnum():  # else no white space to reduce
        text = _WS_RE.sub(" ", text)
    if not text.isascii():
        raise FieldError(field, _postal_expected(country))
    text = text.upper()
    pattern = _POSTAL_RE.get(country)
    if pattern is None:
        if _POSTAL_OTHER_RE.fullmatch(text):
            return text
        raise FieldError(field, _postal_expected(country))
    match = pattern.fullmatch(text)
    if not match:
        raise FieldError(field, _postal_expected(country))
    return " ".join(match.groups())
