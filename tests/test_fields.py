"""Tests of plainte.fields: examples per parser, and properties that nothing but FieldError escapes."""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plainte import fields
from plainte.errors import FieldError
from plainte.fields import (
    FIELD_TYPES,
    format_iban,
    parse,
    parse_bool,
    parse_choice,
    parse_date,
    parse_email,
    parse_enterprise_number,
    parse_iban,
    parse_integer,
    parse_money,
    parse_national_number,
    parse_phone,
    parse_postal_code,
    parse_structured_communication,
    parse_text,
)

F = "facts.test"
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def error_of(parser: Callable[..., object], raw: object, **kwargs: Any) -> FieldError:
    with pytest.raises(FieldError) as info:
        parser(raw, field=F, **kwargs)
    assert info.value.field == F
    assert info.value.message
    assert str(info.value).startswith(F + ": ")
    return info.value


# ---------------------------------------------------------------- stdnum examples


def test_examples_are_what_stdnum_says() -> None:
    """The identifiers used below, checked against python-stdnum itself."""
    from stdnum import iban
    from stdnum.be import nn, ogm_vcs, vat

    assert iban.validate("BE68539007547034", check_country=False) == "BE68539007547034"
    assert not iban.is_valid("BE68539007547035")
    assert ogm_vcs.is_valid("+++090/9337/55493+++")
    assert nn.is_valid("85.07.30-033.28")
    assert vat.is_valid("0403.170.701")
    assert not vat.is_valid("0403.170.702")


# ---------------------------------------------------------------- money

MONEY_OK = [
    ("1.234,56", "1234.56"),
    ("1 234,56", "1234.56"),
    ("1\u00a0234,56", "1234.56"),
    ("1\u202f234,56", "1234.56"),
    ("1234,56", "1234.56"),
    ("1234.56", "1234.56"),
    ("1,234.56", "1234.56"),
    ("1234", "1234.00"),
    ("€ 12,50", "12.50"),
    ("12,50 €", "12.50"),
    ("12,50€", "12.50"),
    ("12.50 EUR", "12.50"),
    ("EUR 12.50", "12.50"),
    ("€ 1.234,56", "1234.56"),
    ("1.234.567", "1234567.00"),
    ("1,234,567.89", "1234567.89"),
    ("1 234 567,89", "1234567.89"),
    ("12,5", "12.50"),
    ("0", "0.00"),
    ("0,01", "0.01"),
    ("  7,00  ", "7.00"),
    ("100.000.000,00", "100000000.00"),
    (12, "12.00"),
    (0, "0.00"),
    (12.5, "12.50"),
    (Decimal("12.3"), "12.30"),
    (Decimal("12.300"), "12.30"),
    (Decimal("-0"), "0.00"),
    (-0.0, "0.00"),
]


@pytest.mark.parametrize(("raw", "expected"), MONEY_OK)
def test_money_valid(raw: object, expected: str) -> None:
    value = parse_money(raw, field=F)
    assert value == Decimal(expected)
    assert value.as_tuple().exponent == -2
    assert str(value) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("-5", "negative"),
        ("−5", "negative"),
        ("€ -12,50", "negative"),
        (-1, "negative"),
        (Decimal("-0.01"), "negative"),
        ("12,345", "ambiguous"),
        ("1.234,567", "two decimals"),
        ("0,125", "two decimals"),
        ("1234.567", "two decimals"),
        ("1 234.567", "two decimals"),
        (0.1 + 0.2, "two decimals"),
        (Decimal("1.005"), "two decimals"),
        ("1.23.4", "thousands"),
        ("12.34,56", "thousands"),
        ("1,234.567,89", "thousands"),
        ("1.234 567,89", "thousands"),
        ("12 34", "thousands"),
        ("100000000,01", "too large"),
        (100_000_001, "too large"),
        (1e20, "too large"),
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
        ("nan", "expected"),
        ("NaN", "expected"),
        ("Infinity", "expected"),
        (float("nan"), "expected"),
        (float("inf"), "expected"),
        (Decimal("sNaN"), "expected"),
        (True, "expected"),
        ("€", "expected"),
        ("€ 12 €", "expected"),
        ("12,", "expected"),
        (".5", "expected"),
        ("1e5", "expected"),
        ("١٢٣", "expected"),  # Arabic-Indic digits, which Decimal() would accept
        ("１２", "expected"),  # full-width digits
        (["12"], "expected"),
    ],
)
def test_money_invalid(raw: object, fragment: str) -> None:
    assert fragment in error_of(parse_money, raw).message


