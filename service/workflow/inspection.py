"""One joint inspection (联合踏勘): one visit, a checklist from the pack, one rectification notice, one re-check.

The window schedules one visit, on a working day, for every permit of the application that needs an
on-site check. Each department's inspector records a finding for every requirement element of its permit
(the checklist comes from the composition, not typed by hand). When every department has recorded, the
failed items merge into one rectification notice (整改意见一口告知) and those permits' clocks stop; the
applicant reports completion once, the clocks run again, and one re-check of the failed permits closes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from composer.workdays import is_working_day
from rules.errors import Problem
from service.compose import today as beijing_today
from service.models import User, utcnow
from service.workflow import audit, clock
from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound, problem
from service.workflow.models import LISTED, Application, Inspection, InspectionFinding, PermitTask
from service.workflow.roles import Action, Role, may
from service.workflow.rows import atomic, committing, expect_version, load
from service.workflow.states import TASK_OPEN, InspectionFlow, TaskFlow, fire, initial_status


@dataclass(frozen=True)
class Result:
    """An inspector's finding on one requirement element."""

    element: str
    passed: bool
    note: str = ""


def checklist(application: Application) -> dict[str, list[dict[str, Any]]]:
    """Permit → its requirement elements (id, kind, text), for each permit that needs an on-site check.

    A permit taken on 告知承诺 is decided on the commitment: its on-site check is the 核查 after the
    decision (北京市优化营商环境条例 Art. 33), not part of the visit before it. An application about an issued
    certificate (a change, an extension …) is decided on its papers: its permits carry no ``inspection``."""
    permits = application.composition["permits"]
    inspected = [p["id"] for p in permits if p.get("inspection", False) and not p["commitment"]["chosen"]]
    return {permit: [e for e in application.composition["elements"] if e["permit"] == permit] for permit in inspected}


def sheets(application: Application, permits: Sequence[str]) -> list[dict[str, Any]]:
    """The checklist of each of ``permits`` that has one, with the permit's name: what is checked, permit by permit."""
    names = {p["id"]: p["name"] for p in application.composition["permits"]}
    lists = checklist(application)
    return [{"id": p, "name": names[p], "elements": lists[p]} for p in permits if p in lists]


def visit_address(application: Application) -> str:
    """Where the visit goes: the premises, else the registered address ("" when the form gave neither)."""
    values = application.form_values
    return str(values.get("premises_address") or values.get("registered_address") or "")


def approval_held(session: Session, task: PermitTask) -> str | None:
    """Why ``task``'s permit cannot be granted on its merits yet: its on-site check has not passed (None when nothing holds it).

    The visit's findings are the facts the department decides on (行政许可法 Art. 34(3)); a permit whose items
    failed waits for the re-check, and one that failed the re-check can only be refused."""
    if not task.on_site:
        return None  # decided on its papers: nothing to read
    return hold(session.exec(select(Inspection).where(Inspection.application_id == task.application_id)).first(), task)


def held(session: Session, tasks: Sequence[PermitTask]) -> dict[uuid.UUID, str]:
    """Of ``tasks``, the open ones the joint visit holds, each with its reason: one query for a whole desk."""
    on_site = [t for t in tasks if t.on_site and t.status in TASK_OPEN]
    if not on_site:
        return {}
    statement = select(Inspection).where(col(Inspection.application_id).in_({t.application_id for t in on_site}))
    visits = {visit.application_id: visit for visit in session.exec(statement)}
    reasons = {t.id: hold(visits.get(t.application_id), t) for t in on_site}
    return {task_id: reason for task_id, reason in reasons.items() if reason is not None}


def hold(visit: Inspection | None, task: PermitTask) -> str | None:
    """``approval_held`` with the application's visit (None: none booked) already read."""
    if not task.on_site:
        return None
    permit = task.permit
    if visit is None:
        return "该许可事项须经现场核查：联合踏勘尚未安排，核查合格后方可准予许可"
    if permit not in visit.permits:
        return None
    if visit.status == "scheduled":
        return "联合踏勘尚未完成：核查合格后方可准予许可"
    if permit not in {item["permit"] for item in visit.rectification} or visit.status == "passed":
        return None
    if visit.status == "failed":
        return "该许可事项复查仍不符合要求，不能准予许可"
    return "该许可事项的踏勘整改尚未复查合格，复查合格后方可准予许可"


