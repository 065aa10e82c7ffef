"""One window (综合窗口): check every material, one correction notice listing everything, accept or refuse.

行政许可法 Art. 32: the window tells the applicant everything to correct in one notice; complete
materials must be accepted; accepting and refusing are both written. On acceptance every permit
becomes a task for its department at once; a permit that needs another's result waits for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from composer.words import day as written_day
from rules.errors import Problem
from service.compose import today as beijing_today
from service.models import User, utcnow
from service.workflow import audit, joint
from service.workflow.clock import Clock
from service.workflow.errors import Invalid, problem
from service.workflow.inspection import checklist
from service.workflow.models import Application, CorrectionNotice, MaterialFile, PermitTask
from service.workflow.progress import answer_due
from service.workflow.roles import Action
from service.workflow.rows import atomic, committing, load_to_change
from service.workflow.states import TASK_OPEN, TaskFlow, initial_status
from service.workflow.storage import MAX_BYTES, FileStore, Upload, check_all
from service.workflow.submit import material_file

REMEDY = (
    "如对本决定不服，可以自收到本决定之日起六十日内向东城区人民政府申请行政复议，"
    "或者自收到本决定之日起六个月内依法向人民法院提起行政诉讼。"
)
"""救济方式: 行政许可法 Art. 38(2); 60 days, 行政复议法 (2023) Art. 20(1); 6 months, 行政诉讼法 Art. 46(1);
the district government hears a district department's case, 行政复议法 Art. 24(1)(1)."""


class Finding(StrEnum):
    received = "received"
    missing = "missing"
    not_acceptable = "not_acceptable"


FINDING_LABELS = {Finding.received: "已收到", Finding.missing: "缺少", Finding.not_acceptable: "不符合要求"}


@dataclass(frozen=True)
class MaterialCheck:
    material: str
    finding: Finding
    reason: str = ""


def required_materials(application: Application) -> dict[str, str]:
    """Material key → name, for each material the composition asks the applicant to submit."""
    return {m["key"]: m["name"] for m in application.composition["materials"] if m["status"] == "submit"}


def files(session: Session, application: Application) -> list[MaterialFile]:
    statement = select(MaterialFile).where(MaterialFile.application_id == application.id).order_by(col(MaterialFile.round))
    return list(session.exec(statement))


@atomic
def request_correction(
    session: Session,
    *,
    actor: User,
    application_id: uuid.UUID,
    checks: Sequence[MaterialCheck],
    version: int | None,
    today: date | None = None,
) -> CorrectionNotice:
    """一次性补正告知: a finding for every material, at least one of them a problem, in one notice, within five working days."""
    application = load_to_change(session, Application, application_id, actor, Action.request_correction, version)
    _, due = answer_due(session, application)
    if (today or beijing_today()) > due:
        # 行政许可法 Art. 32(1)(4): not told in time, the application already counts as accepted; no notice can follow
        said = f"答复期限（{written_day(due, 'zh')}）已过，本申请依法已视为受理，不能再告知补正，请予以受理"
        raise Invalid([problem("correction_too_late", said, "checks")])
    required = required_materials(application)
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, c in enumerate(checks):
        where = f"checks[{index}]"
        if c.material not in required:
            problems.append(problem("material_unknown", "本申请不需要这项材料", f"{where}.material", c.material))
        elif c.material in seen:
            problems.append(problem("material_twice", f"“{required[c.material]}”出现了两次", f"{where}.material", c.material))
        if c.finding is Finding.not_acceptable and not c.reason.strip():
            problems.append(problem("reason_required", "不符合要求的材料须写明理由", f"{where}.reason", c.material))
        seen.add(c.material)
    for key, name in required.items():
        if key not in seen:
            problems.append(problem("material_unchecked", f"请核对“{name}”：补正告知须一次列明全部材料", "checks", key))
    if not problems and all(c.finding is Finding.received for c in checks):
        problems.append(problem("nothing_to_correct", "全部材料已收到且符合要求，无需补正，请直接受理", "checks"))
    if problems:
        raise Invalid(problems)
    with committing(session, application.id):
        notice = CorrectionNotice(
            application_id=application.id,
            issued_by=actor.id,
            items=[
                {"material": c.material, "name": required[c.material], "finding": c.finding.value, "reason": c.reason.strip()}
                for c in checks
            ],
        )
        session.add(notice)
        flagged = [f"{i['name']}：{FINDING_LABELS[Finding(i['finding'])]}" for i in notice.items if i["finding"] != "received"]
        reason = "；".join(flagged)
        audit.transition(
            session, actor=actor, row=application, event="request_correction", reason=reason, data={"notice": str(notice.id)}
        )
    return notice


def open_notice(session: Session, application: Application) -> CorrectionNotice | None:
    statement = select(CorrectionNotice).where(
        CorrectionNotice.application_id == application.id, col(CorrectionNotice.resolved_at).is_(None)
    )
    return session.exec(statement).first()