@pytest.mark.parametrize(
    ("raw", "thousands", "decimal"),
    [("1.234", "1234,00", "1,234"), ("1,234", "1234,00", "1,234"), ("€ 999.999", "999999,00", "999,999")],
)
def test_money_ambiguous_names_both_readings(raw: str, thousands: str, decimal: str) -> None:
    message = error_of(parse_money, raw).message
    assert "ambiguous" in message
    assert thousands in message
    assert decimal in message
    assert "1.234,00" in message


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31/12/2026", datetime.date(2026, 12, 31)),
        ("31.12.2026", datetime.date(2026, 12, 31)),
        ("31-12-2026", datetime.date(2026, 12, 31)),
        ("1/2/2026", datetime.date(2026, 2, 1)),
        ("2026-12-31", datetime.date(2026, 12, 31)),
        (" 29/02/2024 ", datetime.date(2024, 2, 29)),
        ("01/01/1900", datetime.date(1900, 1, 1)),
        ("31/12/2100", datetime.date(2100, 12, 31)),
        (datetime.date(2026, 3, 4), datetime.date(2026, 3, 4)),
        (datetime.datetime(2026, 3, 4, 15, 30), datetime.date(2026, 3, 4)),
    ],
)
def test_date_valid(raw: object, expected: datetime.date) -> None:
    value = parse_date(raw, field=F)
    assert value == expected
    assert type(value) is datetime.date


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("31/02/2026", "does not exist"),
        ("29/02/2025", "does not exist"),
        ("00/01/2026", "does not exist"),
        ("01/13/2026", "does not exist"),
        ("2026-02-30", "does not exist"),
        ("31/12/26", "four digits"),
        ("31/12/999", "expected"),
        ("01/01/1899", "1900"),
        ("01/01/2101", "2100"),
        (datetime.date(1, 1, 1), "1900"),
        ("31/12-2026", "expected"),
        ("2026/12/31", "expected"),
        ("tomorrow", "expected"),
        ("", "required"),
        (None, "required"),
        (20261231, "expected"),
        (True, "expected"),
        ("٣١/١٢/٢٠٢٦", "expected"),
    ],
)
def test_date_invalid(raw: object, fragment: str) -> None:
    assert fragment in error_of(parse_date, raw).message


def test_nonexistent_date_is_named() -> None:
    assert "31/02/2026" in error_of(parse_date, "31/02/2026").message


# ---------------------------------------------------------------- IBAN


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("BE68539007547034", "BE68539007547034"),
        ("BE68 5390 0754 7034", "BE68539007547034"),
        ("be68\u00a05390\u00a00754\u00a07034", "BE68539007547034"),
        ("IBAN BE68 5390 0754 7034", "BE68539007547034"),
        ("BE71 0961 2345 6769", "BE71096123456769"),
        ("FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
        ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300"),
    ],
)
def test_iban_valid(raw: str, expected: str) -> None:
    assert parse_iban(raw, field=F) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("BE68539007547035", "check digits"),
        ("BE69539007547034", "check digits"),
        ("BE6853900754703", "expected"),
        ("XX68539007547034", "expected"),
        ("68539007547034", "expected"),
        ("BE68 5390 0754 7034 ß", "expected"),
        ("", "required"),
        (None, "required"),
        (68539007547034, "expected"),
    ],
)
def test_iban_invalid(raw: object, fragment: str) -> None:
    assert fragment in error_of(parse_iban, raw).message