@atomic
def schedule(
    session: Session, *, actor: User, application_id: uuid.UUID, visit_on: date, today: date | None = None
) -> Inspection:
    """The window schedules one visit for every department concerned."""
    application = load(session, Application, application_id, actor, Action.schedule_inspection)
    problems: list[Problem] = []
    if application.status != "in_approval":
        problems.append(
            problem("not_in_approval", "只有进入并联审批的申请才能安排联合踏勘", "application_id", application.status)
        )
    permits = checklist(application)
    if not permits:
        problems.append(problem("nothing_to_inspect", "本申请没有需要现场核查的许可事项", "application_id"))
    problems += _visit_day(visit_on, today)
    if problems:
        raise Invalid(problems)
    if session.exec(select(Inspection.id).where(Inspection.application_id == application.id)).first():
        raise Conflict([problem("already_scheduled", "本申请已安排过联合踏勘：一次踏勘、一次复查", "application_id")])
    departments = {p["id"]: p["department"] for p in application.composition["permits"]}
    with committing(session, application.id):
        inspection = Inspection(
            application_id=application.id,
            owner_id=application.owner_id,
            permits=list(permits),
            departments=sorted({departments[p] for p in permits}),
            visit_on=visit_on,
            status=initial_status(InspectionFlow),
            scheduled_by=actor.id,
        )
        session.add(inspection)
        session.flush()
        audit.created(
            session,
            actor=actor,
            row=inspection,
            action="schedule",
            data={"application": application.number, "visit_on": visit_on.isoformat(), "permits": inspection.permits},
        )
    return inspection


@atomic
def reschedule(
    session: Session,
    *,
    actor: User,
    application_id: uuid.UUID,
    visit_on: date,
    reason: str,
    version: int | None,
    today: date | None = None,
) -> Inspection:
    """The window moves the application's visit to another working day, with the reason, before any finding is recorded."""
    application = load(session, Application, application_id, actor, Action.schedule_inspection)
    inspection = session.exec(select(Inspection).where(Inspection.application_id == application.id)).first()
    if inspection is None:
        raise NotFound([problem("not_found", "本申请尚未安排联合踏勘", "application_id", str(application_id))])
    expect_version(inspection, version)
    if inspection.status != "scheduled" or inspection.recorded:
        raise Conflict([problem("visit_begun", "踏勘已开始记录结果，不能再改期", "inspection_id", inspection.status)])
    problems = _visit_day(visit_on, today)
    if visit_on == inspection.visit_on:
        problems.append(problem("same_visit_day", "新的踏勘日期与原日期相同", "visit_on", visit_on.isoformat()))
    if not reason.strip():
        problems.append(problem("reason_required", "改期须说明原因", "reason"))
    if problems:
        raise Invalid(problems)
    with committing(session, inspection.id):
        before, inspection.visit_on = inspection.visit_on, visit_on
        # A transition to the same state: the applicant is told the new day, as when the visit was booked.
        audit.noted(
            session,
            actor=actor,
            row=inspection,
            action="reschedule",
            from_state="scheduled",
            to_state="scheduled",
            reason=reason.strip(),
            data={"from": before.isoformat(), "to": visit_on.isoformat()},
        )
    return inspection


def _visit_day(visit_on: date, today: date | None) -> list[Problem]:
    if visit_on < (today or beijing_today()) or not is_working_day(visit_on):
        return [problem("bad_visit_day", "踏勘日期须为今天或以后的工作日", "visit_on", visit_on.isoformat())]
    return []


