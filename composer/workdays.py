"""Time limits: working days (工作日) under the State Council's holiday arrangements, via chinese-calendar."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from composer.memo import memoised
from composer.model import Locale, Span
from composer.words import say, say_n
from rules.model import Days, DayUnit


@lru_cache(maxsize=4096)
def is_working_day(on: date) -> bool:
    """Whether ``on`` is a working day: by the State Council's arrangement for its year where
    chinese-calendar holds it, else by the statutory holidays alone (see ``statutory_holidays``)."""
    if announced(on.year):
        return bool(chinese_calendar.is_workday(on))
    return on.weekday() < 5 and on not in statutory_holidays(on.year)


@lru_cache(maxsize=64)
def announced(year: int) -> bool:
    """Whether chinese-calendar holds the State Council's holiday arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:  # the library's way of saying it does not hold that year
        return False
    return True


REACH = timedelta(days=120)
"""How far ahead of today a time limit can end: the longest limits, 60 working days, and an extension."""


def unannounced_ahead(today: date) -> int | None:
    """The year within reach of a limit counted from ``today`` whose arrangement chinese-calendar does not hold, if any."""
    year = (today + REACH).year
    return None if announced(year) else year


@lru_cache(maxsize=16)
def statutory_holidays(year: int) -> frozenset[date]:
    """The days off a year's arrangement must hold, before the State Council announces it.

    《全国年节及纪念日放假办法》第二条 (as amended in 2024) fixes the holidays of all citizens:
    元旦 1 day, 春节 4 days (除夕 and 正月初一至初三), 清明节, 劳动节 2 days, 端午节, 中秋节, 国庆节
    3 days; 第六条: one that falls on a Saturday or Sunday is made up on a working day, which this
    takes as the next one. The announcement may move days around them (调休); this cannot know
    how, so a limit counted into such a year is an estimate until chinese-calendar holds it.
    """
    from holidays import country_holidays  # the lunar dates; loaded only for a year chinese-calendar does not hold

    return frozenset(country_holidays("CN", years=year))


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0)."""
    on = start
    while days > 0:
        on += timedelta(days=1)
        days -= is_working_day(on)
    return on


@lru_cache(maxsize=4096)
def working_days_within(start: date, calendar_days: int) -> int:
    """How many working days fall in the ``calendar_days`` days after ``start``.

    A limit written in law as "30日" (calendar days) is compared with limits in working days by
    counting the working days it spans from the as-of date.

    Examples:
        >>> working_days_within(date(2026, 9, 30), 7)   # National Day holiday: 10-01 … 10-07
        0
        >>> working_days_within(date(2026, 11, 20), 7)  # a plain week: Sat … Fri
        5
    """
    return sum(is_working_day(start + timedelta(days=n)) for n in range(1, calendar_days + 1))


@memoised
def span(days: int, unit: DayUnit, on: date | None, locale: Locale) -> Span:
    """A time limit as the notice shows it; ``on``, the as-of date, counts a limit in calendar days."""
    if unit is DayUnit.working:
        text = say("当场办结", locale) if days == 0 else say_n("%(n)s个工作日", locale, days)
        return Span(days=days, unit=unit.value, working_days=days, text=text)
    assert on is not None
    text = say_n("%(n)s日（自然日）", locale, days)
    return Span(days=days, unit=unit.value, working_days=working_days_within(on, days), text=text)


def limit(days: Days, on: date | None, locale: Locale) -> Span:
    """``span`` of a limit on the as-of date, which only a limit in calendar days reads."""
    return span(days.days, days.unit, on if days.unit is DayUnit.calendar else None, locale)