def test_format_iban() -> None:
    assert format_iban("BE68539007547034") == "BE68 5390 0754 7034"
    assert format_iban("be68 5390 0754 7034") == "BE68 5390 0754 7034"
    assert format_iban("FR7630006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189"
    assert format_iban("") == ""


# ---------------------------------------------------------------- Belgian numbers


@pytest.mark.parametrize(
    "raw",
    ["+++090/9337/55493+++", "***090/9337/55493***", "090933755493", "090/9337/55493", "090 9337 55493", 90933755493],
)
def test_structured_communication_valid(raw: object) -> None:
    assert parse_structured_communication(raw, field=F) == "+++090/9337/55493+++"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("+++090/9337/55494+++", "check digits"),
        ("+++090/9337/5549+++", "expected"),
        ("090933755493a", "expected"),
        ("", "required"),
        (1.5, "expected"),
        (-90933755493, "expected"),
    ],
)
def test_structured_communication_invalid(raw: object, fragment: str) -> None:
    assert fragment in error_of(parse_structured_communication, raw).message


@pytest.mark.parametrize("raw", ["85.07.30-033.28", "85073003328", "850730 033 28", 85073003328])
def test_national_number_valid(raw: object) -> None:
    assert parse_national_number(raw, field=F) == "85.07.30-033.28"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("85.07.30-033.29", "check digits"), ("85.07.30-033.2", "expected"), ("8507300332x", "expected"), (None, "required")],
)
def test_national_number_invalid(raw: object, fragment: str) -> None:
    assert fragment in error_of(parse_national_number, raw).message


@pytest.mark.parametrize(
    "raw", ["0403.170.701", "BE0403.170.701", "BE 0403 170 701", "0403170701", "0403 170 701", "403170701", 403170701]
)
def test_enterprise_number_valid(raw: object) -> None:
    assert parse_enterprise_number(raw, field=F) == "0403.170.701"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("0403.170.702", "check digits"),
        ("2403.170.701", "expected"),
        ("FR0403170701", "expected"),
        ("04031707011", "expected"),
        ("", "required"),
    ],
)
def test_enterprise_number_invalid(raw: object, fragment: str) -> None:
    assert fragment in error_of(parse_enterprise_number, raw).message


# ---------------------------------------------------------------- contact


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jean@example.be", "jean@example.be"),
        (" Jean.Dupont@Example.BE ", "Jean.Dupont@example.be"),
        ("a+tag@sub.example.fr", "a+tag@sub.example.fr"),
    ],
)
def test_email_valid(raw: str, expected: str) -> None:
    assert parse_email(raw, field=F) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "jean",
        "jean@example",
        "@example.be",
        "jean@@example.be",
        "je an@example.be",
        "jean@exa\u202emple.be",
        "jean@example..be",
        "jean@.example.be",
        "jean@example.b",
        "<jean@example.be>",
        "a" * 250 + "@x.be",
        42,
    ],
)
def test_email_invalid(raw: object) -> None:
    assert "expected" in error_of(parse_email, raw).message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+32 2 370 77 11", "+3223707711"),
        ("0032 2 370 77 11", "+3223707711"),
        ("+32 (0)2 370 77 11", "+3223707711"),
        ("02 370 77 11", "023707711"),
        ("02/370.77.11", "023707711"),
        ("0475-12-34-56", "0475123456"),
    ],
)
def test_phone_valid(raw: str, expected: str) -> None:
    assert parse_phone(raw, field=F) == expected


@pytest.mark.parametrize("raw", ["1234567", "+32 2 370 77 11 99 99 99", "+32 2 370 77 1a", "02 370 + 77 11", 23707711])
def test_phone_invalid(raw: object) -> None:
    assert "expected" in error_of(parse_phone, raw).message


