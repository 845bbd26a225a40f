"""The Belgian late-payment interest rate table (Law of 2 August 2002, art. 5) and the interest cap it sets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from plainte.amounts import ZERO, _amount, to_cents
from plainte.deadlines import add_months
from plainte.errors import CatalogueError, FieldError
from plainte.i18n import _

INTEREST_RATES_FILE = "interest_rates.yaml"

_HUNDRED = Decimal("100")
_DAYS_PER_YEAR = Decimal("365")

# --- the interest-rate table ---------------------------------------------------------------

_SEMESTER = re.compile(r"^(\d{4})-H([12])$")


@dataclass(frozen=True)
class InterestRate:
    """The art. 5 rate for one semester, with where it comes from."""

    semester: str
    rate: Decimal  # yearly, in percent
    verified: bool
    ref: str
    checked: date


def semester_of(day: date) -> str:
    """The semester id of `day`: "2024-H1" (1 January to 30 June) or "2024-H2" (1 July to 31 December)."""
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def semester_start(semester: str) -> date:
    """The first day of `semester` ("YYYY-H1" or "YYYY-H2"); ValueError if malformed."""
    match = _SEMESTER.match(semester)
    if not match:
        raise ValueError(f"not a semester id (YYYY-H1 or YYYY-H2): {semester!r}")
    return date(int(match.group(1)), 1 if match.group(2) == "1" else 7, 1)


def semester_end(semester: str) -> date:
    """The last day of `semester` (30 June or 31 December)."""
    return add_months(semester_start(semester), 6) - timedelta(days=1)


def _rate_error(where: str, key: str, expected: str) -> CatalogueError:
    return CatalogueError(_("{where}: {key}: expected {expected}").format(where=where, key=key, expected=expected))


def _parse_rate(raw: Any, where: str) -> InterestRate:
    """One row of the rates file, checked."""
    if not isinstance(raw, Mapping):
        raise _rate_error(where, "-", _("a mapping with semester, rate, verified and source"))
    keys = {"semester", "rate", "verified", "source"}
    for key in raw:
        if key not in keys:
            raise _rate_error(where, str(key), _("one of {keys}").format(keys=", ".join(sorted(keys))))
    for key in sorted(keys):
        if key not in raw:
            raise _rate_error(where, key, _("a value (the key is missing)"))
    semester = raw["semester"]
    if not isinstance(semester, str) or not _SEMESTER.match(semester):
        raise _rate_error(where, "semester", _("a semester such as \"2024-H1\" or \"2024-H2\""))
    rate_raw = raw["rate"]
    if not isinstance(rate_raw, str):
        raise _rate_error(where, "rate", _("a quoted decimal percentage such as \"12.50\""))
    try:
        rate = Decimal(rate_raw)
    except InvalidOperation:
        rate = Decimal("NaN")
    if not rate.is_finite() or rate < 0:
        raise _rate_error(where, "rate", _("a quoted decimal percentage such as \"12.50\""))
    verified = raw["verified"]
    if not isinstance(verified, bool):
        raise _rate_error(where, "verified", _("true or false"))
    source = raw["source"]
    if not isinstance(source, Mapping) or set(source) != {"ref", "checked"}:
        raise _rate_error(where, "source", _("a mapping with ref and checked"))
    if not isinstance(source["ref"], str) or not source["ref"].strip():
        raise _rate_error(where, "source.ref", _("where the rate comes from"))
    if not isinstance(source["checked"], date):
        raise _rate_error(where, "source.checked", _("a date such as 2026-11-21"))
    return InterestRate(semester, rate, verified, source["ref"], source["checked"])


def load_interest_rates(path: Path) -> Mapping[str, InterestRate]:
    """Read and check a rates file (a YAML list of rows); semester id -> rate, read-only."""
    import yaml  # imported here: most commands never need the rates

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.load(fh, Loader=loader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogueError(_("{path}: cannot be read as YAML ({error})").format(path=path, error=exc)) from None
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise _rate_error(str(path), "-", _("a list of rows"))
    rates: dict[str, InterestRate] = {}
    for index, row in enumerate(raw):
        rate = _parse_rate(row, f"{path.name}[{index}]")
        if rate.semester in rates:
            raise _rate_error(f"{path.name}[{index}]", "semester", _("each semester once"))
        rates[rate.semester] = rate
    return MappingProxyType(dict(sorted(rates.items())))


@lru_cache(maxsize=1)
def interest_rates() -> Mapping[str, InterestRate]:
    """The shipped table of art. 5 rates (data/interest_rates.yaml), read once on first use."""
    from plainte.resources import data_dir

    return load_interest_rates(data_dir() / INTEREST_RATES_FILE)


# --- the interest cap ----------------------------------------------------------------------


@dataclass(frozen=True)
class InterestSegment:
    """The part of a period inside one semester, and the interest the cap allows on it."""

    semester: str
    first: date  # first day counted
    last: date  # last day counted
    days: int
    rate: Decimal | None  # the table's rate (percent a year), None if the semester is not listed
    verified: bool
    amount: Decimal | None  # None when the rate is not verified


@dataclass(frozen=True)
class InterestCap:
    """The most interest a creditor may claim over a period; amount None when not asserted."""

    amount: Decimal | None
    verified: bool
    unverified_semesters: tuple[str, ...] = ()
    segments: tuple[InterestSegment, ...] = ()
    days: int = 0


def _check_period(since: object, until: object) -> tuple[date, date]:
    if not isinstance(since, date):
        raise FieldError("since", _("must be a date, got {value}").format(value=since))
    if not isinstance(until, date):
        raise FieldError("until", _("must be a date, got {value}").format(value=until))
    if until < since:
        raise FieldError("until", _("must not be before {since}, got {value}").format(since=since, value=until))
    return since, until


def _interest(balance: Decimal, rate: Decimal, days: int) -> Decimal:
    """Simple interest balance x rate % x days / 365, to the cent."""
    return to_cents(balance * rate / _HUNDRED * days / _DAYS_PER_YEAR)


def interest_cap(
    balance: Decimal,
    since: date,
    until: date,
    rates: Mapping[str, InterestRate] | None = None,
) -> InterestCap:
    """The most interest `balance` may bear from `since` (counted) to `until` (not counted).

    Walks the period semester by semester: simple interest balance x rate x days/365 at each
    semester's art. 5 rate, each segment to the cent, the cap their sum. If any semester touched
    has no verified rate, no cap is asserted: amount None, verified False, and the semesters named.
    `rates` defaults to the shipped table.
    """
    balance = _amount("balance", balance)
    since, until = _check_period(since, until)
    table = interest_rates() if rates is None else rates
    segments: list[InterestSegment] = []
    start = since
    while start < until:
        semester = semester_of(start)
        stop = min(until, semester_end(semester) + timedelta(days=1))
        days = (stop - start).days
        row = table.get(semester)
        verified = row is not None and row.verified
        segments.append(
            InterestSegment(
                semester=semester,
                first=start,
                last=stop - timedelta(days=1),
                days=days,
                rate=row.rate if row is not None else None,
                verified=verified,
                amount=_interest(balance, row.rate, days) if row is not None and verified else None,
            )
        )
        start = stop
    unverified = tuple(s.semester for s in segments if not s.verified)
    total_days = (until - since).days
    if unverified:
        return InterestCap(None, False, unverified, tuple(segments), total_days)
    amount = sum((s.amount for s in segments if s.amount is not None), ZERO)
    return InterestCap(to_cents(amount), True, (), tuple(segments), total_days)

