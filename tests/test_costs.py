"""Tests for plainte.costs: Book XIX damages and reminder caps, the interest cap, and check_costs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainte.costs import (
    DEBT_TYPES,
    LAW_BOOK_XIX,
    LAW_INTEREST,
    Claim,
    InterestRate,
    check_costs,
    damages_cap,
    interest_cap,
    interest_rates,
    load_interest_rates,
    reminder_fees_cap,
    semester_end,
    semester_of,
    semester_start,
)
from plainte.errors import CatalogueError, FieldError

BALANCES = st.decimals(min_value=0, max_value=200000, places=2, allow_nan=False, allow_infinity=False)


# --- damages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "cap"),
    [
        ("0", "20.00"),
        ("0.01", "20.00"),
        ("149.99", "20.00"),
        ("150", "20.00"),
        ("150.00", "20.00"),
        ("150.01", "30.00"),  # 30 + 0.001
        ("150.05", "30.01"),  # 30 + 0.005, half up
        ("215", "36.50"),  # the law's worked example
        ("499.99", "65.00"),  # 30 + 34.999
        ("500", "65.00"),
        ("500.01", "65.00"),  # 65 + 0.0005
        ("500.10", "65.01"),  # 65 + 0.005, half up
        ("650", "72.50"),  # the law's worked example
        ("1000", "90.00"),
        ("39199.99", "2000.00"),  # 65 + 1934.9995, half up
        ("39199.80", "1999.99"),
        ("39200", "2000.00"),  # where the cap is reached
        ("39200.01", "2000.00"),
        ("100000", "2000.00"),
    ],
)
def test_damages_cap_at_every_boundary(balance: str, cap: str) -> None:
    assert damages_cap(D(balance)) == D(cap)
    assert damages_cap(D(balance)).as_tuple().exponent == -2


def test_damages_cap_rejects_a_negative_balance() -> None:
    with pytest.raises(FieldError) as info:
        damages_cap(D("-0.01"))
    assert info.value.field == "balance"


@pytest.mark.parametrize("bad", [1.5, D("NaN"), D("Infinity"), "abc", True])
def test_damages_cap_rejects_non_decimals(bad: object) -> None:
    with pytest.raises(FieldError) as info:
        damages_cap(bad)  # type: ignore[arg-type]
    assert info.value.field == "balance"


@settings(max_examples=200, deadline=None)
@given(BALANCES, BALANCES)
def test_damages_cap_never_decreases_as_the_balance_grows(a: D, b: D) -> None:
    low, high = sorted((a, b))
    assert damages_cap(low) <= damages_cap(high)
    assert D("20") <= damages_cap(low) <= D("2000")


# --- reminders ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reminders", "postage", "cap"),
    [
        (0, "0", "0.00"),
        (1, "0", "0.00"),  # the first reminder is free
        (1, "1.50", "0.00"),
        (2, "0", "7.50"),
        (3, "0", "15.00"),
        (3, "2.05", "19.10"),  # 2 x (7.50 + 2.05)
    ],
)
def test_reminder_fees_cap(reminders: int, postage: str, cap: str) -> None:
    assert reminder_fees_cap(reminders, D(postage)) == D(cap)


def test_reminder_fees_cap_default_postage() -> None:
    assert reminder_fees_cap(2) == D("7.50")


@pytest.mark.parametrize(("reminders", "postage", "field"), [(-1, "0", "reminders"), (2, "-1", "reminder_postage"), (True, "0", "reminders")])
def test_reminder_fees_cap_rejects_bad_input(reminders: int, postage: str, field: str) -> None:
    with pytest.raises(FieldError) as info:
        reminder_fees_cap(reminders, D(postage))
    assert info.value.field == field


# --- semesters and the rates table --------------------------------------------------------


def test_semesters() -> None:
    assert semester_of(date(2024, 6, 30)) == "2024-H1"
    assert semester_of(date(2024, 7, 1)) == "2024-H2"
    assert semester_start("2024-H2") == date(2024, 7, 1)
    assert semester_end("2024-H1") == date(2024, 6, 30)
    assert semester_end("2024-H2") == date(2024, 12, 31)
    with pytest.raises(ValueError):
        semester_start("2024-H3")


def test_shipped_rates_hold_only_the_sourced_rows() -> None:
    rates = interest_rates()
    assert set(rates) == {"2024-H1", "2026-H1"}
    assert rates["2024-H1"].rate == D("12.50") and rates["2024-H1"].verified
    assert rates["2026-H1"].rate == D("10.50") and not rates["2026-H1"].verified
    assert "not confirmed" in rates["2026-H1"].ref
    assert all(isinstance(r.checked, date) for r in rates.values())
    assert interest_rates() is rates  # read once


ROW = "- {semester: 2024-H1, rate: '12.50', verified: true, source: {ref: x, checked: 2026-11-21}}"


def test_a_well_formed_rates_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "rates.yaml"
    path.write_text(ROW, encoding="utf-8")
    assert load_interest_rates(path)["2024-H1"].rate == D("12.50")


@pytest.mark.parametrize(
    "text",
    [
        ROW.replace("2024-H1", "2024-H3"),
        ROW.replace("'12.50'", "12.5"),  # a float: rates are quoted
        ROW.replace("'12.50'", "'abc'"),
        ROW.replace("'12.50'", "'-1'"),
        ROW.replace("verified: true", "verified: maybe"),
        ROW.replace(", checked: 2026-11-21", ""),
        ROW.replace("checked: 2026-11-21", "checked: soon"),
        ROW.replace("}}", "}, extra: 1}"),
        ROW + "\n" + ROW,  # a semester twice
        "semester: 2024-H1",
        "- [unclosed",
    ],
)
def test_malformed_rates_files_are_reported(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rates.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError):
        load_interest_rates(path)


# --- the interest cap ---------------------------------------------------------------------

RATES = {
    "2024-H1": InterestRate("2024-H1", D("12.50"), True, "test", date(2026, 11, 21)),
    "2024-H2": InterestRate("2024-H2", D("10.00"), True, "test", date(2026, 11, 21)),
    "2025-H1": InterestRate("2025-H1", D("9.00"), False, "test", date(2026, 11, 21)),
}


def test_interest_inside_2024_h1_is_verified() -> None:
    cap = interest_cap(D("1000"), date(2024, 1, 1), date(2024, 7, 1))
    assert cap.verified and cap.unverified_semesters == ()
    assert cap.days == 182
    (segment,) = cap.segments
    assert (segment.semester, segment.days, segment.rate) == ("2024-H1", 182, D("12.50"))
    assert (segment.first, segment.last) == (date(2024, 1, 1), date(2024, 6, 30))
    assert cap.amount == segment.amount == D("62.33")  # 1000 x 12.5 % x 182 / 365 = 62.328...


def test_interest_over_31_days() -> None:
    cap = interest_cap(D("365"), date(2024, 3, 1), date(2024, 4, 1))
    assert cap.amount == D("3.88")  # 365 x 12.5 % x 31 / 365 = 3.875, half up


def test_interest_touching_an_unverified_semester_is_not_asserted() -> None:
    cap = interest_cap(D("1000"), date(2025, 12, 1), date(2026, 2, 1))
    assert cap.amount is None and cap.verified is False
    assert cap.unverified_semesters == ("2025-H2", "2026-H1")  # not listed; listed but unverified
    assert [s.rate for s in cap.segments] == [None, D("10.50")]
    assert all(s.amount is None for s in cap.segments)


def test_one_unverified_semester_is_enough_to_withhold_the_cap() -> None:
    cap = interest_cap(D("1000"), date(2024, 6, 1), date(2024, 7, 2))
    assert cap.amount is None and cap.unverified_semesters == ("2024-H2",)
    assert cap.segments[0].amount == D("10.27")  # the verified part is still shown


def test_interest_walks_semester_by_semester() -> None:
    cap = interest_cap(D("1000"), date(2024, 6, 1), date(2024, 8, 1), rates=RATES)
    assert [(s.semester, s.days) for s in cap.segments] == [("2024-H1", 30), ("2024-H2", 31)]
    assert [s.amount for s in cap.segments] == [D("10.27"), D("8.49")]
    assert cap.amount == D("18.76") and cap.verified


def test_interest_listed_but_unverified_rate() -> None:
    cap = interest_cap(D("1000"), date(2024, 12, 1), date(2025, 1, 2), rates=RATES)
    assert cap.unverified_semesters == ("2025-H1",) and cap.amount is None


def test_interest_empty_period_and_bad_periods() -> None:
    empty = interest_cap(D("1000"), date(2030, 1, 1), date(2030, 1, 1))
    assert empty.amount == D("0.00") and empty.verified and empty.segments == ()
    with pytest.raises(FieldError) as info:
        interest_cap(D("1000"), date(2024, 2, 1), date(2024, 1, 1))
    assert info.value.field == "until"
    with pytest.raises(FieldError) as info:
        interest_cap(D("-1"), date(2024, 1, 1), date(2024, 2, 1))
    assert info.value.field == "balance"


# --- check_costs --------------------------------------------------------------------------


def test_check_costs_the_total_excess() -> None:
    claim = Claim(
        balance=D("650"),
        damages=D("100"),  # cap 72.50 -> 27.50 too much
        reminders=3,
        reminder_fees=D("30"),  # cap 2 x (7.50 + 1.00) = 17.00 -> 13.00 too much
        reminder_postage=D("1.00"),
        interest=D("40"),  # cap 650 x 12.5 % x 182 / 365 = 40.51 -> within
        since=date(2024, 1, 1),
        until=date(2024, 7, 1),
        collection_fees=D("45"),  # nothing owed -> 45.00 too much
    )
    check = check_costs(claim)
    assert check.applies and check.reason == "book-xix"
    by_item = {line.item: line for line in check.lines}
    assert [line.item for line in check.lines] == ["damages", "reminder-fees", "interest", "collection-fees"]
    assert (by_item["damages"].allowed, by_item["damages"].excess) == (D("72.50"), D("27.50"))
    assert (by_item["reminder-fees"].allowed, by_item["reminder-fees"].excess) == (D("17.00"), D("13.00"))
    assert (by_item["interest"].allowed, by_item["interest"].excess) == (D("40.51"), D("0"))
    assert (by_item["collection-fees"].allowed, by_item["collection-fees"].excess) == (D("0"), D("45"))
    assert by_item["interest"].law == LAW_INTEREST and by_item["damages"].law == LAW_BOOK_XIX
    assert all(line.note is None for line in check.lines)
    assert check.total_claimed == D("215")
    assert check.total_allowed == D("130.01")
    assert check.total_excess == D("85.50")
    assert check.interest is not None and check.interest.amount == D("40.51")


@pytest.mark.parametrize("fees", ["0.01", "15", "250.00"])
def test_collection_fees_are_never_allowed(fees: str) -> None:
    (line,) = check_costs(Claim(balance=D("1000"), collection_fees=D(fees))).lines
    assert line.item == "collection-fees" and line.allowed == 0 and line.excess == D(fees)


def test_claims_within_the_caps_have_no_excess() -> None:
    check = check_costs(Claim(balance=D("215"), damages=D("36.50"), reminders=2, reminder_fees=D("7.50")))
    assert check.total_excess == 0 and check.total_allowed == check.total_claimed == D("44.00")


def test_nothing_claimed_gives_no_lines() -> None:
    check = check_costs(Claim(balance=D("100")))
    assert check.lines == () and check.total_claimed == check.total_excess == 0 and check.total_allowed == 0


def test_interest_in_an_unverified_semester_is_not_asserted() -> None:
    claim = Claim(balance=D("1000"), damages=D("90"), interest=D("30"), since=date(2026, 1, 1), until=date(2026, 4, 1))
    check = check_costs(claim)
    interest = next(line for line in check.lines if line.item == "interest")
    assert interest.allowed is None and interest.excess is None and interest.note == "rate-unverified"
    assert check.total_allowed is None
    assert check.total_excess == D("0")  # damages 90 is the cap at 1000
    assert check.applies


def test_interest_rate_only_is_compared_per_semester() -> None:
    claim = Claim(balance=D("1000"), interest_rate=D("15"), since=date(2024, 1, 1), until=date(2024, 4, 1))
    check = check_costs(claim)
    (line,) = check.lines
    assert line.claimed == D("37.40")  # 1000 x 15 % x 91 / 365 = 37.397...
    assert line.allowed == D("31.16")  # 1000 x 12.5 % x 91 / 365 = 31.164...
    assert line.excess == D("6.24")
    (rate,) = check.rates
    assert (rate.semester, rate.claimed, rate.allowed, rate.excess) == ("2024-H1", D("15"), D("12.50"), D("2.50"))


def test_interest_rate_below_the_legal_rate() -> None:
    check = check_costs(Claim(balance=D("1000"), interest_rate=D("8"), since=date(2024, 1, 1), until=date(2024, 2, 1)))
    assert check.rates[0].excess == 0 and check.lines[0].excess == 0


def test_interest_rate_in_an_unverified_semester() -> None:
    check = check_costs(Claim(balance=D("1000"), interest_rate=D("15"), since=date(2024, 6, 1), until=date(2024, 8, 1)))
    assert [(r.semester, r.allowed, r.excess) for r in check.rates] == [("2024-H1", D("12.50"), D("2.50")), ("2024-H2", None, None)]
    assert check.lines[0].allowed is None and check.lines[0].note == "rate-unverified"


def test_consumer_credit_asserts_no_caps() -> None:
    claim = Claim(
        balance=D("5000"), damages=D("500"), reminders=2, reminder_fees=D("50"), interest=D("100"),
        since=date(2024, 1, 1), until=date(2024, 7, 1), collection_fees=D("80"), debt_type="consumer-credit",
    )
    check = check_costs(claim)
    assert not check.applies and check.reason == "consumer-credit"
    assert len(check.lines) == 4
    assert all(line.allowed is None and line.excess is None and line.note == "consumer-credit" for line in check.lines)
    assert check.total_allowed is None and check.total_excess == 0 and check.total_claimed == D("730")
    assert check.interest is None and check.rates == ()


def test_business_debts_are_outside_book_xix() -> None:
    check = check_costs(Claim(balance=D("5000"), damages=D("500"), debt_type="business"))
    assert not check.applies and check.reason == "not-applicable"
    assert check.lines[0].note == "not-applicable" and check.lines[0].allowed is None


def test_debt_types() -> None:
    assert DEBT_TYPES == ("consumer-goods-services", "consumer-credit", "business")
    with pytest.raises(FieldError) as info:
        Claim(balance=D("1"), debt_type="mortgage")
    assert info.value.field == "debt_type"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"balance": D("-1")}, "balance"),
        ({"balance": D("1"), "damages": D("-1")}, "damages"),
        ({"balance": D("1"), "damages": 1.5}, "damages"),
        ({"balance": D("1"), "reminders": -1}, "reminders"),
        ({"balance": D("1"), "interest": D("5")}, "since"),
        ({"balance": D("1"), "interest_rate": D("5")}, "since"),
        ({"balance": D("1"), "since": date(2024, 1, 1)}, "until"),
        ({"balance": D("1"), "until": date(2024, 1, 1)}, "since"),
        ({"balance": D("1"), "since": date(2024, 2, 1), "until": date(2024, 1, 1)}, "until"),
        ({"balance": D("1"), "interest_rate": D("-2"), "since": date(2024, 1, 1), "until": date(2024, 2, 1)}, "interest_rate"),
    ],
)
def test_claim_rejects_bad_input(kwargs: dict, field: str) -> None:
    with pytest.raises(FieldError) as info:
        Claim(**kwargs)
    assert info.value.field == field


def test_claim_accepts_ints_as_exact_amounts() -> None:
    claim = Claim(balance=650, damages=100)  # type: ignore[arg-type]
    assert claim.balance == D("650") and isinstance(claim.damages, D)


@settings(max_examples=150, deadline=None)
@given(
    balance=BALANCES,
    damages=st.decimals(min_value=0, max_value=5000, places=2),
    reminders=st.integers(min_value=0, max_value=10),
    fees=st.decimals(min_value=0, max_value=200, places=2),
    collection=st.decimals(min_value=0, max_value=500, places=2),
)
def test_excesses_are_never_negative_and_add_up(balance: D, damages: D, reminders: int, fees: D, collection: D) -> None:
    check = check_costs(Claim(balance=balance, damages=damages, reminders=reminders, reminder_fees=fees, collection_fees=collection))
    assert all(line.excess is not None and line.excess >= 0 for line in check.lines)
    assert check.total_excess == sum((line.excess for line in check.lines), D("0"))
    assert check.total_allowed is not None
    assert check.total_claimed - check.total_allowed <= check.total_excess
