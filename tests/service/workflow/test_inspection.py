"""One joint inspection: a checklist from the pack, one merged rectification notice, one report, one re-check."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select

from composer import Composer
from service.jobs.models import OutboxRow
from service.jobs.notifications import MESSAGES, PermitNames
from service.models import Draft, User
from service.workflow.errors import Conflict, Forbidden, Invalid
from service.workflow.inspection import Result, checklist, findings, held, record, report_rectified, reschedule, schedule
from service.workflow.models import Application, Inspection, PermitTask
from service.workflow.progress import timeline
from service.workflow.review import Decision, decide
from service.workflow.roles import Role
from service.workflow.storage import LocalFileStore
from service.workflow.submit import submit
from service.workflow.window import accept
from tests.service.svcutil import FIXTURE_PACKS
from tests.service.wfcase import ON_SITE, Staff, on_site_uploads

MONDAY, WEDNESDAY, SATURDAY = date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 12)


@pytest.fixture
def accepted(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], composer: Composer, store: LocalFileStore
) -> Application:
    draft = make_draft(staff.applicant, ON_SITE)
    application = submit(
        session, actor=staff.applicant, draft_id=draft.id, composer=composer, store=store, uploads=on_site_uploads(), signed=[]
    ).application
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    return application


@pytest.fixture
def market_inspector(session: Session) -> User:
    user = User(email="inspector-market@example.com", password_hash="x", role=Role.inspector, department="market")
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def inspection(session: Session, staff: Staff, accepted: Application) -> Inspection:
    """The joint inspection scheduled on Monday for the Wednesday after."""
    return schedule(session, actor=staff.clerk, application_id=accepted.id, visit_on=WEDNESDAY, today=MONDAY)


def _food(session: Session) -> PermitTask:
    task = session.exec(select(PermitTask).where(PermitTask.permit == "food_business")).one()
    session.refresh(task)
    return task


def _record_food(session: Session, inspection: Inspection, actor: User, results: list[Result], **more: Any) -> Inspection:
    """An inspector's results on the food permit, on the visit's day at the inspection's current version unless
    ``today`` or ``version`` is given."""
    args: dict[str, Any] = {"version": inspection.version, "today": inspection.visit_on} | more
    return record(session, actor=actor, inspection_id=inspection.id, permit="food_business", results=results, **args)


def _decide_food(session: Session, staff: Staff, decision: Decision, **more: Any) -> PermitTask:
    return decide(session, actor=staff.market, task_id=_food(session).id, decision=decision, version=None, **more)


def _desk(session: Session) -> dict[str, str]:
    """Permit → why the visit holds it, as the desks' lists and the department systems' task list read it."""
    tasks = list(session.exec(select(PermitTask)))
    reasons = held(session, tasks)
    return {t.permit: reasons[t.id] for t in tasks if t.id in reasons}


def _held_by(session: Session, staff: Staff) -> str:
    """The reason the market department cannot grant the food permit now, the same in the refusal as on the desk."""
    with pytest.raises(Conflict) as refused:
        _decide_food(session, staff, Decision.approve)
    [problem] = refused.value.problems
    assert (problem.code, problem.where) == ("inspection_not_passed", "decision")
    assert _desk(session) == {"food_business": problem.message}
    return problem.message


def test_the_checklist_comes_from_the_pack(accepted: Application) -> None:
    assert {p: [(e["id"], e["text"]) for e in items] for p, items in checklist(accepted).items()} == {
        "food_business": [("manager", "配备食品安全管理人员"), ("process", "现场制售须有操作流程")]
    }


def test_a_visit_is_on_a_working_day_and_only_once(session: Session, staff: Staff, accepted: Application) -> None:
    with pytest.raises(Invalid) as raised:
        schedule(session, actor=staff.clerk, application_id=accepted.id, visit_on=SATURDAY, today=MONDAY)
    assert raised.value.problems[0].where == "visit_on"
    schedule(session, actor=staff.clerk, application_id=accepted.id, visit_on=WEDNESDAY, today=MONDAY)
    with pytest.raises(Conflict):
        schedule(session, actor=staff.clerk, application_id=accepted.id, visit_on=WEDNESDAY, today=MONDAY)


def test_findings_cover_the_whole_checklist_and_only_the_departments_own(
    session: Session, staff: Staff, inspection: Inspection, market_inspector: User
) -> None:
    with pytest.raises(Forbidden):
        _record_food(session, inspection, staff.inspector, [Result("manager", True), Result("process", True)])  # fire's inspector
    with pytest.raises(Invalid) as raised:
        _record_food(session, inspection, market_inspector, [Result("process", False)])
    assert {(p.code, p.subject) for p in raised.value.problems} == {
        ("note_required", "process"),
        ("element_unchecked", "manager"),
    }
    assert findings(session, inspection) == []


def test_findings_are_recorded_from_the_visit_day_on(
    session: Session, staff: Staff, inspection: Inspection, market_inspector: User
) -> None:
    """The findings are what the inspectors saw there: none before the visit's day, and on the day as usual."""
    failing = [Result("manager", True), Result("process", False, "操作流程未上墙")]
    with pytest.raises(Conflict) as early:
        _record_food(session, inspection, market_inspector, failing, today=date(2026, 12, 8))
    assert [(p.code, p.where, p.subject) for p in early.value.problems] == [("visit_not_yet", "visit_on", "2026-12-09")]
    assert (findings(session, inspection), inspection.status) == ([], "scheduled")

    _record_food(session, inspection, market_inspector, failing)
    assert inspection.status == "rectification_needed"