@atomic
def record(
    session: Session,
    *,
    actor: User,
    inspection_id: uuid.UUID,
    permit: str,
    results: Sequence[Result],
    version: int | None,
    today: date | None = None,
) -> Inspection:
    """An inspector's findings for their department's permit: one for every element of its checklist."""
    inspection, application = _load(session, inspection_id, actor)
    expect_version(inspection, version)
    departments = {p["id"]: p["department"] for p in application.composition["permits"]}
    if permit not in inspection.permits:
        raise Invalid([problem("not_inspected", "这次联合踏勘不包括该许可事项", "permit", permit)])
    if not may(actor, Action.record_inspection, _Concerning(inspection.owner_id, [departments[permit]])):
        raise Forbidden([problem("forbidden", "只能记录本部门许可事项的踏勘结果", "permit", permit)])
    on = today or beijing_today()
    if before_the_visit(inspection, on):
        day = inspection.visit_on.isoformat()
        raise Conflict([problem("visit_not_yet", "踏勘日尚未到，当天起方可记录踏勘结果", "visit_on", day)])
    round_ = _round(inspection)
    due = _due_this_round(inspection)
    if permit not in due:
        raise Conflict([problem("not_due", "该许可事项本轮无需（或已经）记录踏勘结果", "permit", permit)])
    if permit in inspection.recorded:
        raise Conflict([problem("already_recorded", "该许可事项本轮的踏勘结果已经记录", "permit", permit)])
    elements = {e["id"]: e for e in checklist(application)[permit]}
    _check_results(elements, results)
    with committing(session, inspection.id):
        for r in results:
            session.add(
                InspectionFinding(
                    inspection_id=inspection.id,
                    permit=permit,
                    element=r.element,
                    round=round_,
                    passed=r.passed,
                    note=r.note.strip(),
                    inspector_id=actor.id,
                )
            )
        # Written on the inspection row, so two inspectors finishing at once cannot both miss the other.
        inspection.recorded = [*inspection.recorded, permit]
        not_met = sorted(r.element for r in results if not r.passed)
        audit.noted(
            session, actor=actor, row=inspection, action="record", data={"permit": permit, "round": round_, "failed": not_met}
        )
        if set(inspection.recorded) >= set(due):
            _close_round(session, actor, inspection, application, round_, on)
    return inspection


def before_the_visit(inspection: Inspection, today: date) -> bool:
    """The visit's day has not come: its findings are what the inspectors saw there, so none can be recorded yet.
    A re-check has no day of its own; it follows the applicant's report."""
    return inspection.status == "scheduled" and today < inspection.visit_on


def past_the_visit(inspection: Inspection, today: date) -> bool:
    """The visit's day has passed with findings still to record: the window moves it to a new day."""
    return inspection.status == "scheduled" and inspection.visit_on < today


def overdue(session: Session, today: date) -> list[tuple[Inspection, Application]]:
    """The visits ``past_the_visit``, oldest first, read in one query."""
    statement = (
        select(Inspection, Application)
        .join(Application, col(Application.id) == Inspection.application_id)
        .where(Inspection.status == "scheduled", col(Inspection.visit_on) < today)
        .order_by(col(Inspection.visit_on))
        .options(*LISTED)
    )
    return [(visit, application) for visit, application in session.exec(statement)]


@atomic
def report_rectified(
    session: Session, *, actor: User, inspection_id: uuid.UUID, version: int | None, today: date | None = None
) -> Inspection:
    """The applicant reports every rectification done, once; the stopped clocks run again."""
    inspection, _ = _load(session, inspection_id, actor)
    if not may(actor, Action.report_rectified, inspection):
        raise Forbidden([problem("forbidden", "只有申请人本人可以报告整改完成", "inspection_id", str(inspection_id))])
    expect_version(inspection, version)
    on = today or beijing_today()
    with committing(session, inspection.id):
        inspection.reported_at = utcnow()
        audit.transition(session, actor=actor, row=inspection, event="report_rectified")
        for task in _tasks(session, inspection, {i["permit"] for i in inspection.rectification}):
            if task.status == "rectification_needed":
                clock.resume(task, on)
                audit.transition(
                    session,
                    actor=actor,
                    row=task,
                    event="report_rectified",
                    data={"due_on": task.due_on.isoformat()},
                )
    return inspection


