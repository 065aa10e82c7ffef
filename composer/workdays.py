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
    try:
        return bool(chinese_calendar.is_workday(on))
    except NotImplementedError:
        # chinese-calendar knows the announced years only; later years fall back to Monday–Friday
        # until the State Council publishes the next arrangement.
        return on.weekday() < 5


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
