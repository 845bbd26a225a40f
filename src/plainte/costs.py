"""Belgian consumer-debt costs (Code of Economic Law, Book XIX): legal maxima and the excess claimed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from plainte.amounts import CENT, ZERO, _amount, _count, to_cents
from plainte.errors import FieldError
from plainte.i18n import _
from plainte.interest import (
    INTEREST_RATES_FILE,
    InterestCap,
    InterestRate,
    InterestSegment,
    _check_period,
    _interest,
    interest_cap,
    interest_rates,
    load_interest_rates,
    semester_end,
    semester_of,
    semester_start,
)

__all__ = [  # the public names, as before amounts and the interest table moved to amounts.py and interest.py
    "DEBT_TYPES", "ITEMS", "LAW_BOOK_XIX", "LAW_INTEREST", "REASON_APPLIES", "NOTE_RATE_UNVERIFIED", "NOTE_CONSUMER_CREDIT",
    "NOTE_NOT_APPLICABLE", "INTEREST_RATES_FILE", "ZERO", "CENT", "DAMAGES_MAX", "REMINDER_FEE_MAX", "to_cents",
    "damages_cap", "reminder_fees_cap", "InterestRate", "semester_of", "semester_start", "semester_end",
    "load_interest_rates", "interest_rates", "InterestSegment", "InterestCap", "interest_cap", "Claim", "Line",
    "RateCheck", "CostCheck", "check_costs",
]

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

# --- amounts -------------------------------------------------------------------------------

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
