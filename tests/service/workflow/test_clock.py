"""The clock: Chinese working days from acceptance, paused while the applicant acts, due soon at 80 %."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import event, given
from hypothesis import strategies as st

from composer.workdays import add_working_days, announced, is_working_day, unannounced_ahead
from service.workflow.clock import Clock, Standing, working_days_between

ACCEPTED = date(2026, 9, 28)  # a Monday before the National Day holiday (10-01 … 10-07)


def test_working_days_skip_the_national_day_holiday() -> None:
    # Tue 09-29, Wed 09-30, then the holiday; Thu 10-08 is the next working day, Sat 10-10 a make-up one
    assert add_working_days(ACCEPTED, 2) == date(2026, 9, 30)
    assert add_working_days(ACCEPTED, 3) == date(2026, 10, 8)
    assert add_working_days(ACCEPTED, 5) == date(2026, 10, 10)
    assert working_days_between(ACCEPTED, date(2026, 10, 7)) == 2


def test_a_year_whose_arrangement_is_not_yet_held_still_skips_its_statutory_holidays() -> None:
    assert not announced(2030)
    # 元旦 Tue 01-01; 春节 除夕 Sat 02-02 … 正月初三 Tue 02-05, the weekend's two made up Wed 02-06 and Thu 02-07;
    # 国庆 Tue 10-01 … Thu 10-03
    off = [date(2030, 1, 1), *(date(2030, 2, d) for d in range(2, 8)), *(date(2030, 10, d) for d in (1, 2, 3))]
    assert not any(is_working_day(d) for d in off)
    assert all(is_working_day(d) for d in (date(2030, 1, 2), date(2030, 2, 1), date(2030, 2, 8), date(2030, 10, 4)))
    assert add_working_days(date(2030, 1, 31), 3) == date(2030, 2, 11)  # Fri 02-01, Fri 02-08, Mon 02-11
    # a limit counted now into the new year skips New Year's Day whether its arrangement is out yet or not
    assert add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)


def test_the_year_a_limit_counted_from_today_can_reach_is_checked_for_its_arrangement() -> None:
    assert announced(2026)
    assert unannounced_ahead(date(2026, 6, 1)) is None
    assert unannounced_ahead(date(2029, 12, 1)) == 2030


def test_a_twenty_day_limit_and_its_standing() -> None:
    clock = Clock(ACCEPTED, 20)
    assert clock.due_on == date(2026, 10, 30)
    assert clock.used(date(2026, 10, 23)) == 15
    assert clock.standing(date(2026, 10, 23)) is Standing.on_time
    assert clock.standing(date(2026, 10, 26)) is Standing.due_soon  # 16 of 20: 80 %
    assert clock.standing(date(2026, 10, 30)) is Standing.due_soon
    assert clock.standing(date(2026, 10, 31)) is Standing.overdue


def test_a_pause_stops_the_clock_and_moves_the_due_date() -> None:
    paused = Clock(ACCEPTED, 20).pause(date(2026, 10, 12))
    assert paused.standing(date(2026, 11, 30)) is Standing.paused
    assert paused.used(date(2026, 11, 30)) == paused.used(date(2026, 10, 12))
    resumed = paused.resume(date(2026, 10, 16))  # Tue–Fri: four working days with the applicant
    assert resumed.paused_days == 4
    assert resumed.due_on == date(2026, 11, 5)
    assert resumed.used(date(2026, 10, 16)) == working_days_between(ACCEPTED, date(2026, 10, 12))


STARTS = st.dates(date(2025, 1, 1), date(2026, 12, 31))
LIMITS = st.integers(1, 60)


@given(clock=st.builds(Clock, STARTS, LIMITS), pause_at=st.integers(0, 40), pause_for=st.integers(0, 30))
def test_a_paused_clock_is_due_exactly_as_many_working_days_later_as_the_pause_took(
    clock: Clock, pause_at: int, pause_for: int
) -> None:
    start, limit = clock.started_on, clock.limit_days
    paused_on = start + timedelta(days=pause_at)
    resumed = clock.pause(paused_on).resume(paused_on + timedelta(days=pause_for))
    took = working_days_between(paused_on, paused_on + timedelta(days=pause_for))
    event(f"pause took {'no' if took == 0 else 'some'} working days")
    span = [start + timedelta(days=n) for n in range((resumed.due_on - start).days + 1)]
    event("spans a weekday holiday" if any(d.weekday() < 5 and not is_working_day(d) for d in span) else "ordinary weeks only")
    event("spans a make-up Saturday or Sunday" if any(d.weekday() >= 5 and is_working_day(d) for d in span) else "no make-up day")
    assert working_days_between(clock.due_on, resumed.due_on) == took
    assert working_days_between(start, resumed.due_on) == limit + took


@given(clock=st.builds(Clock, STARTS, LIMITS, st.integers(0, 20)), offset=st.integers(0, 120))
def test_the_stored_due_soon_day_is_where_eighty_percent_of_the_working_days_are_used(clock: Clock, offset: int) -> None:
    today = clock.started_on + timedelta(days=offset)
    used_enough = clock.used(today) * 5 >= clock.limit_days * 4
    event("past 80 %" if used_enough else "before 80 %")
    event("limit a multiple of 5" if clock.limit_days % 5 == 0 else "limit with a fractional 80 %")
    assert (today >= clock.due_soon_on) == used_enough
