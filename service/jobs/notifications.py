"""Who hears about what: an outbox row becomes one notification per person, and an e-mail to those with an address.

A state change tells the applicant (a held permit's, its holder); a task that becomes ready for decision tells
its department's reviewers, and a joint visit booked or moved tells the visited departments' inspectors too. A
task due soon (80 % of its working days used) reminds its department's reviewers; an overdue one is escalated to
them and to the district's supervisors. A term ending soon reminds the holder to apply for extension.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from sqlmodel import Session, col, select

from certificates.face import CertificateFace
from composer.terms import PAUSES
from composer.words import day as written_day
from rules import packs
from rules.errors import PackError
from service.certs import elicence, publish, statuslist
from service.certs.models import Certificate, PermitHolding
from service.i18n import translations
from service.jobs import mail, outbox
from service.jobs.models import Notification, OutboxRow
from service.models import User, utcnow
from service.policy.desk import latest_release
from service.settings import Settings
from service.workflow.inspection import visit_address
from service.workflow.models import Application, Inspection, PermitTask
from service.workflow.roles import Role
from service.workflow.states import APPLICATION_LABELS, HOLDING_LABELS, INSPECTION_LABELS, TASK_LABELS


class Said(NamedTuple):
    """One text in Chinese and in English."""

    zh: str
    en: str


NOTHING = Said("", "")


class Label(str):
    """A value that is itself a msgid (a state's name): each language gets its own word."""


def _(msgid: str) -> str:
    """Marks a msgid for extraction (tests/service/test_page_i18n.py); ``said`` translates it."""
    return msgid


Value = str | date | Label | Said
"""What a message says about: a number or a name as registered, a day, a state's name, a text in both languages."""


def said(msgid: str, **values: Value) -> Said:
    """``msgid`` with its values, in Chinese and in English: a Label translated, a date written each language's way,
    a Said taken in its language, anything else (a number, a name as registered) as it is."""

    def written(lang: Literal["zh", "en"]) -> str:
        gettext = translations(lang).gettext

        def value(v: Value) -> str:
            if isinstance(v, Said):
                return v.zh if lang == "zh" else v.en
            if isinstance(v, Label):
                return gettext(v)
            if isinstance(v, date):
                return written_day(v, lang)
            return v

        return gettext(msgid) % {name: value(v) for name, v in values.items()}

    return Said(written("zh"), written("en"))


@dataclass(frozen=True)
class Message:
    users: list[User]
    title: Said
    body: Said


class PermitNames:
    """A permit's name in both languages: as the application recorded it, and in English as its rule pack words it,
    each pack read once per publication (a pack that cannot be read leaves the recorded name)."""

    def __init__(self, root: Path, cache: Path | None = None) -> None:
        self.root, self.cache = root, cache
        self._english: dict[str, Mapping[str, str]] = {}
        self._release: str | None = None

    def since(self, release: str | None) -> None:
        """Read the packs again once the policy desk has published since they were read (its files are written first)."""
        if release != self._release:
            self._english.clear()
            self._release = release

    def __call__(self, pack_id: str, permit: str, recorded: str) -> Said:
        if pack_id not in self._english:
            try:
                pack = packs.load(pack_id, self.root, self.cache)
            except PackError:
                self._english[pack_id] = {}
            else:
                self._english[pack_id] = {pid: p.name.in_("en") for pid, p in pack.permits.items()}
        return Said(recorded, self._english[pack_id].get(permit, recorded))


def deliver(settings: Settings) -> outbox.Deliver:
    """The worker's delivery of every outbox topic."""
    names = PermitNames(settings.packs_root, settings.pack_cache)  # the web workers' parsed packs, as they keep them

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
        names.since(latest_release(session))
        message = MESSAGES[row.topic](session, row.payload, names)
        if message is not None:
            notify(session, settings, key=row.key, message=message)

    return deliver_row


def notify(session: Session, settings: Settings, *, key: str, message: Message) -> None:
    """One notification per user (a repeat of ``key`` adds none), and an e-mail owed to each new one with an address:
    Chinese first, then English, as the account mails are."""
    title, body = message.title, message.body
    for user in message.users:
        notification_key = f"{key}>{user.id}"
        values = {"id": uuid.uuid4(), "key": notification_key, "user_id": user.id, "created_at": utcnow()}
        texts = {"title": title.zh[:200], "body": body.zh, "title_en": title.en[:200], "body_en": body.en}
        if outbox.insert_once(session, Notification, values | texts):
            if user.email and settings.smtp_host:
                payload = {"to": user.email, "subject": f"{title.zh} / {title.en}", "body": f"{body.zh}\n\n{body.en}"}
                outbox.add(session, topic="email", key=f"email:{notification_key}", payload=payload)


def _sentences(*parts: Said) -> Said:
    """Sentences one after another: run together in Chinese, a space apart in English."""
    kept = [part for part in parts if part.zh]
    return Said("".join(part.zh for part in kept), " ".join(part.en for part in kept))


def _with_reason(text: Said, reason: str) -> Said:
    """``text``, and on a line of its own the reason given for the change, when one was."""
    if not reason:
        return text
    why = said(_("原因：%(reason)s"), reason=reason)
    return Said(f"{text.zh}\n{why.zh}", f"{text.en}\n{why.en}")


def _state_message(session: Session, event: dict[str, Any], names: PermitNames) -> Message | None:
    subject_id = uuid.UUID(event["subject_id"])
    to, reason = event["to_state"], event["reason"]
    if event["subject_kind"] == "application":
        application = session.get(Application, subject_id)
        if application is None:
            return None
        if event["action"] == "extend_joint" and application.joint_due_on is not None:
            extended = said(
                _("您的申请 %(number)s 的联合办理期限经区人民政府负责人批准延长 %(days)s 个工作日，应于 %(day)s前办结。"),
                number=application.number,
                days=str(application.joint_extended_days),
                day=application.joint_due_on,
            )
            return Message(
                _owner(session, application),
                said(_("联合办理期限延长：%(number)s"), number=application.number),
                _with_reason(extended, reason),
            )
        state = Label(APPLICATION_LABELS.get(to, to))
        return Message(
            _owner(session, application),
            said(_("您的申请 %(number)s：%(state)s"), number=application.number, state=state),
            _with_reason(said(_("申请 %(number)s 现为“%(state)s”。"), number=application.number, state=state), reason),
        )
    if event["subject_kind"] == "task":
        found = _with_application(session, PermitTask, subject_id)
        if found is None or event["action"] == "create":
            return None
        task, application = found
        about: dict[str, Value] = {
            "permit": names(application.pack_id, task.permit, task.permit_name),
            "number": application.number,
        }
        if event["action"] == "extend":
            extended = said(
                _("您申请的“%(permit)s”（受理编号 %(number)s）的办理期限经批准延长 %(days)s 个工作日，应于 %(day)s前办结。"),
                **about,
                days=str(task.extended_days),
                day=task.due_on,
            )
            return Message(
                _owner(session, application),
                said(_("办理期限延长：%(permit)s（%(number)s）"), **about),
                _with_reason(extended, reason),
            )
        if event["action"] == "stop_clock":
            return Message(
                _owner(session, application),
                said(_("暂停计时：%(permit)s（%(number)s）"), **about),
                _stopped(task, about, reason),
            )
        if event["action"] == "resume_clock":
            resumed = said(
                _("您申请的“%(permit)s”（受理编号 %(number)s）办理时限恢复计算，应于 %(day)s前办结。"), **about, day=task.due_on
            )
            return Message(_owner(session, application), said(_("恢复计时：%(permit)s（%(number)s）"), **about), resumed)
        if to == "pending":
            return Message(
                _reviewers(session, task.department),
                said(_("待办：%(permit)s（%(number)s）"), **about),
                said(_("审批事项“%(permit)s”（受理编号 %(number)s）待您办理，应于 %(day)s前办结。"), **about, day=task.due_on),
            )
        state = Label(TASK_LABELS.get(to, to))
        return Message(
            _owner(session, application),
            said(_("%(permit)s：%(state)s（%(number)s）"), **about, state=state),
            _with_reason(said(_("您申请的“%(permit)s”（受理编号 %(number)s）现为“%(state)s”。"), **about, state=state), reason),
        )
    if event["subject_kind"] == "holding":
        held = session.get(PermitHolding, subject_id)
        holder = session.get(User, held.owner_id) if held else None
        origin = session.get(Application, held.application_id) if held else None
        if held is None or holder is None or origin is None:
            return None
        state = Label(HOLDING_LABELS.get(to, to))
        permit = names(origin.pack_id, held.permit, held.permit_name)
        return Message(
            [holder],
            said(_("%(permit)s：%(state)s"), permit=permit, state=state),
            _with_reason(said(_("您持有的“%(permit)s”现为“%(state)s”。"), permit=permit, state=state), reason),
        )
    if event["subject_kind"] == "inspection":
        found_inspection = _with_application(session, Inspection, subject_id)
        if found_inspection is None:
            return None
        inspection, application = found_inspection
        state = Label(INSPECTION_LABELS.get(to, to))
        visit = said(_("踏勘日期：%(day)s。"), day=inspection.visit_on) if to == "scheduled" else NOTHING
        # a visit booked or moved is news to the departments' inspectors as well
        inspectors = _staff(session, Role.inspector, inspection.departments) if to == "scheduled" else []
        return Message(
            _owner(session, application) + inspectors,
            said(_("联合踏勘：%(state)s（%(number)s）"), state=state, number=application.number),
            _with_reason(
                _sentences(said(_("申请 %(number)s 的联合踏勘现为“%(state)s”。"), number=application.number, state=state), visit),
                reason,
            ),
        )
    return None


def _stopped(task: PermitTask, about: dict[str, Value], reason: str) -> Said:
    """The written notice of Art. 45: which procedure and the time it needs (as recorded, should it have ended since)."""
    procedure = task.not_counted
    if procedure is None:
        return _with_reason(said(_("您申请的“%(permit)s”（受理编号 %(number)s）曾暂停计时。"), **about), reason)
    stopped = said(
        _(
            "您申请的“%(permit)s”（受理编号 %(number)s）需要%(procedure)s，所需时间约 %(days)s 个工作日，"
            "依法不计入办理时限（《行政许可法》第四十五条）。"
        ),
        **about,
        procedure=Label(PAUSES[procedure["kind"]]),
        days=str(procedure["days"]),
    )
    return _with_reason(stopped, procedure["note"])


def _reminder_message(session: Session, reminder: dict[str, Any], names: PermitNames) -> Message | None:
    found = _with_application(session, PermitTask, uuid.UUID(reminder["task_id"]))
    if found is None:
        return None
    task, application = found
    about: dict[str, Value] = {
        "permit": names(application.pack_id, task.permit, task.permit_name),
        "number": application.number,
        "day": date.fromisoformat(reminder["due_on"]),
    }
    if reminder["standing"] == "overdue":
        users = _reviewers(session, task.department) + list(session.exec(select(User).where(User.role == Role.supervisor)))
        return Message(
            users,
            said(_("已逾期：%(permit)s（%(number)s）"), **about),
            said(_("审批事项“%(permit)s”（受理编号 %(number)s）应于 %(day)s前办结，现已逾期，请尽快办理。"), **about),
        )
    return Message(
        _reviewers(session, task.department),
        said(_("即将到期：%(permit)s（%(number)s）"), **about),
        said(_("审批事项“%(permit)s”（受理编号 %(number)s）已用去八成办理时限，应于 %(day)s前办结。"), **about),
    )


def _visit_message(session: Session, reminder: dict[str, Any], names: PermitNames) -> Message | None:
    found = _with_application(session, Inspection, uuid.UUID(reminder["inspection_id"]))
    if found is None or found[0].status != "scheduled" or found[0].visit_on.isoformat() != reminder["visit_on"]:
        return None  # done or moved since
    visit, application = found
    about: dict[str, Value] = {"number": application.number, "applicant": application.applicant_name, "day": visit.visit_on}
    if reminder.get("overdue"):
        watching = session.exec(select(User).where(col(User.role).in_([Role.clerk, Role.supervisor])))
        return Message(
            list(watching),
            said(_("踏勘日已过：%(number)s"), number=application.number),
            said(
                _(
                    "申请 %(number)s（%(applicant)s）的联合踏勘原定于 %(day)s，至今尚未完成。"
                    "请综合窗口与各部门联系，完成踏勘或改期。"
                ),
                **about,
            ),
        )
    where = visit_address(application)
    place = said(_("踏勘地点：%(place)s。"), place=where) if where else NOTHING
    return Message(
        _owner(session, application) + _staff(session, Role.inspector, visit.departments),
        said(_("今天联合踏勘：%(number)s"), number=application.number),
        _sentences(said(_("申请 %(number)s（%(applicant)s）的联合踏勘在今天（%(day)s）。"), **about), place),
    )


def _extension_message(session: Session, reminder: dict[str, Any], names: PermitNames) -> Message | None:
    certificate = session.get(Certificate, uuid.UUID(reminder["certificate_id"]))
    holder = session.get(User, certificate.owner_id) if certificate else None
    origin = session.get(Application, certificate.application_id) if certificate else None
    if certificate is None or holder is None or origin is None:
        return None
    name = next((p["name"] for p in certificate.face["permits"] if p["permit"] == reminder["permit"]), reminder["permit"])
    face = CertificateFace.model_validate(certificate.face).title
    about: dict[str, Value] = {"permit": names(origin.pack_id, reminder["permit"], name), "number": certificate.number}
    return Message(
        [holder],
        said(_("请及时申请延续：%(permit)s（凭证 %(number)s）"), **about),
        said(
            _(
                "您的%(title)s %(number)s 上的“%(permit)s”将于 %(day)s到期（还有 %(days)s 天）。"
                "请在到期三十日前申请延续（《中华人民共和国行政许可法》第五十条）：%(link)s"
            ),
            **about,
            title=Said(face.zh, face.en),
            day=date.fromisoformat(reminder["valid_to"]),
            days=str(reminder["days_left"]),
            link=f"/certificates/{certificate.id}/apply/extension",
        ),
    )


MESSAGES: dict[str, Callable[[Session, dict[str, Any], PermitNames], Message | None]] = {
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


def for_user(session: Session, user_id: uuid.UUID, limit: int = 100) -> list[Notification]:
    """A user's latest notifications, newest first."""
    statement = select(Notification).where(Notification.user_id == user_id)
    return list(session.exec(statement.order_by(col(Notification.created_at).desc()).limit(limit)))