def test_one_rectification_notice_one_report_one_recheck(
    session: Session, staff: Staff, accepted: Application, inspection: Inspection, market_inspector: User
) -> None:
    _record_food(
        session,
        inspection,
        market_inspector,
        [Result("manager", True), Result("process", False, "操作流程未上墙")],
    )
    assert inspection.status == "rectification_needed"
    assert [(i["permit_name"], i["text"], i["note"]) for i in inspection.rectification] == [
        ("食品经营许可", "现场制售须有操作流程", "操作流程未上墙")
    ]
    food = _food(session)
    assert (food.status, food.paused_since) == ("rectification_needed", WEDNESDAY)

    report_rectified(
        session, actor=staff.applicant, inspection_id=inspection.id, version=inspection.version, today=date(2026, 12, 11)
    )
    assert inspection.status == "rectified"
    food = _food(session)
    # the committed 10 working days from Monday 12-07 end on 12-21; the applicant took Thu and Fri
    assert (food.status, food.paused_days, food.due_on) == ("pending", 2, date(2026, 12, 23))
    with pytest.raises(Conflict):
        report_rectified(session, actor=staff.applicant, inspection_id=inspection.id, version=inspection.version)

    with pytest.raises(Invalid):  # the re-check is of the same checklist, every element again
        _record_food(session, inspection, market_inspector, [Result("process", True)])
    _record_food(session, inspection, market_inspector, [Result("manager", True), Result("process", True)])
    assert inspection.status == "passed"
    assert [(f.round, f.element, f.passed) for f in findings(session, inspection)] == [
        (0, "manager", True),
        (0, "process", False),
        (1, "manager", True),
        (1, "process", True),
    ]
    steps = [s.label for s in timeline(session, actor=staff.applicant, application_id=accepted.id)]
    assert steps[-6:] == [
        "联合踏勘：已安排踏勘",
        "联合踏勘：待整改",
        "食品经营许可：待整改",
        "联合踏勘：已报告整改完成",
        "食品经营许可：审批中",
        "联合踏勘：踏勘通过",
    ]


def test_a_failed_recheck_closes_the_inspection_as_failed(
    session: Session, staff: Staff, inspection: Inspection, market_inspector: User
) -> None:
    failing = [Result("manager", False, "未配备食品安全管理人员"), Result("process", True)]
    _record_food(session, inspection, market_inspector, failing, version=None)
    report_rectified(session, actor=staff.applicant, inspection_id=inspection.id, version=None)
    _record_food(session, inspection, market_inspector, failing, version=None)
    assert inspection.status == "failed"
    with pytest.raises(Conflict):
        _record_food(session, inspection, market_inspector, failing, version=None)
    assert "不能准予许可" in _held_by(session, staff)  # the market department can only refuse it
    refused = _decide_food(session, staff, Decision.reject, reasons=["复查仍未配备"], legal_basis=["《食品安全法》第三十五条"])
    assert refused.status == "rejected"


