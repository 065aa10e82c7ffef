"""One window and parallel approval: one correction notice, acceptance into parallel tasks, department decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, col, select

from composer.workdays import add_working_days
from service.compose import today as beijing_today
from service.jobs.notifications import MESSAGES, PermitNames
from service.models import User
from service.workflow import audit
from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound
from service.workflow.models import Application, AuditEvent, CorrectionNotice, MaterialFile, PermitTask
from service.workflow.progress import timeline
from service.workflow.review import Decision, decide, extend, record_verification, report_rectified
from service.workflow.storage import Upload
from service.workflow.window import Finding, MaterialCheck, accept, refuse, request_correction
from tests.service.svcutil import FIXTURE_PACKS
from tests.service.wfcase import MONDAY, PDF, PNG, Staff


@pytest.fixture
def application(session: Session, staff: Staff, make_submitted: Callable[[], Application]) -> Application:
    return make_submitted()


@pytest.fixture
def accepted_tasks(session: Session, staff: Staff, application: Application) -> dict[str, PermitTask]:
    """The application accepted on a Monday: its tasks by permit."""
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    return _tasks(session, application)


def _tasks(session: Session, application: Application) -> dict[str, PermitTask]:
    rows = session.exec(select(PermitTask).where(PermitTask.application_id == application.id)).all()
    for row in rows:
        session.refresh(row)
    return {t.permit: t for t in rows}


def _decide(session: Session, actor: User, task: PermitTask, decision: Decision, **more: Any) -> PermitTask:
    """``actor``'s decision on ``task``, at the version the test holds."""
    return decide(session, actor=actor, task_id=task.id, decision=decision, version=task.version, **more)


def _events(session: Session) -> list[tuple[str, str | None, str | None]]:
    return [(e.action, e.from_state, e.to_state) for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.seq)))]


def test_one_notice_lists_every_problem_and_the_applicant_fixes_only_those(
    session: Session, staff: Staff, application: Application, resubmit_files: Callable[[Application, list[Upload]], Application]
) -> None:
    notice = request_correction(
        session,
        actor=staff.clerk,
        application_id=application.id,
        version=application.version,
        checks=[
            MaterialCheck("floor_plan", Finding.not_acceptable, "平面图未标注消防设施"),
            MaterialCheck("fire_rules", Finding.received),
        ],
    )
    assert application.status == "correction_requested"
    assert [(i["name"], i["finding"], i["reason"]) for i in notice.items] == [
        ("经营场所平面布局图", "not_acceptable", "平面图未标注消防设施"),
        ("消防安全制度", "received", ""),
    ]
    with pytest.raises(Invalid) as raised:
        resubmit_files(application, [Upload("fire_rules", "制度.png", PNG)])
    assert {(p.code, p.where) for p in raised.value.problems} == {
        ("material_not_flagged", "materials.fire_rules[0]"),
        ("material_missing", "materials.floor_plan"),
    }
    fixed = PDF + b"% with the fire layer\n"
    resubmit_files(application, [Upload("floor_plan", "平面图-补正.pdf", fixed)])
    assert application.status == "resubmitted"
    rounds = [(f.material, f.round) for f in session.exec(select(MaterialFile).order_by(col(MaterialFile.round)))]
    assert sorted(rounds) == [("fire_rules", 0), ("floor_plan", 0), ("floor_plan", 1)]
    assert session.exec(select(CorrectionNotice)).one().resolved_at is not None


def test_a_correction_notice_must_cover_every_material_at_once(session: Session, staff: Staff, application: Application) -> None:
    with pytest.raises(Invalid) as raised:
        request_correction(
            session,
            actor=staff.clerk,
            application_id=application.id,
            version=application.version,
            checks=[MaterialCheck("floor_plan", Finding.not_acceptable)],
        )
    assert {(p.code, p.subject) for p in raised.value.problems} == {
        ("reason_required", "floor_plan"),
        ("material_unchecked", "fire_rules"),
    }
    assert application.status == "submitted"
    assert session.exec(select(CorrectionNotice)).all() == []


