"""What people see: the applicant's timeline, a department's worklist with due dates, and withdrawal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from composer.workdays import add_working_days
from service.compose import today as beijing_today
from service.workflow.clock import Standing
from service.workflow.errors import Conflict, Forbidden, NotFound
from service.workflow.models import Application, PermitTask
from service.workflow.progress import intake, timeline, worklist
from service.workflow.review import Decision, decide
from service.workflow.storage import Upload
from service.workflow.window import Finding, MaterialCheck, request_correction, withdraw
from tests.service.wfcase import MONDAY, PDF, Staff


def _task(session: Session, permit: str) -> PermitTask:
    task = session.exec(select(PermitTask).where(PermitTask.permit == permit)).one()
    session.refresh(task)
    return task


def test_the_applicant_sees_the_case_in_plain_words(session: Session, staff: Staff, accepted: Application) -> None:
    fire = _task(session, "fire_check")
    decide(session, actor=staff.fire, task_id=fire.id, decision=Decision.approve, version=fire.version, today=MONDAY)
    steps = [s.label for s in timeline(session, actor=staff.applicant, application_id=accepted.id)]
    assert steps == ["已提交", "已受理", "各部门审批中", "公众聚集场所消防安全检查：准予许可"]


def test_another_applicant_cannot_see_the_timeline(session: Session, staff: Staff, accepted: Application) -> None:
    with pytest.raises(NotFound):
        timeline(session, actor=staff.other_applicant, application_id=accepted.id)


def test_a_department_sees_only_its_own_tasks_soonest_due_first(session: Session, staff: Staff, accepted: Application) -> None:
    (entry,) = worklist(session, actor=staff.fire, today=date(2026, 12, 22))
    assert (entry.task.permit, entry.application_number, entry.applicant_name) == (
        "fire_check",
        accepted.number,
        "东城示例旅店有限公司",
    )
    assert entry.standing is Standing.due_soon  # 11 of 13 working days used: past 80 %
    assert [e.task.permit for e in worklist(session, actor=staff.police, today=MONDAY)] == []
    waiting = worklist(session, actor=staff.police, today=MONDAY, statuses=["waiting_dependency"])
    assert [e.task.permit for e in waiting] == ["hotel_trade"]


def test_the_district_sees_every_department_and_overdue_tasks(session: Session, staff: Staff, accepted: Application) -> None:
    entries = worklist(session, actor=staff.supervisor, today=date(2026, 12, 9))
    assert [(e.task.permit, e.standing) for e in entries] == [
        ("food_business", Standing.overdue),  # one working day on the commitment, due 12-08
        ("fire_check", Standing.on_time),
    ]


def test_an_applicant_has_no_worklist(session: Session, staff: Staff, accepted: Application) -> None:
    with pytest.raises(Forbidden):
        worklist(session, actor=staff.applicant, today=MONDAY)


def test_withdrawing_ends_the_open_tasks_and_keeps_the_decided_ones(
    session: Session, staff: Staff, accepted: Application
) -> None:
    fire = _task(session, "fire_check")
    decide(session, actor=staff.fire, task_id=fire.id, decision=Decision.approve, version=fire.version, today=MONDAY)
    session.refresh(accepted)
    withdraw(session, actor=staff.applicant, application_id=accepted.id, version=accepted.version, reason="不再经营")
    assert accepted.status == "withdrawn"
    statuses = {t.permit: t.status for t in session.exec(select(PermitTask))}
    assert statuses == {"food_business": "cancelled", "fire_check": "approved", "hotel_trade": "cancelled"}
    with pytest.raises(Conflict):
        withdraw(session, actor=staff.applicant, application_id=accepted.id, version=accepted.version)


def test_only_the_applicant_withdraws(session: Session, staff: Staff, accepted: Application) -> None:
    with pytest.raises(Forbidden):
        withdraw(session, actor=staff.clerk, application_id=accepted.id, version=accepted.version)
    with pytest.raises(NotFound):
        withdraw(session, actor=staff.other_applicant, application_id=accepted.id, version=accepted.version)


def test_the_window_queue_counts_five_working_days_from_receipt(
    session: Session,
    staff: Staff,
    make_submitted: Callable[[], Application],
    resubmit_files: Callable[[Application, list[Upload]], Application],
) -> None:
    application = make_submitted()
    received = beijing_today()
    (entry,) = intake(session, actor=staff.clerk, today=received)
    assert (entry.application.number, entry.received_on, entry.due_on) == (
        application.number,
        received,
        add_working_days(received, 5),
    )
    assert entry.standing is Standing.on_time
    assert intake(session, actor=staff.clerk, today=add_working_days(received, 4))[0].standing is Standing.due_soon
    assert intake(session, actor=staff.clerk, today=entry.due_on + timedelta(days=1))[0].standing is Standing.overdue

    request_correction(
        session,
        actor=staff.clerk,
        application_id=application.id,
        version=application.version,
        checks=[MaterialCheck("floor_plan", Finding.missing), MaterialCheck("fire_rules", Finding.received)],
    )
    assert intake(session, actor=staff.clerk, today=received) == []
    resubmit_files(application, [Upload("floor_plan", "平面图.pdf", PDF)])
    assert [e.application.status for e in intake(session, actor=staff.supervisor, today=received)] == ["resubmitted"]


def test_only_the_window_and_the_district_see_the_queue(session: Session, staff: Staff) -> None:
    for outsider in (staff.applicant, staff.market, staff.inspector):
        with pytest.raises(Forbidden):
            intake(session, actor=outsider, today=MONDAY)
