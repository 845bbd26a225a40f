"""Tests for plainte.deadlines: holidays, business days, month arithmetic and periods."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainte.deadlines import (
    COUNTRIES,
    Period,
    add_business_days,
    add_months,
    business_days_between,
    easter,
    is_business_day,
    legal_holidays,
)

YEARS = range(2020, 2041)
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 6, 30))
COUNTRY = st.sampled_from(COUNTRIES)


# --- the worked examples ------------------------------------------------------------------


def test_christmas_week_in_belgium() -> None:
    assert add_business_days(date(2026, 12, 18), 5, "BE") == date(2026, 12, 28)


def test_8_may_is_a_working_day_in_belgium_only() -> None:
    assert add_business_days(date(2026, 5, 7), 2, "BE") == date(2026, 5, 11)
    assert add_business_days(date(2026, 5, 7), 2, "FR") == date(2026, 5, 12)


def test_zero_business_days_is_the_start_even_on_a_holiday() -> None:
    assert add_business_days(date(2026, 12, 25), 0, "BE") == date(2026, 12, 25)


# --- holidays -----------------------------------------------------------------------------


def test_belgian_legal_holidays_2026() -> None:
    assert legal_holidays(2026, "BE") == {
        date(2026, 1, 1),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 7, 21),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 25),
    }


def test_community_holidays_are_not_national() -> None:
    be = legal_holidays(2026, "BE")
    for day in (date(2026, 5, 8), date(2026, 7, 11), date(2026, 9, 27), date(2026, 11, 15)):
        assert day not in be


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),
        (2008, date(2008, 3, 23)),  # early extreme of the window
        (2285, date(2285, 3, 22)),  # earliest possible Easter
        (1943, date(1943, 4, 25)),  # latest possible Easter
    ],
)
def test_easter(year: int, expected: date) -> None:
    assert easter(year) == expected


def test_easter_is_a_sunday() -> None:
    for year in range(1900, 2200):
        assert easter(year).weekday() == 6


@pytest.mark.parametrize("year", YEARS)
def test_belgium_matches_the_holidays_package(year: int) -> None:
    package = holidays.country_holidays("BE", years=year)
    # The package also lists Easter Sunday ("Pasen") and Whit Sunday ("Pinksteren"). They are
    # not among the 10 legal holidays on belgium.be (nor in the law of 4 January 1974 that
    # sets them); both are always Sundays, so leaving them out changes no business day.
    # We drop exactly those two, and check they are the only difference.
    sundays = {easter(year), easter(year) + timedelta(days=49)}
    assert sundays <= set(package)
    assert all(day.weekday() == 6 for day in sundays)
    assert legal_holidays(year, "BE") == set(package) - sundays
    assert len(legal_holidays(year, "BE")) == 10


@pytest.mark.parametrize("year", YEARS)
def test_france_matches_the_holidays_package(year: int) -> None:
    # Without a subdivision the package gives the 11 national days: Alsace-Moselle's Good
    # Friday and 26 December come only with subdiv "57"/"6AE". Whit Monday is included for
    # every year since 2008 (it was dropped only 2005-2007; since then it is still a legal
    # holiday, which employers may turn into the worked "journée de solidarité").
    package = holidays.country_holidays("FR", years=year)
    assert legal_holidays(year, "FR") == set(package)
    assert len(legal_holidays(year, "FR")) == 11


def test_unknown_country_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown country"):
        legal_holidays(2026, "CN")
    with pytest.raises(ValueError, match="unknown country"):
        add_business_days(date(2026, 1, 5), 0, "be")
    with pytest.raises(ValueError, match="unknown country"):
        business_days_between(date(2026, 1, 1), date(2026, 1, 2), "NL")


def test_is_business_day() -> None:
    assert is_business_day(date(2026, 5, 8), "BE")
    assert not is_business_day(date(2026, 5, 8), "FR")
    assert not is_business_day(date(2026, 7, 21), "BE")
    assert is_business_day(date(2026, 7, 21), "FR")
    assert not is_business_day(date(2026, 11, 14), "BE")  # Saturday
    assert not is_business_day(date(2026, 11, 15), "FR")  # Sunday


# --- months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 1, date(2026, 12, 30)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 3, 15), 0, date(2026, 3, 15)),
        (date(2026, 3, 31), 12, date(2027, 3, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 8, 31), 120, date(2036, 8, 31)),
    ],
)
def test_add_months(start: date, n: int, expected: date) -> None:
    assert add_months(start, n) == expected


def test_add_months_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_months(date(2026, 1, 1), -1)


# --- counting -----------------------------------------------------------------------------


def test_business_days_between() -> None:
    assert business_days_between(date(2026, 12, 18), date(2026, 12, 28), "BE") == 5
    assert business_days_between(date(2026, 5, 7), date(2026, 5, 12), "FR") == 2
    assert business_days_between(date(2026, 5, 7), date(2026, 5, 12), "BE") == 3
    assert business_days_between(date(2026, 5, 7), date(2026, 5, 7), "BE") == 0
    assert business_days_between(date(2026, 5, 12), date(2026, 5, 7), "BE") == 0
    # 2026 in Belgium: 261 weekdays, minus the 8 legal holidays that fall on one.
    assert business_days_between(date(2025, 12, 31), date(2026, 12, 31), "BE") == 253


def test_negative_business_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_days(date(2026, 1, 5), -1, "BE")


# --- periods ------------------------------------------------------------------------------


def test_period_after() -> None:
    assert Period(business_days=5).after(date(2026, 12, 18), "BE") == date(2026, 12, 28)
    assert Period(months=1).after(date(2026, 1, 31), "FR") == date(2026, 2, 28)
    assert Period(days=14).after(date(2026, 12, 18), "BE") == date(2027, 1, 1)
    # months, then days, then business days: 31 Jan + 1 month = 28 Feb, + 1 day = 1 Mar
    # (Sunday), + 1 business day = Mon 2 Mar.
    assert Period(business_days=1, months=1, days=1).after(date(2026, 1, 31), "BE") == date(
        2026, 3, 2
    )
    assert Period().after(date(2026, 12, 25), "BE") == date(2026, 12, 25)


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ({"business_days": 5}, Period(business_days=5)),
        ({"months": 1}, Period(months=1)),
        ({"days": 14}, Period(days=14)),
        ({"months": 2, "days": 1}, Period(months=2, days=1)),
    ],
)
def test_period_parse(mapping: dict[str, int], expected: Period) -> None:
    assert Period.parse(mapping) == expected


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"weeks": 2}, "unknown period key"),
        ({"days": 14, "hours": 1}, "unknown period key"),
        ({"days": "14"}, "whole number"),
        ({"days": 1.5}, "whole number"),
        ({"days": True}, "whole number"),
        ({"months": None}, "whole number"),
        ({"business_days": -1}, "negative"),
        ({}, "at least one"),
        ([("days", 14)], "mapping"),
        ("14 days", "mapping"),
    ],
)
def test_period_parse_refuses(mapping: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Period.parse(mapping)  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(start=DAYS, n=st.integers(min_value=1, max_value=40), country=COUNTRY)
def test_business_days_land_on_business_days(start: date, n: int, country: str) -> None:
    end = add_business_days(start, n, country)
    assert end.weekday() < 5
    assert end not in legal_holidays(end.year, country)
    assert is_business_day(end, country)
    assert business_days_between(start, end, country) == n
    # and it is the first such day: the day before still counts only n - 1
    assert business_days_between(start, end - timedelta(days=1), country) == n - 1


@settings(max_examples=200, deadline=None)
@given(start=DAYS, n=st.integers(min_value=0, max_value=40), country=COUNTRY)
def test_add_business_days_is_monotonic(start: date, n: int, country: str) -> None:
    assert start <= add_business_days(start, n, country) < add_business_days(start, n + 1, country)


@settings(max_examples=200, deadline=None)
@given(start=DAYS, end=DAYS, country=COUNTRY)
def test_business_days_between_counts_day_by_day(start: date, end: date, country: str) -> None:
    if end - start > timedelta(days=800):
        end = start + timedelta(days=800)
    expected = sum(
        is_business_day(start + timedelta(days=i), country)
        for i in range(1, (end - start).days + 1)
    )
    assert business_days_between(start, end, country) == expected


@settings(max_examples=200, deadline=None)
@given(start=DAYS, n=st.integers(min_value=0, max_value=120))
def test_add_months_properties(start: date, n: int) -> None:
    moved = add_months(start, n)
    assert (moved.year - start.year) * 12 + moved.month - start.month == n
    assert moved.day == start.day or (moved.day < start.day and (moved + timedelta(days=1)).day == 1)