def test_acceptance_makes_every_permit_a_task_at_once_except_the_dependent_one(
    session: Session, staff: Staff, application: Application
) -> None:
    tasks = accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    assert application.status == "in_approval"
    by_permit = {t.permit: t for t in tasks}
    assert {p: (t.department, t.status) for p, t in by_permit.items()} == {
        "food_business": ("market", "pending"),
        "fire_check": ("fire", "pending"),
        "hotel_trade": ("police", "waiting_dependency"),
    }
    # 13 working days from Monday 2026-12-07; the food permit's committed limit is 1 working day
    assert by_permit["fire_check"].due_on == date(2026, 12, 24)
    assert by_permit["food_business"].due_on == date(2026, 12, 8)
    assert ("accept", "submitted", "accepted") in _events(session)
    assert _events(session)[-1] == ("start_approval", "accepted", "in_approval")


def test_an_acceptance_after_the_five_working_days_counts_from_the_day_the_materials_arrived(
    session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    on_time, late = make_submitted(), make_submitted()
    received = beijing_today()
    last_day = add_working_days(received, 5)
    accept(session, actor=staff.clerk, application_id=on_time.id, version=on_time.version, today=last_day)
    accept(session, actor=staff.clerk, application_id=late.id, version=late.version, today=add_working_days(last_day, 1))

    assert {t.clock_started_on for t in _tasks(session, on_time).values()} == {last_day}
    assert {t.clock_started_on for t in _tasks(session, late).values()} == {received}
    assert _tasks(session, late)["fire_check"].due_on == add_working_days(received, 13)
    reasons = dict(session.exec(select(AuditEvent.subject_id, AuditEvent.reason).where(AuditEvent.action == "accept")).all())
    assert reasons[on_time.id] == ""
    assert f"{received.year}年{received.month}月{received.day}日）起即为受理" in reasons[late.id]


def test_after_the_five_working_days_no_correction_notice_can_be_sent(
    session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    on_time, late = make_submitted(), make_submitted()
    last_day = add_working_days(beijing_today(), 5)
    checks = [MaterialCheck("floor_plan", Finding.missing), MaterialCheck("fire_rules", Finding.received)]
    request_correction(
        session, actor=staff.clerk, application_id=on_time.id, checks=checks, version=on_time.version, today=last_day
    )
    with pytest.raises(Invalid) as raised:
        request_correction(
            session,
            actor=staff.clerk,
            application_id=late.id,
            checks=checks,
            version=late.version,
            today=add_working_days(last_day, 1),
        )
    assert [(p.code, p.where) for p in raised.value.problems] == [("correction_too_late", "checks")]
    assert f"答复期限（{last_day.year}年{last_day.month}月{last_day.day}日）已过" in raised.value.problems[0].message
    assert (on_time.status, late.status) == ("correction_requested", "submitted")
    assert [n.application_id for n in session.exec(select(CorrectionNotice))] == [on_time.id]


def test_parallel_decisions_release_the_dependent_permit_and_conclude_the_application(
    session: Session, staff: Staff, application: Application
) -> None:
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    tasks = _tasks(session, application)
    food = _decide(session, staff.market, tasks["food_business"], Decision.approve, today=MONDAY)
    assert food.status == "approved_on_commitment"
    # 30 working days after 2026-12-07: chinese-calendar 1.11.0 has no 2027 arrangement yet, so 2027 counts its
    # weekdays except its statutory holidays, here New Year's Day (Fri 01-01)
    assert food.verification_due == date(2027, 1, 19)

    fire = tasks["fire_check"]
    _decide(session, staff.fire, fire, Decision.approve, today=MONDAY)
    hotel = _tasks(session, application)["hotel_trade"]
    assert hotel.status == "pending"
    released = [e for e in audit.history(session, hotel.id) if e.action == "release"]
    assert released[0].data == {"opinions": {"fire_check": "准予许可"}}
    assert application.status == "in_approval"

    refusal = {"reasons": ["客房未按规定安装旅客身份登记系统"], "legal_basis": ["《旅馆业治安管理办法》第四条"]}
    _decide(session, staff.police, hotel, Decision.reject, **refusal)
    session.refresh(application)
    assert application.status == "decided"
    assert application.decided_at is not None


def test_a_reviewer_cannot_decide_another_departments_task(
    session: Session, staff: Staff, application: Application, accepted_tasks: dict[str, PermitTask]
) -> None:
    fire = accepted_tasks["fire_check"]
    with pytest.raises(Forbidden) as raised:
        _decide(session, staff.market, fire, Decision.approve)
    assert "无权" in raised.value.problems[0].message
    assert _tasks(session, application)["fire_check"].status == "pending"


def test_an_applicant_does_not_see_another_applicants_task(
    session: Session, staff: Staff, application: Application, accepted_tasks: dict[str, PermitTask]
) -> None:
    food = accepted_tasks["food_business"]
    with pytest.raises(NotFound):
        report_rectified(session, actor=staff.other_applicant, task_id=food.id, version=food.version)


def test_a_refusal_needs_reasons_and_legal_basis(
    session: Session, staff: Staff, application: Application, accepted_tasks: dict[str, PermitTask]
) -> None:
    fire = accepted_tasks["fire_check"]
    with pytest.raises(Invalid) as raised:
        _decide(session, staff.fire, fire, Decision.reject, reasons=[" "])
    assert {p.where for p in raised.value.problems} == {"reasons", "legal_basis"}
    assert _tasks(session, application)["fire_check"].status == "pending"


def test_a_decision_on_a_decided_task_is_refused(
    session: Session, staff: Staff, application: Application, accepted_tasks: dict[str, PermitTask]
) -> None:
    fire = accepted_tasks["fire_check"]
    _decide(session, staff.fire, fire, Decision.approve)
    with pytest.raises(Conflict) as raised:
        _decide(session, staff.fire, fire, Decision.reject, reasons=["x"], legal_basis=["y"])
    assert raised.value.problems[0].message == "审批事项当前为“准予许可”，不能不予许可"
    assert _tasks(session, application)["fire_check"].status == "approved"


def test_a_change_from_an_old_copy_is_a_conflict(session: Session, staff: Staff, application: Application) -> None:
    old = application.version
    accept(session, actor=staff.clerk, application_id=application.id, version=old, today=MONDAY)
    with pytest.raises(Conflict) as raised:
        refuse(session, actor=staff.clerk, application_id=application.id, version=old, reasons=["材料虚假"])
    assert raised.value.problems[0].code == "version_conflict"


def test_rectification_stops_the_clock_and_moves_the_due_date(
    session: Session, staff: Staff, application: Application, accepted_tasks: dict[str, PermitTask]
) -> None:
    fire = accepted_tasks["fire_check"]
    _decide(session, staff.fire, fire, Decision.rectify, reasons=["疏散通道堆放杂物"], today=date(2026, 12, 9))
    assert (fire.status, fire.paused_since) == ("rectification_needed", date(2026, 12, 9))
    report_rectified(session, actor=staff.applicant, task_id=fire.id, version=fire.version, today=date(2026, 12, 14))
    # the applicant took Thu, Fri and Mon (3 working days): due 2026-12-24 becomes 2026-12-29
    assert (fire.status, fire.paused_days, fire.paused_since, fire.due_on) == ("pending", 3, None, date(2026, 12, 29))


def test_a_failed_check_after_a_commitment_revokes_the_permit(
    session: Session, staff: Staff, application: Application, accepted_tasks: dict[str, PermitTask]
) -> None:
    food = accepted_tasks["food_business"]
    _decide(session, staff.market, food, Decision.approve, today=MONDAY)
    with pytest.raises(Invalid):
        record_verification(session, actor=staff.market, task_id=food.id, passed=False, version=food.version)
    record_verification(
        session,
        actor=staff.market,
        task_id=food.id,
        passed=False,
        version=food.version,
        reason="现场无食品安全管理人员，承诺不实",
    )
    assert food.status == "revoked"
    assert audit.history(session, food.id)[-1].reason == "现场无食品安全管理人员，承诺不实"


def test_refusing_to_accept_gives_reasons_and_remedies(session: Session, staff: Staff, application: Application) -> None:
    with pytest.raises(Invalid):
        refuse(session, actor=staff.clerk, application_id=application.id, version=application.version, reasons=[])
    refuse(
        session, actor=staff.clerk, application_id=application.id, version=application.version, reasons=["不属于本机关职权范围"]
    )
    assert application.status == "refused"
    assert application.refusal is not None
    assert application.refusal["reasons"] == ["不属于本机关职权范围"]
    assert "六十日内" in application.refusal["remedy"]
    assert "六个月内" in application.refusal["remedy"]
    assert session.exec(select(PermitTask)).all() == []


def test_the_audit_chain_holds_after_a_whole_journey(
    db_url: str, session: Session, staff: Staff, application: Application
) -> None:
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    for permit, reviewer in (("food_business", staff.market), ("fire_check", staff.fire), ("hotel_trade", staff.police)):
        task = _tasks(session, application)[permit]
        _decide(session, reviewer, task, Decision.approve, today=MONDAY)
    checked, breaks = audit.verify(session)
    assert breaks == []
    assert checked == len(_events(session)) > 10


def test_a_department_extends_its_time_limit_once_with_its_heads_approval_and_the_applicant_is_told(
    session: Session, staff: Staff, application: Application, accepted_tasks: dict[str, PermitTask]
) -> None:
    fire, food = accepted_tasks["fire_check"], accepted_tasks["food_business"]
    asked: dict[str, Any] = {"task_id": fire.id, "reason": "需征求规划部门意见", "approved_by": "王局长", "today": MONDAY}
    with pytest.raises(Invalid) as unsaid:
        extend(session, actor=staff.fire, **(asked | {"reason": " ", "approved_by": ""}), version=fire.version)
    assert [p.code for p in unsaid.value.problems] == ["reason_required", "approver_required"]
    with pytest.raises(Invalid) as wordy:
        extend(session, actor=staff.fire, **(asked | {"reason": "因" * 501, "approved_by": "王" * 51}), version=fire.version)
    assert [p.code for p in wordy.value.problems] == ["reason_too_long", "approver_too_long"]
    with pytest.raises(Forbidden):
        extend(session, actor=staff.market, **asked, version=fire.version)  # not the market department's permit

    extended = extend(session, actor=staff.fire, **asked, version=fire.version)
    assert (extended.extended_days, extended.due_on) == (10, add_working_days(MONDAY, 13 + 10))  # Art. 42(1): once, ten days
    with pytest.raises(Conflict) as again:
        extend(session, actor=staff.fire, **asked, version=extended.version)
    assert again.value.problems[0].code == "already_extended"
    with pytest.raises(Conflict) as late:  # the food permit's one working day ran out on Tuesday
        extend(session, actor=staff.market, **(asked | {"task_id": food.id, "today": date(2026, 12, 9)}), version=food.version)
    assert late.value.problems[0].code == "past_due"

    [event] = [e for e in audit.history(session, fire.id) if e.action == "extend"]
    told = MESSAGES["state"](session, event.change(), PermitNames(FIXTURE_PACKS))
    assert told is not None
    assert [u.id for u in told.users] == [staff.applicant.id]
    assert "办理期限经批准延长 10 个工作日" in told.body.zh
    assert "需征求规划部门意见" in told.body.zh
    assert "extended with approval by 10 working days" in told.body.en
    steps = timeline(session, actor=staff.applicant, application_id=application.id)
    assert ("公众聚集场所消防安全检查", "办理期限已延长", "需征求规划部门意见") in [(s.subject, s.state, s.reason) for s in steps]


def test_a_task_waiting_on_the_applicants_rectification_can_still_be_extended_after_its_stored_due_date(
    session: Session, staff: Staff, accepted_tasks: dict[str, PermitTask]
) -> None:
    food = _decide(
        session, staff.market, accepted_tasks["food_business"], Decision.rectify, reasons=["补充食品安全制度"], today=MONDAY
    )
    weeks_later = date(2027, 1, 18)  # the stored due date (Tuesday 2026-12-08) is long gone, but the clock stood still
    extended = extend(
        session,
        actor=staff.market,
        task_id=food.id,
        reason="整改后需现场复核",
        approved_by="李局长",
        version=food.version,
        today=weeks_later,
    )
    assert extended.extended_days == 10