@pytest.mark.parametrize(
    ("country", "raw", "expected"),
    [
        ("BE", "1000", "1000"),
        ("BE", 9999, "9999"),
        ("be", " 4000 ", "4000"),
        ("FR", "75001", "75001"),
        ("FR", "01000", "01000"),
        ("NL", "1234ab", "1234 AB"),
        ("NL", "1234  AB", "1234 AB"),
        ("LU", "L-1234", "1234"),
        ("LU", "1234", "1234"),
        ("DE", "10115", "10115"),
        ("CN", "100000", "100000"),
        ("GB", "sw1a 1aa", "SW1A 1AA"),
        ("US", "12345-6789", "12345-6789"),
    ],
)
def test_postal_code_valid(country: str, raw: object, expected: str) -> None:
    assert parse_postal_code(raw, field=F, country=country) == expected


@pytest.mark.parametrize(
    ("country", "raw", "fragment"),
    [
        ("BE", "0999", "Belgian"),
        ("BE", "10000", "Belgian"),
        ("FR", "7500", "French"),
        ("NL", "1234", "Dutch"),
        ("LU", "L-123", "Luxembourg"),
        ("DE", "1011", "German"),
        ("CN", "10000", "Chinese"),
        ("GB", "A", "2 to 10"),
        ("GB", "SW1A_1AA", "2 to 10"),
    ],
)
def test_postal_code_invalid(country: str, raw: object, fragment: str) -> None:
    assert fragment in error_of(parse_postal_code, raw, country=country).message


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Banque   Exemple  ", "Banque Exemple"),
        ("abc\u202edef", "abcdef"),
        ("a\u2066b\u2069c\u200e\u200fd", "abcd"),
        ("a\x00b", "ab"),
        ("\ufeffzero\u200bwidth", "zerowidth"),
        ("line\nbreak", "line break"),
        ("{{ 7*7 }}", "{{ 7*7 }}"),
        ("{name} 100% [bold]x[/bold] {0}", "{name} 100% [bold]x[/bold] {0}"),
        ("e\u0301", "\u00e9"),  # NFC
        (12, "12"),
        (1.5, "1.5"),
        (Decimal("12.50"), "12.50"),
    ],
)
def test_text_single_line(raw: object, expected: str) -> None:
    assert parse_text(raw, field=F) == expected


def test_text_multiline() -> None:
    raw = "Madame,\r\n\r\nVotre lettre\tdu 3 mars  \x07est arrivée.\rMerci.\u202e\n"
    # Runs of spaces are kept in multiline text (only single-line text is collapsed).
    assert parse_text(raw, field=F, multiline=True) == "Madame,\n\nVotre lettre\tdu 3 mars  est arrivée.\nMerci."


@pytest.mark.parametrize("raw", ["", "   ", "\x00", "\u202e", "\u200b\ufeff"])
def test_text_empty(raw: str) -> None:
    assert "must not be empty" in error_of(parse_text, raw).message


def test_text_too_long_and_other_types() -> None:
    assert parse_text("x" * 10, field=F, max_length=10) == "x" * 10
    message = error_of(parse_text, "x" * 11, max_length=10).message
    assert "10" in message and "11" in message
    assert "required" in error_of(parse_text, None).message
    error_of(parse_text, True)
    error_of(parse_text, ["a"])


# ---------------------------------------------------------------- integers, bools, choices


@pytest.mark.parametrize(("raw", "expected"), [("3", 3), (" 42 ", 42), (0, 0), (7, 7), ("+4", 4)])
def test_integer_valid(raw: object, expected: int) -> None:
    assert parse_integer(raw, field=F) == expected


@pytest.mark.parametrize(
    ("raw", "kwargs", "fragment"),
    [
        ("3.0", {}, "whole number"),
        (3.0, {}, "whole number"),
        (True, {}, "whole number"),
        ("1e3", {}, "whole number"),
        ("٣", {}, "whole number"),
        ("9" * 5000, {}, "whole number"),
        ("-1", {}, "at least 0"),
        ("5", {"minimum": 10}, "at least 10"),
        ("11", {"maximum": 10}, "at most 10"),
        ("", {}, "required"),
    ],
)
def test_integer_invalid(raw: object, kwargs: dict[str, int], fragment: str) -> None:
    assert fragment in error_of(parse_integer, raw, **kwargs).message


