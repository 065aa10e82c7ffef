"""Who hears about what: an outbox row becomes one notification per person, and an e-mail to those with an address.

A state change tells the applicant (a held permit's, its holder); a task that becomes ready for decision tells
its department's reviewers, and a joint visit booked or moved tells the visited departments' inspectors too. A
task due soon (80 % of its working days used) reminds its department's reviewers; an overdue one is escalated to
them and to the district's supervisors. A term ending soon reminds the holder to apply for extension.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from certificates.face import CertificateFace
from service.certs import elicence, publish, statuslist
from service.certs.models import Certificate, PermitHolding
from service.jobs import mail, outbox
from service.jobs.models import Notification, OutboxRow
from service.models import User, utcnow
from service.settings import Settings
from service.workflow.inspection import visit_address
from service.workflow.models import Application, Inspection, PermitTask
from service.workflow.roles import Role
from service.workflow.states import APPLICATION_LABELS, HOLDING_LABELS, INSPECTION_LABELS, TASK_LABELS


@dataclass(frozen=True)
class Message:
    users: list[User]
    title: str
    body: str


def deliver(settings: Settings) -> outbox.Deliver:
    """The worker's delivery of every outbox topic."""

    def deliver_row(session: Session, row: OutboxRow) -> None:
        if row.topic == publish.ELICENCE:
            elicence.deliver(session, settings, row)
            return
        if row.topic == publish.STATUS_LIST:
            statuslist.deliver(session, settings.keys_dir, settings.public_url, row)
            return
        if row.topic == "email":
            payload = row.payload
            mail.send(settings, to=payload["to"], subject=payload["subject"], body=payload["body"], message_id=f"outbox-{row.id}")
            return
        if row.topic not in MESSAGES:
            raise ValueError(f"no delivery for outbox topic {row.topic!r}")
        message = MESSAGES[row.topic](session, row.payload)
        if message is not None:
            notify(session, settings, key=row.key, message=message)

    return deliver_row


def notify(session: Session, settings: Settings, *, key: str, message: Message) -> None:
    """One notification per user (a repeat of ``key`` adds none), and an e-mail owed to each new one with an address."""
    for user in message.users:
        notification_key = f"{key}>{user.id}"
        values = {"id": uuid.uuid4(), "key": notification_key, "user_id": user.id, "created_at": utcnow()}
        if outbox.insert_once(session, Notification, values | {"title": message.title[:200], "body": message.body}):
            if user.email and settings.smtp_host:
                payload = {"to": user.email, "subject": message.title, "body": message.body}
                outbox.add(session, topic="email", key=f"email:{notification_key}", payload=payload)


def _state_message(session: Session, event: dict[str, Any]) -> Message | None:
    subject_id = uuid.UUID(event["subject_id"])
    to, reason = event["to_state"], event["reason"]
    because = f"\n原因：{reason}" if reason else ""
    if event["subject_kind"] == "application":
        application = session.get(Application, subject_id)
        if application is None:
            return None
        label = APPLICATION_LABELS.get(to, to)
        title = f"您的申请 {application.number}：{label}"
        return Message(_owner(session, application), title, f"申请 {application.number} 现为“{label}”。{because}")
    if event["subject_kind"] == "task":
        found = _with_application(session, PermitTask, subject_id)
        if found is None or event["action"] == "create":
            return None
        task, application = found
        if to == "pending":
            return Message(
                _reviewers(session, task.department),
                f"待办：{task.permit_name}（{application.number}）",
                f"审批事项“{task.permit_name}”（受理编号 {application.number}）待您办理，应于 {_day(task.due_on)}前办结。",
            )
        label = TASK_LABELS.get(to, to)
        return Message(
            _owner(session, application),
            f"{task.permit_name}：{label}（{application.number}）",
            f"您申请的“{task.permit_name}”（受理编号 {application.number}）现为“{label}”。{because}",
        )
    if event["subject_kind"] == "holding":
        held = session.get(PermitHolding, subject_id)
        holder = session.get(User, held.owner_id) if held else None
        if held is None or holder is None:
            return None
        label = HOLDING_LABELS.get(to, to)
        return Message([holder], f"{held.permit_name}：{label}", f"您持有的“{held.permit_name}”现为“{label}”。{because}")
    if event["subject_kind"] == "inspection":
        found_inspection = _with_application(session, Inspection, subject_id)
        if found_inspection is None:
            return None
        inspection, application = found_inspection
        label = INSPECTION_LABELS.get(to, to)
        visit = f"踏勘日期：{_day(inspection.visit_on)}。" if to == "scheduled" else ""
        # a visit booked or moved is news to the departments' inspectors as well
        inspectors = _staff(session, Role.inspector, inspection.departments) if to == "scheduled" else []
        return Message(
            _owner(session, application) + inspectors,
            f"联合踏勘：{label}（{application.number}）",
            f"申请 {application.number} 的联合踏勘现为“{label}”。{visit}{because}",
        )
    return None