@atomic
def resubmit(
    session: Session,
    *,
    actor: User,
    application_id: uuid.UUID,
    uploads: Sequence[Upload],
    store: FileStore,
    version: int | None,
    max_bytes: int = MAX_BYTES,
) -> Application:
    """The applicant sends only what the notice asked for, all of it at once."""
    application = load_to_change(session, Application, application_id, actor, Action.resubmit, version)
    notice = open_notice(session, application)
    flagged = {i["material"]: i["name"] for i in notice.items if i["finding"] != Finding.received} if notice else {}
    checked, problems = check_all(uploads, flagged, ("material_not_flagged", "补正告知没有要求这项材料，无需重新提交"), max_bytes)
    for key, name in flagged.items():
        if key not in {u.material for u in uploads}:
            problems.append(problem("material_missing", f"请补正“{name}”", f"materials.{key}", key))
    if problems:
        raise Invalid(problems)
    with committing(session, application.id):
        assert notice is not None
        notice.resolved_at = utcnow()
        session.add(notice)
        rounds = len(session.exec(select(CorrectionNotice.id).where(CorrectionNotice.application_id == application.id)).all())
        for item in checked:
            store.put(item.sha256, item.upload.data)
            session.add(material_file(application.id, item, rounds))
        audit.transition(
            session,
            actor=actor,
            row=application,
            event="resubmit",
            data={"files": sorted(i.sha256 for i in checked)},
        )
    return application


@atomic
def accept(
    session: Session, *, actor: User, application_id: uuid.UUID, version: int | None, today: date | None = None
) -> list[PermitTask]:
    """受理: every permit becomes its department's task at once; those needing another permit's result wait."""
    application = load_to_change(session, Application, application_id, actor, Action.accept, version)
    received = {f.material for f in files(session, application)}
    missing = [(k, n) for k, n in required_materials(application).items() if k not in received]
    if missing:
        raise Invalid([problem("material_missing", f"尚缺“{n}”，应先发出补正告知", f"materials.{k}", k) for k, n in missing])
    on = today or beijing_today()
    arrived, due = answer_due(session, application)
    # 行政许可法 Art. 32(1)(4): not told what to correct in time, the application counts as accepted from the day
    # the materials arrived, so the departments' time runs from then.
    deemed = on > due
    started = arrived if deemed else on
    follow_up = {c["permit"]: c.get("follow_up_within") for c in application.composition["commitments"]}
    on_site = checklist(application)
    tasks: list[PermitTask] = []
    with committing(session, application.id):
        application.accepted_at = utcnow()
        application.joint_due_on = joint.due_on(started)
        why = _deemed_acceptance(arrived) if deemed else ""
        audit.transition(session, actor=actor, row=application, event="accept", reason=why)
        for p in application.composition["permits"]:
            clock = Clock(started, p["effective_limit"]["working_days"])
            within: dict[str, Any] | None = follow_up.get(p["id"])
            task = PermitTask(
                application_id=application.id,
                owner_id=application.owner_id,
                applicant_name=application.applicant_name,
                permit=p["id"],
                permit_name=p["name"],
                department=p["department"],
                depends_on=[d["permit"] for d in p["depends_on"]],
                on_commitment=bool(p["commitment"]["chosen"]),
                on_site=p["id"] in on_site,
                follow_up_days=within["working_days"] if within else None,
                status=initial_status(TaskFlow),
                limit_days=clock.limit_days,
                clock_started_on=started,
                due_on=clock.due_on,
                due_soon_on=clock.due_soon_on,
            )
            session.add(task)
            tasks.append(task)
            facts = {"application": application.number, "permit": task.permit, "department": task.department}
            audit.created(session, actor=actor, row=task, action="create", data=facts)
        for task in tasks:
            if not task.depends_on:
                audit.transition(session, actor=actor, row=task, event="release")
        audit.transition(session, actor=actor, row=application, event="start_approval")
    return tasks


def _deemed_acceptance(arrived: date) -> str:
    """Why an acceptance after the window's five working days counts from the day the materials arrived."""
    return f"未在五个工作日内告知补正，依法自收到申请材料之日（{written_day(arrived, 'zh')}）起即为受理，办理时限自该日起算"


@atomic
def refuse(
    session: Session, *, actor: User, application_id: uuid.UUID, reasons: Sequence[str], version: int | None
) -> Application:
    """不予受理: written reasons and the applicant's remedies (行政许可法 Art. 32, Art. 38(2))."""
    application = load_to_change(session, Application, application_id, actor, Action.refuse, version)
    kept = [r.strip() for r in reasons if r.strip()]
    if not kept:
        raise Invalid([problem("reason_required", "不予受理须写明理由", "reasons")])
    with committing(session, application.id):
        application.refusal = {"reasons": kept, "remedy": REMEDY}
        audit.transition(
            session,
            actor=actor,
            row=application,
            event="refuse",
            reason="；".join(kept),
        )
    return application


@atomic
def withdraw(session: Session, *, actor: User, application_id: uuid.UUID, version: int | None, reason: str = "") -> Application:
    """The applicant withdraws before the decision: the tasks still open are ended with it."""
    application = load_to_change(session, Application, application_id, actor, Action.withdraw, version)
    with committing(session, application.id):
        audit.transition(
            session,
            actor=actor,
            row=application,
            event="withdraw",
            reason=reason.strip(),
        )
        tasks = session.exec(select(PermitTask).where(PermitTask.application_id == application.id))
        for task in tasks:
            if task.status in TASK_OPEN:
                audit.transition(
                    session,
                    actor=actor,
                    row=task,
                    event="cancel",
                    reason="申请人撤回申请",
                )
    return application