def test_integer_without_minimum() -> None:
    assert parse_integer("-5", field=F, minimum=None) == -5


@pytest.mark.parametrize(
    "raw", [True, 1, "yes", "YES", "true", "1", "oui", "Oui", "ja", "y", "o", "J", " yes "]
)
def test_bool_true(raw: object) -> None:
    assert parse_bool(raw, field=F) is True


@pytest.mark.parametrize("raw", [False, 0, "no", "False", "0", "non", "NEE", "n", "N"])
def test_bool_false(raw: object) -> None:
    assert parse_bool(raw, field=F) is False


@pytest.mark.parametrize("raw", ["maybe", "2", 2, 1.0, "si"])
def test_bool_invalid(raw: object) -> None:
    assert "yes or no" in error_of(parse_bool, raw).message


def test_choice() -> None:
    choices = ("bank", "lender", "debt-collector")
    assert parse_choice("lender", field=F, choices=choices) == "lender"
    assert parse_choice(" Debt-Collector ", field=F, choices=choices) == "debt-collector"
    message = error_of(parse_choice, "insurer", choices=choices).message
    assert all(choice in message for choice in choices)
    assert parse_choice(2, field=F, choices=("1", "2")) == "2"


# ---------------------------------------------------------------- dispatcher


def test_field_types() -> None:
    assert FIELD_TYPES == (
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


@pytest.mark.parametrize(
    ("type_name", "raw", "expected"),
    [
        ("text", "  hello ", "hello"),
        ("date", "31/12/2026", datetime.date(2026, 12, 31)),
        ("money", "1.234,56", Decimal("1234.56")),
        ("integer", "3", 3),
        ("bool", "oui", True),
        ("choice", "BANK", "bank"),
        ("iban", "BE68 5390 0754 7034", "BE68539007547034"),
        ("structured-communication", "090933755493", "+++090/9337/55493+++"),
        ("email", "a@B.be", "a@b.be"),
        ("phone", "02 370 77 11", "023707711"),
        ("national-number", "85073003328", "85.07.30-033.28"),
        ("enterprise-number", "0403170701", "0403.170.701"),
        ("postal-code", "75001", "75001"),
    ],
)
def test_parse_dispatches(type_name: str, raw: object, expected: object) -> None:
    assert parse(type_name, raw, field=F, choices=("bank", "lender"), country="FR") == expected


@pytest.mark.parametrize("type_name", FIELD_TYPES)
@pytest.mark.parametrize("raw", [None, "", "  \t "])
def test_parse_blank_is_required(type_name: str, raw: object) -> None:
    with pytest.raises(FieldError) as info:
        parse(type_name, raw, field=F, choices=("a",))
    assert info.value.message == "is required"


def test_parse_unknown_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="colour"):
        parse("colour", "red", field=F)


def test_importing_fields_does_not_import_stdnum() -> None:
    code = "import sys, plainte.fields; assert not any(m.startswith('stdnum') for m in sys.modules)"
    src = str(Path(fields.__file__).resolve().parents[1])
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": src})


# ---------------------------------------------------------------- properties

