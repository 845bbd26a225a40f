"""Business days with Belgian and French holidays, month arithmetic, and the dates a letter states."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

COUNTRIES = ("BE", "FR")

_ONE_DAY = timedelta(days=1)


def _check_country(country: str) -> None:
    """Raise ValueError unless `country` is one of COUNTRIES."""
    if country not in COUNTRIES:
        raise ValueError(f"unknown country {country!r}: expected one of {', '.join(COUNTRIES)}")


def _check_count(name: str, value: object) -> int:
    """Return `value` if it is a non-negative int (bool excluded), else raise ValueError."""
    if type(value) is not int:
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def easter(year: int) -> date:
    """Easter Sunday of `year` in the Gregorian calendar (anonymous / Meeus-Jones-Butcher computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def legal_holidays(year: int, country: str) -> frozenset[date]:
    """The national legal (public) holidays of `country` ("BE" or "FR") in `year`.

    Belgium: the 10 legal holidays listed on belgium.be (Community holidays such as 8 May,
    11 July, 27 September and 15 November are not national). Replacement days granted to
    employees when a holiday falls on a Sunday are not legal holidays and are not included.
    France: the 11 national jours fériés (Alsace-Moselle's extra days are not included).
    """
    _check_country(country)
    sunday = easter(year)
    movable = {
        sunday + timedelta(days=1),  # Easter Monday
        sunday + timedelta(days=39),  # Ascension Day
        sunday + timedelta(days=50),  # Whit Monday
    }
    fixed = [(1, 1), (5, 1), (8, 15), (11, 1), (11, 11), (12, 25)]
    if country == "BE":
        fixed.append((7, 21))  # National Day
    else:
        fixed += [(5, 8), (7, 14)]  # Victory in Europe Day, National Day
    return frozenset(movable | {date(year, month, day) for month, day in fixed})


def is_business_day(day: date, country: str) -> bool:
    """True unless `day` is a Saturday, a Sunday or a legal holiday of `country`."""
    return day.weekday() < 5 and day not in legal_holidays(day.year, country)


# Every letter asks for the same few spans from the same few dates (today, the received-on date): the
# answers are pure functions of (date, count, country), so a bounded cache is safe; typed=True keeps
# add_business_days(d, True, ...) a ValueError instead of the cached answer for 1 (errors are never cached).
@lru_cache(maxsize=4096, typed=True)
def add_business_days(start: date, n: int, country: str) -> date:
    """The date `n` business days after `start` (start itself not counted; n == 0 gives start)."""
    _check_country(country)
    _check_count("the number of business days", n)
    day = start
    while n:
        day += _ONE_DAY
        if is_business_day(day, country):
            n -= 1
    return day


def add_months(start: date, n: int) -> date:
    """`start` moved `n` months on (0..120 expected), clamped to the last day of a shorter month."""
    _check_count("the number of months", n)
    year, month_index = divmod(start.month - 1 + n, 12)
    year += start.year
    month = month_index + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _weekdays_between(start: date, end: date) -> int:
    """Number of Monday-to-Friday days d with start < d <= end (end > start)."""
    total = (end - start).days
    full_weeks, rest = divmod(total, 7)
    count = full_weeks * 5
    weekday = start.weekday()
    for _ in range(rest):
        weekday = (weekday + 1) % 7
        count += weekday < 5
    return count


def business_days_between(start: date, end: date, country: str) -> int:
    """Number of business days d of `country` with start < d <= end (0 when end <= start)."""
    _check_country(country)
    if end <= start:
        return 0
    holidays_on_weekdays = sum(
        1
        for year in range(start.year, end.year + 1)
        for holiday in legal_holidays(year, country)
        if start < holiday <= end and holiday.weekday() < 5
    )
    return _weekdays_between(start, end) - holidays_on_weekdays


@dataclass(frozen=True)
class Period:
    """A deadline length: months, then calendar days, then business days, applied in that order."""

    business_days: int = 0
    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        for field in fields(self):
            _check_count(field.name, getattr(self, field.name))

    def after(self, start: date, country: str) -> date:
        """The date this period after `start`, counting business days in `country`."""
        return _period_after(self, start, country)

    @classmethod
    def parse(cls, mapping: Mapping[str, Any]) -> Period:
        """Build a Period from e.g. {"business_days": 5}, {"months": 1} or {"days": 14}."""
        known = tuple(field.name for field in fields(cls))
        if not isinstance(mapping, Mapping):
            raise ValueError(
                f"a period must be a mapping with keys among {', '.join(known)}, got {mapping!r}"
            )
        if not mapping:
            raise ValueError(f"a period needs at least one of {', '.join(known)}")
        unknown = sorted(str(key) for key in mapping if key not in known)
        if unknown:
            raise ValueError(
                f"unknown period key(s) {', '.join(unknown)}: expected {', '.join(known)}"
            )
        return cls(**{str(key): value for key, value in mapping.items()})


# A period comes from the catalogue (a handful of them) and the start is a letter's date: bounded, and
# a pure function of its arguments.
@lru_cache(maxsize=4096)
def _period_after(period: Period, start: date, country: str) -> date:
    """Period.after, cached."""
    _check_country(country)
    moved = add_months(start, period.months) + timedelta(days=period.days)
    return add_business_days(moved, period.business_days, country)