def findings(session: Session, inspection: Inspection) -> list[InspectionFinding]:
    statement = select(InspectionFinding).where(InspectionFinding.inspection_id == inspection.id)
    return sorted(session.exec(statement), key=lambda f: (f.round, f.permit, f.element))


@dataclass(frozen=True)
class _Concerning:
    owner_id: uuid.UUID
    departments: list[str]


def _load(session: Session, inspection_id: uuid.UUID, actor: User) -> tuple[Inspection, Application]:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None or (actor.role == Role.applicant and inspection.owner_id != actor.id):
        raise NotFound([problem("not_found", "没有这次联合踏勘", "inspection_id", str(inspection_id))])
    application = session.get(Application, inspection.application_id)
    assert application is not None
    return inspection, application


def _round(inspection: Inspection) -> int:
    return 0 if inspection.status == "scheduled" else 1


def _due_this_round(inspection: Inspection) -> list[str]:
    """The permits to record now: all at the visit, those with failed items at the re-check, none otherwise."""
    if inspection.status == "scheduled":
        return list(inspection.permits)
    if inspection.status == "rectified":
        return sorted({i["permit"] for i in inspection.rectification})
    return []


def _check_results(elements: dict[str, dict[str, Any]], results: Sequence[Result]) -> None:
    problems: list[Problem] = []
    given = [r.element for r in results]
    for index, r in enumerate(results):
        if r.element not in elements:
            problems.append(
                problem("unknown_element", "该许可事项的核查清单中没有这一项", f"results[{index}].element", r.element)
            )
        elif given.count(r.element) > 1:
            problems.append(
                problem("element_twice", f"“{elements[r.element]['text']}”记录了两次", f"results[{index}].element", r.element)
            )
        if not r.passed and not r.note.strip():
            problems.append(problem("note_required", "不符合的要素须写明整改意见", f"results[{index}].note", r.element))
    for element, e in elements.items():
        if element not in given:
            problems.append(problem("element_unchecked", f"请记录“{e['text']}”的核查结果", "results", element))
    if problems:
        raise Invalid(problems)


def _close_round(session: Session, actor: User, inspection: Inspection, application: Application, round_: int, on: date) -> None:
    """Every department has recorded: pass, or one merged rectification notice, or (at the re-check) fail."""
    names = {p["id"]: p["name"] for p in application.composition["permits"]}
    texts = {(e["permit"], e["id"]): e["text"] for e in application.composition["elements"]}
    failed = [
        {
            "permit": f.permit,
            "permit_name": names[f.permit],
            "element": f.element,
            "text": texts[(f.permit, f.element)],
            "note": f.note,
        }
        for f in findings(session, inspection)
        if f.round == round_ and not f.passed
    ]
    event = "pass_visit" if not failed else "require_rectification" if round_ == 0 else "fail_recheck"
    inspection.recorded = []
    if event == "require_rectification":
        inspection.rectification = failed
    audit.transition(
        session,
        actor=actor,
        row=inspection,
        event=event,
        reason="；".join(f"{i['permit_name']}·{i['text']}：{i['note']}" for i in failed),
    )
    if event != "require_rectification":
        return
    for task in _tasks(session, inspection, {i["permit"] for i in failed}):
        if task.status == "pending":
            task_before, task_after = fire(TaskFlow, task, "require_rectification", "审批事项")
            task.paused_since = on  # the applicant's time does not count against the department
            task.reasons = [f"{i['text']}：{i['note']}" for i in failed if i["permit"] == task.permit]
            audit.noted(
                session,
                actor=actor,
                row=task,
                action="rectify",
                from_state=task_before,
                to_state=task_after,
                reason="；".join(task.reasons),
            )


def _tasks(session: Session, inspection: Inspection, permits: set[str]) -> list[PermitTask]:
    statement = select(PermitTask).where(PermitTask.application_id == inspection.application_id)
    return [t for t in session.exec(statement) if t.permit in permits]
