"""联合办理期限 (行政许可法 Art. 42(2)): 45 working days for the whole application, 15 more once as the district head approves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from composer.workdays import add_working_days
from service.compose import today as beijing_today
from service.jobs.notifications import MESSAGES, PermitNames
from service.workflow import audit
from service.workflow.clock import Standing
from service.workflow.errors import Conflict, Forbidden, Invalid
from service.workflow.joint import closing, extend, standing
from service.workflow.models import Application, PermitTask
from service.workflow.progress import timeline
from service.workflow.review import extend as review_extend
from service.workflow.window import accept, withdraw
from tests.service.svcutil import FIXTURE_PACKS
from tests.service.wfcase import MONDAY, Staff


def test_acceptance_gives_the_whole_application_forty_five_working_days(
    session: Session, staff: Staff, accepted: Application, make_submitted: Callable[[], Application]
) -> None:
    assert accepted.joint_due_on == add_working_days(MONDAY, 45)
    late = make_submitted()  # the window never answered: the limit runs from the day the materials arrived
    received = beijing_today()
    accept(session, actor=staff.clerk, application_id=late.id, version=late.version, today=add_working_days(received, 6))
    assert late.joint_due_on == add_working_days(received, 45)


def test_the_district_head_extends_it_once_by_fifteen_working_days_and_the_applicant_is_told(
    session: Session, staff: Staff, accepted: Application
) -> None:
    asked: dict[str, Any] = {"application_id": accepted.id, "reason": "需三个部门会商", "approved_by": "张区长", "today": MONDAY}
    with pytest.raises(Invalid) as unsaid:
        extend(session, actor=staff.clerk, **(asked | {"reason": "", "approved_by": " "}), version=accepted.version)
    problems = [(p.code, p.where) for p in unsaid.value.problems]
    assert problems == [("reason_required", "reason"), ("approver_required", "approved_by")]
    assert unsaid.value.problems[1].message == "须写明批准延长的区人民政府负责人"
    with pytest.raises(Forbidden):
        extend(session, actor=staff.fire, **asked, version=accepted.version)  # a department cannot: the district decides
    with pytest.raises(Conflict) as past:
        extend(session, actor=staff.clerk, **(asked | {"today": add_working_days(MONDAY, 46)}), version=accepted.version)
    assert past.value.problems[0].code == "past_due"
    assert accepted.joint_extended_days == 0

    extended = extend(session, actor=staff.clerk, **asked, version=accepted.version)
    assert (extended.joint_extended_days, extended.joint_due_on) == (15, add_working_days(MONDAY, 60))
    with pytest.raises(Conflict) as again:
        extend(session, actor=staff.clerk, **asked, version=extended.version)
    assert again.value.problems[0].code == "already_extended"

    [event] = [e for e in audit.history(session, accepted.id) if e.action == "extend_joint"]
    assert (event.from_state, event.to_state, event.data["approved_by"]) == ("in_approval", "in_approval", "张区长")
    told = MESSAGES["state"](session, event.change(), PermitNames(FIXTURE_PACKS))
    assert told is not None
    assert [u.id for u in told.users] == [staff.applicant.id]
    due = extended.joint_due_on
    assert due is not None
    assert f"联合办理期限经区人民政府负责人批准延长 15 个工作日，应于 {due.year}年{due.month}月{due.day}日前办结" in told.body.zh
    assert "需三个部门会商" in told.body.zh
    assert "approved 15 more working days for the joint handling" in told.body.en
    steps = timeline(session, actor=staff.applicant, application_id=accepted.id)
    assert ("联合办理期限已延长", "需三个部门会商") in [(s.state, s.reason) for s in steps]


def test_only_an_application_the_departments_still_handle_has_a_limit_to_extend(
    session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    waiting = make_submitted()
    with pytest.raises(Conflict) as raised:
        extend(session, actor=staff.clerk, application_id=waiting.id, reason="因", approved_by="张区长", version=waiting.version)
    assert raised.value.problems[0].code == "not_in_handling"
    assert waiting.joint_due_on is None


def test_the_last_nine_working_days_and_past_them_are_listed_while_the_departments_still_handle_it(
    session: Session, staff: Staff, accepted: Application
) -> None:
    due = accepted.joint_due_on
    assert due is not None
    ten_left, nine_left = add_working_days(MONDAY, 35), add_working_days(MONDAY, 36)  # four fifths of 45 used: 36
    assert closing(session, ten_left) == []
    assert (standing(accepted, ten_left), standing(accepted, nine_left)) == (Standing.on_time, Standing.due_soon)
    assert closing(session, nine_left) == [(accepted, Standing.due_soon)]
    assert closing(session, due) == [(accepted, Standing.due_soon)]
    assert closing(session, add_working_days(due, 1)) == [(accepted, Standing.overdue)]
    withdraw(session, actor=staff.applicant, application_id=accepted.id, version=accepted.version, reason="不再开业")
    assert closing(session, add_working_days(due, 1)) == []


def test_a_department_cannot_extend_past_the_joint_limit_until_the_district_head_extends_that(
    session: Session, staff: Staff, accepted: Application
) -> None:
    fire = session.exec(select(PermitTask).where(PermitTask.permit == "fire_check")).one()
    accepted.joint_due_on = add_working_days(fire.due_on, 5)  # as if the fire permit's own limit were long
    session.add(accepted)
    session.commit()
    asked: dict[str, Any] = {"task_id": fire.id, "reason": "需征求规划部门意见", "approved_by": "王局长", "today": MONDAY}
    with pytest.raises(Conflict) as beyond:
        review_extend(session, actor=staff.fire, **asked, version=fire.version)
    assert beyond.value.problems[0].code == "beyond_joint_limit"
    assert "须先由综合窗口报区人民政府负责人批准延长联合办理期限" in beyond.value.problems[0].message

    extend(
        session, actor=staff.clerk, application_id=accepted.id, reason="需会商", approved_by="张区长", version=accepted.version
    )
    session.refresh(fire)
    assert review_extend(session, actor=staff.fire, **asked, version=fire.version).due_on == add_working_days(MONDAY, 23)