PARSERS: dict[str, tuple[Callable[..., object], type | tuple[type, ...], dict[str, Any]]] = {
    "money": (parse_money, Decimal, {}),
    "date": (parse_date, datetime.date, {}),
    "iban": (parse_iban, str, {}),
    "structured-communication": (parse_structured_communication, str, {}),
    "national-number": (parse_national_number, str, {}),
    "enterprise-number": (parse_enterprise_number, str, {}),
    "email": (parse_email, str, {}),
    "phone": (parse_phone, str, {}),
    "postal-code-be": (parse_postal_code, str, {"country": "BE"}),
    "postal-code-nl": (parse_postal_code, str, {"country": "NL"}),
    "postal-code-other": (parse_postal_code, str, {"country": "GB"}),
    "text": (parse_text, str, {}),
    "text-multiline": (parse_text, str, {"multiline": True, "max_length": 50}),
    "integer": (parse_integer, int, {"minimum": None}),
    "bool": (parse_bool, bool, {}),
    "choice": (parse_choice, str, {"choices": ("bank", "lender", "Straße")}),
}

# Text that looks like the values, so that the deep paths of each parser are exercised.
looks_like_a_value = st.text(alphabet="0123456789.,/-+*() €EURBEbe@\u00a0\u202f\u202e\x00", max_size=40)
anything = st.one_of(
    st.text(),
    looks_like_a_value,
    st.integers(),
    st.floats(),
    st.none(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.decimals(),
    st.lists(st.integers(), max_size=2),
)


def check_total(name: str, raw: object) -> None:
    parser, result_type, kwargs = PARSERS[name]
    try:
        value = parser(raw, field=F, **kwargs)
    except FieldError as error:
        assert error.field == F
        assert isinstance(error.message, str) and error.message
        return
    assert isinstance(value, result_type)
    if result_type is int:
        assert not isinstance(value, bool)
    if result_type is datetime.date:
        assert not isinstance(value, datetime.datetime)


@pytest.mark.parametrize("name", PARSERS)
@PROPERTY
@given(raw=anything)
def test_parsers_raise_only_field_error(name: str, raw: object) -> None:
    check_total(name, raw)


@pytest.mark.parametrize("type_name", FIELD_TYPES)
@settings(max_examples=60, deadline=None)
@given(raw=anything)
def test_dispatcher_raises_only_field_error(type_name: str, raw: object) -> None:
    try:
        parse(type_name, raw, field=F, choices=("bank", "lender"))
    except FieldError as error:
        assert error.field == F


@PROPERTY
@given(raw=anything)
def test_parsed_text_is_clean(raw: object) -> None:
    try:
        value = parse_text(raw, field=F)
    except FieldError:
        return
    assert value == value.strip() and value
    assert "  " not in value
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value)
    assert not any(c in value for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f\ufeff")


def thousands(value: Decimal, group: str, decimal: str) -> str:
    """Write value as 1.234,56 (group ".", decimal ","), 1 234,56 and so on."""
    english = f"{value:,.2f}"  # 1,234.56
    return english.replace(",", "\x00").replace(".", decimal).replace("\x00", group)


@PROPERTY
@given(value=st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trip(value: Decimal) -> None:
    writings = [
        thousands(value, ".", ","),
        thousands(value, " ", ","),
        thousands(value, "\u00a0", ","),
        thousands(value, "\u202f", ","),
        thousands(value, ",", "."),
        f"{value:.2f}",
        f"{value:.2f}".replace(".", ","),
        f"€ {value:.2f}".replace(".", ","),
    ]
    for written in writings:
        assert parse_money(written, field=F) == value, written
    assert parse_money(value, field=F) == value


@PROPERTY
@given(date=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_date_round_trip(date: datetime.date) -> None:
    for written in (date.strftime("%d/%m/%Y"), date.strftime("%d.%m.%Y"), date.isoformat(), f"{date.day}/{date.month}/{date.year}"):
        assert parse_date(written, field=F) == date


@PROPERTY
@given(digits=st.integers(min_value=1, max_value=9_999_999_999))
def test_structured_communication_round_trip(digits: int) -> None:
    base = f"{digits:010d}"
    check = (digits % 97) or 97
    canonical = f"+++{base[:3]}/{base[3:7]}/{base[7:]}{check:02d}+++"
    assert parse_structured_communication(canonical, field=F) == canonical
    assert parse_structured_communication(canonical.replace("+", "*"), field=F) == canonical