def test_only_the_applicant_reports_rectification(
    session: Session, staff: Staff, inspection: Inspection, market_inspector: User
) -> None:
    failing = [Result("manager", False, "未配备"), Result("process", True)]
    _record_food(session, inspection, market_inspector, failing, version=None)
    with pytest.raises(Forbidden):
        report_rectified(session, actor=staff.clerk, inspection_id=inspection.id, version=None)


def test_a_permit_taken_on_commitment_is_not_visited_before_its_decision(
    session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    """The food permit on commitment is checked in its 核查 after approval, so the case has nothing to visit."""
    application = make_submitted()
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)

    assert checklist(application) == {}
    with pytest.raises(Invalid) as refused:
        schedule(session, actor=staff.clerk, application_id=application.id, visit_on=WEDNESDAY, today=MONDAY)
    assert [p.code for p in refused.value.problems] == ["nothing_to_inspect"]


def test_a_department_grants_an_inspected_permit_only_once_its_visit_passed(
    session: Session, staff: Staff, accepted: Application, market_inspector: User
) -> None:
    """The visit's findings are the facts the decision rests on: before the visit, and while its rectification waits
    for the re-check, the market department can require rectification or refuse, not grant."""
    assert "尚未安排" in _held_by(session, staff)
    fire = session.exec(select(PermitTask).where(PermitTask.permit == "fire_check")).one()
    assert decide(session, actor=staff.fire, task_id=fire.id, decision=Decision.approve, version=None).status == "approved"

    visit = schedule(session, actor=staff.clerk, application_id=accepted.id, visit_on=WEDNESDAY, today=MONDAY)
    assert "尚未完成" in _held_by(session, staff)
    _record_food(session, visit, market_inspector, [Result("manager", True), Result("process", False, "未上墙")], version=None)
    report_rectified(session, actor=staff.applicant, inspection_id=visit.id, version=None, today=WEDNESDAY)
    assert _food(session).status == "pending"
    assert "尚未复查合格" in _held_by(session, staff)

    _record_food(session, visit, market_inspector, [Result("manager", True), Result("process", True)], version=None)
    assert _desk(session) == {}
    assert _decide_food(session, staff, Decision.approve).status == "approved"


def test_the_window_moves_the_visit_with_a_reason_the_applicant_and_the_inspectors_are_told(
    session: Session, staff: Staff, inspection: Inspection, market_inspector: User
) -> None:
    move = functools.partial(reschedule, session, application_id=inspection.application_id, version=None, today=MONDAY)
    friday = date(2026, 12, 11)
    with pytest.raises(Invalid) as refused:
        move(actor=staff.clerk, visit_on=SATURDAY, reason=" ")
    assert {(p.code, p.where) for p in refused.value.problems} == {("bad_visit_day", "visit_on"), ("reason_required", "reason")}
    with pytest.raises(Invalid) as refused:
        move(actor=staff.clerk, visit_on=WEDNESDAY, reason="x")
    assert [p.code for p in refused.value.problems] == ["same_visit_day"]
    with pytest.raises(Forbidden):
        move(actor=staff.applicant, visit_on=friday, reason="x")

    moved = move(actor=staff.clerk, visit_on=friday, reason="申请人周三不在店")
    assert (moved.visit_on, moved.status) == (friday, "scheduled")
    about = {"subject_id": str(inspection.id), "action": "reschedule"}
    [row] = [r for r in session.exec(select(OutboxRow)) if about.items() <= r.payload.items()]
    told = MESSAGES["state"](session, row.payload, PermitNames(FIXTURE_PACKS))
    assert told is not None
    assert [u.id for u in told.users] == [staff.applicant.id, market_inspector.id]  # not fire's: its permit is not visited
    assert "踏勘日期：2026年12月11日" in told.body.zh
    assert "Visit day: 2026-12-11" in told.body.en
    assert "申请人周三不在店" in told.body.zh

    _record_food(session, moved, market_inspector, [Result("manager", True), Result("process", True)], version=None)
    with pytest.raises(Conflict) as begun:  # its findings are on record: the visit took place
        move(actor=staff.clerk, visit_on=date(2026, 12, 14), reason="x")
    assert [p.code for p in begun.value.problems] == ["visit_begun"]
