"""Belgian consumer-debt costs (Code of Economic Law, Book XIX): legal maxima and the excess claimed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from plainte.deadlines import add_months
from plainte.errors import CatalogueError, FieldError
from plainte.i18n import _

# --- ids and citations --------------------------------------------------------------------

DEBT_TYPES = ("consumer-goods-services", "consumer-credit", "business")
"""What the debt is: Book XIX covers consumers' debts for goods and services; whether its caps
also cover Book VII consumer credit (car loans, personal loans, credit cards) is not established;
business debts are outside Book XIX."""

ITEMS = ("damages", "reminder-fees", "interest", "collection-fees")

LAW_BOOK_XIX = "Code of Economic Law, Book XIX (Law of 4 May 2023)"
LAW_INTEREST = "Law of 2 August 2002, art. 5"

# Reasons (Line.note, CostCheck.reason).
REASON_APPLIES = "book-xix"
NOTE_RATE_UNVERIFIED = "rate-unverified"
NOTE_CONSUMER_CREDIT = "consumer-credit"
NOTE_NOT_APPLICABLE = "not-applicable"

INTEREST_RATES_FILE = "interest_rates.yaml"

# --- amounts -------------------------------------------------------------------------------

ZERO = Decimal("0")
CENT = Decimal("0.01")
_HUNDRED = Decimal("100")
_DAYS_PER_YEAR = Decimal("365")
_LIMIT = Decimal("1e15")  # keeps every product well inside Decimal's 28 digits

# Damages bands (balance due -> maximum damages).
_BAND_1_TOP = Decimal("150")
_BAND_1_FLAT = Decimal("20")
_BAND_2_TOP = Decimal("500")
_BAND_2_BASE = Decimal("30")
_BAND_2_RATE = Decimal("0.10")
_BAND_3_BASE = Decimal("65")
_BAND_3_RATE = Decimal("0.05")
DAMAGES_MAX = Decimal("2000.00")

REMINDER_FEE_MAX = Decimal("7.50")
"""The most a reminder after the first (free) one may cost, postage excluded."""


def to_cents(amount: Decimal) -> Decimal:
    """`amount` rounded to the cent, halves away from zero (as the law's worked examples do)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(name: str, value: object) -> Decimal:
    """`value` as a finite Decimal (Decimal, int or numeric string; never a float or a bool)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise FieldError(name, _("must be an exact amount (a decimal number), got {value}").format(value=value))
    if isinstance(value, (int, str)):
        try:
            value = Decimal(str(value).strip())
        except InvalidOperation:
            raise FieldError(name, _("must be a number, got {value}").format(value=value)) from None
    if not isinstance(value, Decimal):
        raise FieldError(name, _("must be a number, got {value}").format(value=value))
    if not value.is_finite():
        raise FieldError(name, _("must be a number, got {value}").format(value=value))
    return value


def _amount(name: str, value: object) -> Decimal:
    """`value` as a Decimal amount >= 0 and < 10^15, else FieldError naming `name`."""
    amount = _decimal(name, value)
    if amount < 0:
        raise FieldError(name, _("must be zero or more, got {value}").format(value=amount))
    if amount >= _LIMIT:
        raise FieldError(name, _("must be less than {limit}, got {value}").format(limit="1 000 000 000 000 000", value=amount))
    return amount


def _count(name: str, value: object) -> int:
    """`value` if it is a whole number >= 0 (bool excluded), else FieldError naming `name`."""
    if type(value) is not int:
        raise FieldError(name, _("must be a whole number, got {value}").format(value=value))
    if value < 0:
        raise FieldError(name, _("must be zero or more, got {value}").format(value=value))
    return value


# --- damages and reminders -----------------------------------------------------------------


def damages_cap(balance: Decimal) -> Decimal:
    """The most a creditor may claim as damages (penalty clause) on `balance`, to the cent.

    Up to 150.00: 20; 150.01 to 500: 30 + 10 % of the part above 150; above 500: 65 + 5 % of the
    part above 500, at most 2,000 (reached at a balance of 39,200). 650 -> 72.50; 215 -> 36.50.
    `balance` is the balance due when the damages are claimed; FieldError("balance") if negative.
    """
    balance = _amount("balance", balance)
    if balance <= _BAND_1_TOP:
        cap = _BAND_1_FLAT
    elif balance <= _BAND_2_TOP:
        cap = _BAND_2_BASE + _BAND_2_RATE * (balance - _BAND_1_TOP)
    else:
        cap = min(_BAND_3_BASE + _BAND_3_RATE * (balance - _BAND_2_TOP), DAMAGES_MAX)
    return to_cents(cap)


def reminder_fees_cap(reminders: int, postage_per_reminder: Decimal = ZERO) -> Decimal:
    """The most `reminders` reminders may cost: the first is free, each later one 7.50 + postage."""
    reminders = _count("reminders", reminders)
    postage = _amount("reminder_postage", postage_per_reminder)
    return to_cents(max(reminders - 1, 0) * (REMINDER_FEE_MAX + postage))


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


# --- checking a claim ----------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """What a creditor or collector claims on top of the balance.

    `reminder_fees` is the total claimed for reminders (postage included); `reminder_postage` the
    postage of one reminder, which the law allows on top of 7.50. `interest` is the interest
    amount claimed; `interest_rate` the yearly rate claimed, in percent. A period (`since`, and
    then `until`, which has no default) is needed to check interest.
    """

    balance: Decimal
    damages: Decimal = ZERO
    reminders: int = 0
    reminder_fees: Decimal = ZERO
    reminder_postage: Decimal = ZERO
    interest: Decimal = ZERO
    interest_rate: Decimal | None = None
    since: date | None = None
    until: date | None = None
    collection_fees: Decimal = ZERO
    debt_type: str = "consumer-goods-services"

    def __post_init__(self) -> None:
        for name in ("balance", "damages", "reminder_fees", "reminder_postage", "interest", "collection_fees"):
            object.__setattr__(self, name, _amount(name, getattr(self, name)))
        if self.interest_rate is not None:
            object.__setattr__(self, "interest_rate", _amount("interest_rate", self.interest_rate))
        _count("reminders", self.reminders)
        if self.debt_type not in DEBT_TYPES:
            raise FieldError(
                "debt_type",
                _("must be one of {choices}, got {value}").format(choices=", ".join(DEBT_TYPES), value=self.debt_type),
            )
        if self.since is not None:
            if self.until is None:
                raise FieldError("until", _("is needed when {other} is given").format(other="since"))
            _check_period(self.since, self.until)
        elif self.until is not None:
            raise FieldError("since", _("is needed when {other} is given").format(other="until"))
        if (self.interest > 0 or self.interest_rate is not None) and self.since is None:
            raise FieldError("since", _("is needed to check the interest (the date interest started)"))


@dataclass(frozen=True)
class Line:
    """One cost item: what is claimed, what the law allows (None: not asserted), and the excess."""

    item: str  # one of ITEMS
    claimed: Decimal
    allowed: Decimal | None
    excess: Decimal | None
    law: str
    note: str | None = None  # why it is not asserted: rate-unverified, consumer-credit, not-applicable


@dataclass(frozen=True)
class RateCheck:
    """The interest rate claimed against the art. 5 rate of one semester (percent a year)."""

    semester: str
    claimed: Decimal
    allowed: Decimal | None  # None when the semester has no verified rate
    excess: Decimal | None


@dataclass(frozen=True)
class CostCheck:
    """The claim checked item by item; totals over the lines (total_allowed None if any is not asserted)."""

    claim: Claim
    lines: tuple[Line, ...]
    total_claimed: Decimal
    total_allowed: Decimal | None
    total_excess: Decimal
    applies: bool
    reason: str  # book-xix, consumer-credit or not-applicable
    interest: InterestCap | None = None
    rates: tuple[RateCheck, ...] = field(default=())


def _line(item: str, claimed: Decimal, allowed: Decimal | None, law: str, note: str | None = None) -> Line:
    if allowed is None:
        return Line(item, claimed, None, None, law, note)
    return Line(item, claimed, allowed, max(claimed - allowed, ZERO), law, None)


def check_costs(claim: Claim) -> CostCheck:
    """Compare each cost claimed with its legal maximum (one line per item claimed)."""
    applies = claim.debt_type == "consumer-goods-services"
    reason = {
        "consumer-goods-services": REASON_APPLIES,
        "consumer-credit": NOTE_CONSUMER_CREDIT,
        "business": NOTE_NOT_APPLICABLE,
    }[claim.debt_type]
    no_cap = None if applies else reason

    lines: list[Line] = []
    if claim.damages > 0:
        lines.append(_line("damages", claim.damages, damages_cap(claim.balance) if applies else None, LAW_BOOK_XIX, no_cap))
    if claim.reminder_fees > 0:
        allowed = reminder_fees_cap(claim.reminders, claim.reminder_postage) if applies else None
        lines.append(_line("reminder-fees", claim.reminder_fees, allowed, LAW_BOOK_XIX, no_cap))

    cap: InterestCap | None = None
    rate_checks: tuple[RateCheck, ...] = ()
    if claim.interest > 0 or claim.interest_rate is not None:
        assert claim.since is not None and claim.until is not None  # Claim checks this
        claimed = claim.interest
        if claimed == 0 and claim.interest_rate is not None:
            claimed = _interest(claim.balance, claim.interest_rate, (claim.until - claim.since).days)
        if applies:
            cap = interest_cap(claim.balance, claim.since, claim.until)
            if claim.interest_rate is not None:
                rate_checks = tuple(
                    RateCheck(
                        s.semester,
                        claim.interest_rate,
                        s.rate if s.verified else None,
                        max(claim.interest_rate - s.rate, ZERO) if s.verified and s.rate is not None else None,
                    )
                    for s in cap.segments
                )
            lines.append(_line("interest", claimed, cap.amount, LAW_INTEREST, None if cap.verified else NOTE_RATE_UNVERIFIED))
        else:
            lines.append(_line("interest", claimed, None, LAW_INTEREST, no_cap))

    if claim.collection_fees > 0:
        # The creditor pays the agency; the consumer owes nothing beyond the contract's terms.
        lines.append(_line("collection-fees", claim.collection_fees, ZERO if applies else None, LAW_BOOK_XIX, no_cap))

    total_claimed = sum((line.claimed for line in lines), ZERO)
    asserted = all(line.allowed is not None for line in lines)
    total_allowed = sum((line.allowed for line in lines if line.allowed is not None), ZERO) if asserted else None
    total_excess = sum((line.excess for line in lines if line.excess is not None), ZERO)
    return CostCheck(
        claim=claim,
        lines=tuple(lines),
        total_claimed=total_claimed,
        total_allowed=total_allowed,
        total_excess=total_excess,
        applies=applies,
        reason=reason,
        interest=cap,
        rates=rate_checks,
    )
