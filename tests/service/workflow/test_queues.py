"""Queues and dashboards: due soon and overdue on Chinese working days, the paused clock, who sees what, pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import Session

from service.workflow.clock import Clock, Standing
from service.workflow.errors import Forbidden, Invalid
from service.workflow.models import Application, PermitTask
from service.workflow.queues import Figures, QueueFilter, dashboard, task_queue
from service.workflow.review import Decision, decide, report_rectified
from service.workflow.window import accept
from tests.service.wfcase import Staff

ACCEPTED = date(2026, 9, 28)
"""A Monday before the National Day holiday (10-01 … 10-07, with Saturday 10-10 a make-up working day)."""


@pytest.fixture
def fire(session: Session, staff: Staff, make_submitted: Callable[[], Application]) -> PermitTask:
    """The fire check (13 working days) of a case accepted on ``ACCEPTED``, beside food (market) and hotel (police)."""
    application = make_submitted()
    tasks = accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=ACCEPTED)
    return next(t for t in tasks if t.permit == "fire_check")


def _fire(session: Session, staff: Staff, today: date) -> Figures:
    (line,) = dashboard(session, actor=staff.fire, today=today).permits
    return line


def test_due_soon_and_overdue_fall_on_working_days_across_the_holiday(session: Session, staff: Staff, fire: PermitTask) -> None:
    # fire_check has 13 working days: the 11th (80 %) is Mon 10-19 and the 13th Wed 10-21, the holiday skipped
    assert (fire.due_soon_on, fire.due_on) == (
        date(2026, 10, 19),
        date(2026, 10, 21),
    )
    standings = {
        date(2026, 10, 18): (0, 0),  # a Sunday: still ten working days used
        date(2026, 10, 19): (1, 0),
        date(2026, 10, 21): (1, 0),  # the last day is due soon, not overdue
        date(2026, 10, 22): (0, 1),
    }
    for today, (due_soon, overdue) in standings.items():
        line = _fire(session, staff, today)
        assert (line.open, line.due_soon, line.overdue) == (1, due_soon, overdue), today
        (entry,) = task_queue(session, actor=staff.fire, today=today).entries
        assert entry.standing == Clock(ACCEPTED, 13).standing(today)


def test_the_clock_paused_for_rectification_is_neither_due_soon_nor_overdue_and_resumes_later(
    session: Session, staff: Staff, fire: PermitTask
) -> None:
    decide(
        session,
        actor=staff.fire,
        task_id=fire.id,
        decision=Decision.rectify,
        version=fire.version,
        reasons=["疏散通道堵塞"],
        today=date(2026, 10, 12),
    )
    long_after = date(2026, 11, 30)
    line = _fire(session, staff, long_after)
    assert (line.open, line.due_soon, line.overdue) == (1, 0, 0)
    (entry,) = task_queue(session, actor=staff.fire, today=long_after).entries
    assert entry.standing is Standing.paused

    session.refresh(fire)
    report_rectified(session, actor=staff.applicant, task_id=fire.id, version=fire.version, today=date(2026, 10, 16))
    session.refresh(fire)  # Tue–Fri with the applicant: four working days added
    assert (fire.due_soon_on, fire.due_on) == (date(2026, 10, 23), date(2026, 10, 27))
    assert (_fire(session, staff, date(2026, 10, 22)).due_soon, _fire(session, staff, date(2026, 10, 23)).due_soon) == (0, 1)
    assert _fire(session, staff, date(2026, 10, 28)).overdue == 1


def test_average_working_days_per_permit_against_its_limit(session: Session, staff: Staff, fire: PermitTask) -> None:
    decide(session, actor=staff.fire, task_id=fire.id, decision=Decision.approve, version=fire.version, today=date(2026, 10, 9))
    line = _fire(session, staff, date(2026, 10, 9))
    assert (line.open, line.decided, line.average_days, line.average_limit) == (0, 1, 4.0, 13.0)  # 9-29, 9-30, 10-8, 10-9

    district = dashboard(session, actor=staff.supervisor, today=date(2026, 10, 9))
    assert [(d.department, d.open, d.decided) for d in district.departments] == [
        ("fire", 0, 1),
        ("market", 1, 0),
        ("police", 1, 0),  # the hotel permit, released by the fire decision
    ]
    assert (district.department, district.total.open, district.total.decided) == (None, 2, 1)


def test_a_reviewer_sees_only_their_department_and_an_applicant_nothing(session: Session, staff: Staff, fire: PermitTask) -> None:
    mine = dashboard(session, actor=staff.market, today=ACCEPTED)
    assert (mine.department, [p.permit for p in mine.permits]) == ("market", ["food_business"])
    asked_for_fire = task_queue(session, actor=staff.market, today=ACCEPTED, wanted=QueueFilter(department="fire"))
    assert [e.task.permit for e in asked_for_fire.entries] == ["food_business"]
    everyone = task_queue(session, actor=staff.supervisor, today=ACCEPTED)
    assert sorted(e.task.department for e in everyone.entries) == ["fire", "market", "police"]
    only_fire = task_queue(session, actor=staff.supervisor, today=ACCEPTED, wanted=QueueFilter(department="fire"))
    assert [e.task.permit for e in only_fire.entries] == ["fire_check"]
    for outsider in (staff.applicant, staff.other_applicant):
        with pytest.raises(Forbidden):
            dashboard(session, actor=outsider, today=ACCEPTED)
        with pytest.raises(Forbidden):
            task_queue(session, actor=outsider, today=ACCEPTED)


def test_the_queue_filters_searches_and_pages_by_keyset(
    session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    for _ in range(3):
        application = make_submitted()
        accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=ACCEPTED)

    def permits(**wanted: object) -> list[str]:
        page = task_queue(session, actor=staff.supervisor, today=ACCEPTED, wanted=QueueFilter(**wanted))  # type: ignore[arg-type]
        return [e.task.permit for e in page.entries]

    assert sorted(set(permits())) == ["fire_check", "food_business", "hotel_trade"]
    assert permits(status="waiting_dependency") == ["hotel_trade"] * 3
    assert permits(due_by=date(2026, 9, 29)) == ["food_business"] * 3  # one working day on the commitment
    assert len(permits(search="示例旅店")) == 9
    assert len(permits(search="91110101ma01abcd06")) == 9  # a USCC, in any case
    assert permits(search="不存在的公司") == []
    assert permits(search="100%_") == []  # LIKE's wildcards are searched for as themselves

    seen, after = [], None
    while True:
        page = task_queue(session, actor=staff.supervisor, today=ACCEPTED, after=after, size=2)
        seen += [(e.task.due_on, e.task.id) for e in page.entries]
        if page.next_after is None:
            break
        after = page.next_after
    assert len(seen) == 9
    assert seen == sorted(seen)  # soonest due first, each task once


def test_bad_filters_name_their_field_and_change_nothing(session: Session, staff: Staff, fire: PermitTask) -> None:
    cases = {
        "status": QueueFilter(status="approved"),
        "q": QueueFilter(search="x" * 101),
    }
    for where, wanted in cases.items():
        with pytest.raises(Invalid) as raised:
            task_queue(session, actor=staff.fire, today=ACCEPTED, wanted=wanted)
        assert [p.where for p in raised.value.problems] == [where]
    with pytest.raises(Invalid) as raised:
        task_queue(session, actor=staff.fire, today=ACCEPTED, after="yesterday_x")
    assert raised.value.problems[0].where == "after"
