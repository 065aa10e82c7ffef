"""Procedures a time limit does not count (行政许可法 Art. 45): the department's clock and the joint handling's stop."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select

from composer.workdays import add_working_days
from service.jobs.notifications import MESSAGES, PermitNames
from service.workflow import audit
from service.workflow.clock import Standing
from service.workflow.clock import of as clock_of
from service.workflow.errors import Conflict, Forbidden, Invalid
from service.workflow.joint import closing
from service.workflow.models import Application, PermitTask
from service.workflow.pauses import resume, stop
from service.workflow.progress import timeline
from service.workflow.review import Decision, decide
from tests.service.svcutil import FIXTURE_PACKS
from tests.service.wfcase import MONDAY, Staff


def _task(session: Session, permit: str) -> PermitTask:
    task = session.exec(select(PermitTask).where(PermitTask.permit == permit)).one()
    session.refresh(task)
    return task


def _joint(session: Session, application: Application) -> tuple[date | None, date | None]:
    """Since when the joint handling's clock stands still, and its last day, as stored now."""
    session.refresh(application)
    return application.joint_paused_since, application.joint_due_on


def day(n: int) -> date:
    """The ``n``-th working day after ``MONDAY``."""
    return add_working_days(MONDAY, n)


def test_a_procedure_is_told_in_writing_and_stops_the_clock_until_it_ends(
    session: Session, staff: Staff, accepted: Application
) -> None:
    fire = _task(session, "fire_check")
    asked: dict[str, Any] = {"task_id": fire.id, "kind": "expert_review", "days": 10, "note": "需组织专家论证", "today": day(2)}
    with pytest.raises(Invalid) as wrong:
        stop(session, actor=staff.fire, **(asked | {"kind": "lunch", "days": 0, "note": "因" * 501}), version=fire.version)
    assert [(p.code, p.where) for p in wrong.value.problems] == [
        ("kind_unknown", "kind"),
        ("days_out_of_range", "days"),
        ("note_too_long", "note"),
    ]
    with pytest.raises(Forbidden):
        stop(session, actor=staff.market, **asked, version=fire.version)  # not the market department's permit

    stopped = stop(session, actor=staff.fire, **asked, version=fire.version)
    assert clock_of(stopped).standing(day(20)) is Standing.paused  # long past its 13 days, and not overdue
    with pytest.raises(Conflict) as deciding:
        decide(session, actor=staff.fire, task_id=fire.id, decision=Decision.approve, version=stopped.version, today=day(3))
    assert deciding.value.problems[0].code == "procedure_under_way"
    assert "专家评审尚未结束" in deciding.value.problems[0].message
    with pytest.raises(Conflict) as again:
        stop(session, actor=staff.fire, **asked, version=stopped.version)
    assert again.value.problems[0].code == "already_paused"

    [event] = [e for e in audit.history(session, fire.id) if e.action == "stop_clock"]
    told = MESSAGES["state"](session, event.change(), PermitNames(FIXTURE_PACKS))
    assert told is not None
    assert [u.id for u in told.users] == [staff.applicant.id]
    assert "需要专家评审，所需时间约 10 个工作日，依法不计入办理时限（《行政许可法》第四十五条）" in told.body.zh
    assert "需组织专家论证" in told.body.zh
    assert "needs this procedure: Expert review. It takes about 10 working days" in told.body.en

    resumed = resume(session, actor=staff.fire, task_id=fire.id, version=stopped.version, today=day(12))
    assert (resumed.not_counted, resumed.paused_since, resumed.due_on) == (None, None, day(13 + 10))
    steps = [(s.subject, s.state, s.reason) for s in timeline(session, actor=staff.applicant, application_id=accepted.id)]
    assert ("公众聚集场所消防安全检查", "暂停计时", "专家评审，所需时间约 10 个工作日，不计入办理时限：需组织专家论证") in steps
    assert ("公众聚集场所消防安全检查", "恢复计时", "专家评审已结束，恢复计时") in steps
    with pytest.raises(Conflict) as nothing:
        resume(session, actor=staff.fire, task_id=fire.id, version=resumed.version, today=day(12))
    assert nothing.value.problems[0].code == "not_stopped"


def test_the_joint_handling_stops_while_any_of_its_procedures_is_under_way(
    session: Session, staff: Staff, accepted: Application
) -> None:
    joint_due = accepted.joint_due_on
    assert joint_due == day(45)
    food, fire = _task(session, "food_business"), _task(session, "fire_check")
    with pytest.raises(Conflict) as late:  # the food permit's one working day ran out on Tuesday
        stop(session, actor=staff.market, task_id=food.id, kind="testing", days=5, note="", version=None, today=day(2))
    assert late.value.problems[0].code == "stop_past_due"

    food = stop(session, actor=staff.market, task_id=food.id, kind="testing", days=5, note="", version=food.version, today=day(1))
    fire = stop(session, actor=staff.fire, task_id=fire.id, kind="hearing", days=20, note="", version=fire.version, today=day(2))
    session.refresh(accepted)
    assert accepted.joint_paused_since == day(1)
    assert closing(session, add_working_days(joint_due, 1)) == [(accepted, Standing.paused)]  # stopped: not overdue

    food = resume(session, actor=staff.market, task_id=food.id, version=food.version, today=day(6))
    assert food.due_on == day(1 + 5)
    assert _joint(session, accepted) == (day(1), joint_due)  # the hearing still runs
    resume(session, actor=staff.fire, task_id=fire.id, version=fire.version, today=day(12))
    assert _joint(session, accepted) == (None, day(45 + 11))  # day 1 to day 12, once