def _reminder_message(session: Session, reminder: dict[str, Any]) -> Message | None:
    found = _with_application(session, PermitTask, uuid.UUID(reminder["task_id"]))
    if found is None:
        return None
    task, application = found
    due = _day(date.fromisoformat(reminder["due_on"]))
    what = f"审批事项“{task.permit_name}”（受理编号 {application.number}）"
    if reminder["standing"] == "overdue":
        users = _reviewers(session, task.department) + list(session.exec(select(User).where(User.role == Role.supervisor)))
        title = f"已逾期：{task.permit_name}（{application.number}）"
        return Message(users, title, f"{what}应于 {due}前办结，现已逾期，请尽快办理。")
    return Message(
        _reviewers(session, task.department),
        f"即将到期：{task.permit_name}（{application.number}）",
        f"{what}已用去八成办理时限，应于 {due}前办结。",
    )


def _visit_message(session: Session, reminder: dict[str, Any]) -> Message | None:
    found = _with_application(session, Inspection, uuid.UUID(reminder["inspection_id"]))
    if found is None or found[0].status != "scheduled" or found[0].visit_on.isoformat() != reminder["visit_on"]:
        return None  # done or moved since
    visit, application = found
    if reminder.get("overdue"):
        watching = session.exec(select(User).where(col(User.role).in_([Role.clerk, Role.supervisor])))
        return Message(
            list(watching),
            f"踏勘日已过：{application.number}",
            f"申请 {application.number}（{application.applicant_name}）的联合踏勘原定于 {_day(visit.visit_on)}，至今尚未完成。"
            "请综合窗口与各部门联系，完成踏勘或改期。",
        )
    where = visit_address(application)
    place = f"踏勘地点：{where}。" if where else ""
    return Message(
        _owner(session, application) + _staff(session, Role.inspector, visit.departments),
        f"今天联合踏勘：{application.number}",
        f"申请 {application.number}（{application.applicant_name}）的联合踏勘在今天（{_day(visit.visit_on)}）。{place}",
    )


def _extension_message(session: Session, reminder: dict[str, Any]) -> Message | None:
    certificate = session.get(Certificate, uuid.UUID(reminder["certificate_id"]))
    holder = session.get(User, certificate.owner_id) if certificate else None
    if certificate is None or holder is None:
        return None
    name = next((p["name"] for p in certificate.face["permits"] if p["permit"] == reminder["permit"]), reminder["permit"])
    ends = _day(date.fromisoformat(reminder["valid_to"]))
    title = CertificateFace.model_validate(certificate.face).title.zh
    return Message(
        [holder],
        f"请及时申请延续：{name}（凭证 {certificate.number}）",
        f"您的{title} {certificate.number} 上的“{name}”将于 {ends}到期（还有 {reminder['days_left']} 天）。"
        f"请在到期三十日前申请延续（《中华人民共和国行政许可法》第五十条）：/certificates/{certificate.id}/apply/extension",
    )


MESSAGES: dict[str, Callable[[Session, dict[str, Any]], Message | None]] = {
    "state": _state_message,
    "reminder": _reminder_message,
    "visit": _visit_message,
    "extension": _extension_message,
}
"""What each topic tells whom (``email`` rows are the messages themselves)."""


Row = TypeVar("Row", PermitTask, Inspection)


def _with_application(session: Session, kind: type[Row], row_id: uuid.UUID) -> tuple[Row, Application] | None:
    """A task or an inspection with its application; None when either is gone."""
    row = session.get(kind, row_id)
    application = session.get(Application, row.application_id) if row is not None else None
    return (row, application) if row is not None and application is not None else None


def _owner(session: Session, application: Application) -> list[User]:
    owner = session.get(User, application.owner_id)
    return [owner] if owner else []


def _reviewers(session: Session, department: str) -> list[User]:
    return _staff(session, Role.reviewer, [department])


def _staff(session: Session, role: Role, departments: list[str]) -> list[User]:
    return list(session.exec(select(User).where(User.role == role, col(User.department).in_(departments))))


def _day(on: date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def for_user(session: Session, user_id: uuid.UUID, limit: int = 100) -> list[Notification]:
    """A user's latest notifications, newest first."""
    statement = select(Notification).where(Notification.user_id == user_id)
    return list(session.exec(statement.order_by(col(Notification.created_at).desc()).limit(limit)))
