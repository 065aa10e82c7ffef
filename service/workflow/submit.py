"""Submit (申请): a complete draft becomes an application with its number, pinned composition, values, letters and files.

Everything is checked before anything is written, and every problem is listed at once. The composition
is composed again from the draft's stored input and must hash to what the applicant was shown: a pack
changed since means the draft must be looked at again. A retried request with the same
``Idempotency-Key`` returns the first result and creates nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from composer import Composer
from composer.model import ComposeRequest, Composition
from forms.validation import validate
from rules.errors import InputError, Problem
from service.compose import today
from service.models import Draft, StoredComposition, User, utcnow
from service.workflow import audit
from service.workflow.counter import WalkIn, applicant_for, read_walk_in
from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound, problem
from service.workflow.models import Application, ApplicationCounter, MaterialFile
from service.workflow.roles import Action, Role, may
from service.workflow.rows import atomic, fingerprint, remember, replayed
from service.workflow.states import ApplicationFlow, initial_status
from service.workflow.storage import MAX_BYTES, Checked, FileStore, Upload, check_all

NUMBER_PREFIX = "DC"
"""东城 (Dongcheng): the district's prefix on application numbers, DC-YYYYMMDD-NNNNN."""


@dataclass(frozen=True)
class Submitted:
    application: Application
    repeated: bool
    """True when this was a retry answered with the first request's result."""


@dataclass(frozen=True)
class _DraftSubject:
    owner_id: uuid.UUID
    departments: tuple[str, ...] = ()


@atomic
def submit(
    session: Session,
    *,
    actor: User,
    draft_id: uuid.UUID,
    composer: Composer,
    store: FileStore,
    uploads: Sequence[Upload],
    signed: Collection[str],
    idempotency_key: str | None = None,
    max_bytes: int = MAX_BYTES,
    walk_in: Mapping[str, str] | None = None,
) -> Submitted:
    """Submit the draft: online by its owner, or at the counter by a clerk (the same record either way).

    At the counter ``walk_in`` (name, id_number, phone) names the applicant the application belongs to;
    without it the application goes to the draft's owner, who must then be an applicant."""
    request = _fingerprint(draft_id, uploads, signed, walk_in)
    if idempotency_key is not None:
        earlier = _earlier(session, actor, idempotency_key, request)
        if earlier is not None:
            return Submitted(earlier, repeated=True)
    draft = session.get(Draft, draft_id)
    if draft is None or (actor.role == Role.applicant and draft.owner_id != actor.id):
        raise NotFound([problem("not_found", "没有这份草稿", "draft_id", str(draft_id))])
    subject = _DraftSubject(draft.owner_id)
    counter = actor.role != Role.applicant
    if not may(actor, Action.register_at_counter if counter else Action.submit, subject) or (walk_in and not counter):
        raise Forbidden([problem("forbidden", "您无权提交这份草稿", "draft_id", str(draft_id))])
    existing = session.exec(select(Application).where(Application.draft_id == draft.id)).first()
    if existing is not None:
        raise Conflict(
            [problem("already_submitted", f"这份草稿已经提交过，受理编号 {existing.number}", "draft_id", existing.number)]
        )

    composition, stored = _composition(session, draft, composer)
    identity, identity_problems = _identity(session, draft, counter, walk_in)
    clean, checked = _check(composition, draft, uploads, signed, max_bytes, identity_problems)

    for item in checked:  # content-addressed: a file written for a submission that then fails is harmless
        store.put(item.sha256, item.upload.data)
    try:
        owner = applicant_for(session, identity).id if identity else draft.owner_id
        application = _record(session, actor, draft, owner, identity, stored, composition, clean, checked)
        if idempotency_key is not None:
            result = {"application_id": str(application.id), "number": application.number}
            remember(session, actor.id, idempotency_key, request, result)
        session.commit()
    except IntegrityError as exc:  # the same draft or the same key, submitted a moment earlier
        session.rollback()
        if idempotency_key is not None:
            earlier = _earlier(session, actor, idempotency_key, request)
            if earlier is not None:
                return Submitted(earlier, repeated=True)
        raise Conflict([problem("already_submitted", "这份草稿刚刚已经提交", "draft_id", str(draft_id))]) from exc
    except BaseException:
        session.rollback()
        raise
    return Submitted(application, repeated=False)


def _identity(
    session: Session, draft: Draft, counter: bool, walk_in: Mapping[str, str] | None
) -> tuple[WalkIn | None, list[Problem]]:
    """The walk-in applicant at the counter; a draft of the clerk's own must name one."""
    if walk_in is not None:
        return read_walk_in(session, walk_in)
    owner = session.get(User, draft.owner_id)
    if counter and (owner is None or owner.role != Role.applicant):
        return None, [problem("walk_in_missing", "请填写现场申请人的姓名、公民身份号码和手机号码", "applicant.name", "")]
    return None, []


def _record(
    session: Session,
    actor: User,
    draft: Draft,
    owner: uuid.UUID,
    walk_in: WalkIn | None,
    stored: StoredComposition,
    composition: Composition,
    clean: dict[str, object],
    checked: list[Checked],
) -> Application:
    """Write the application, its files' rows and its first audit event (the caller commits)."""
    counter = actor.role != Role.applicant
    now = utcnow()
    application = Application(
        number=next_number(session, today()),
        owner_id=owner,
        draft_id=draft.id,
        channel="counter" if counter else "online",
        registered_by=actor.id if counter else None,
        walk_in=walk_in.as_record() if walk_in else None,
        pack_id=stored.pack_id,
        pack_version=stored.pack_version,
        composition_id=stored.id,
        composition=composition.model_dump(mode="json"),
        form_values=clean,
        commitments=[
            {"permit": c.permit, "permit_name": c.permit_name, "letter": c.letter, "accepted_at": now.isoformat()}
            for c in composition.commitments
        ],
        departments=sorted({p.department for p in composition.permits}),
        applicant_name=str(clean.get("applicant_name", ""))[:200],
        uscc=str(clean.get("uscc", ""))[:18],
        status=initial_status(ApplicationFlow),
        submitted_at=now,
    )
    session.add(application)
    session.flush()  # before its files: no relationship orders the inserts
    for item in checked:
        session.add(material_file(application.id, item))
    audit.created(
        session,
        actor=actor,
        row=application,
        action="submit",
        data={"number": application.number, "channel": application.channel, "files": sorted(i.sha256 for i in checked)},
    )
    return application


def material_file(application_id: uuid.UUID, item: Checked, round: int = 0) -> MaterialFile:
    """The row that files a checked upload with its application (``round`` n for the n-th correction)."""
    return MaterialFile(
        application_id=application_id,
        material=item.upload.material,
        sha256=item.sha256,
        size=len(item.upload.data),
        media_type=item.media_type,
        filename=item.upload.filename,
        round=round,
    )


def _fingerprint(
    draft_id: uuid.UUID, uploads: Sequence[Upload], signed: Collection[str], walk_in: Mapping[str, str] | None
) -> str:
    files = [[u.material, u.filename, hashlib.sha256(u.data).hexdigest()] for u in uploads]
    body: dict[str, object] = {"draft": str(draft_id), "signed": sorted(signed), "files": files}
    if walk_in is not None:
        body["walk_in"] = dict(walk_in)
    return fingerprint("submit", body)


def _earlier(session: Session, actor: User, key: str, request: str) -> Application | None:
    result = replayed(session, actor.id, key, request)
    return session.get(Application, uuid.UUID(result["application_id"])) if result else None


def _composition(session: Session, draft: Draft, composer: Composer) -> tuple[Composition, StoredComposition]:
    stored = session.get(StoredComposition, draft.composition_id) if draft.composition_id else None
    if stored is None:
        raise Invalid([problem("draft_not_composed", "草稿还没有生成一次告知结果，请先完成情形引导", "draft_id", str(draft.id))])
    if stored.pack_id != composer.pack.id or stored.pack_version != composer.pack.version:
        raise Invalid(
            [
                problem(
                    "pack_changed",
                    "规则已更新，草稿需按新规则重新核对后再提交",
                    "draft_id",
                    f"{stored.pack_id}@{stored.pack_version}",
                )
            ]
        )
    try:
        composition, body = composer.compose_json(ComposeRequest.model_validate(stored.input))
    except InputError as exc:
        raise Invalid(exc.problems) from exc
    if hashlib.sha256(body).hexdigest() != stored.output_sha256:
        raise Invalid(
            [problem("composition_changed", "一次告知结果已变化，请重新打开草稿核对后再提交", "draft_id", str(draft.id))]
        )
    return composition, stored


def _check(
    composition: Composition,
    draft: Draft,
    uploads: Sequence[Upload],
    signed: Collection[str],
    max_bytes: int,
    problems: list[Problem],
) -> tuple[dict[str, object], list[Checked]]:
    """The clean form values and the accepted files, or Invalid with every problem found (``problems`` so far first)."""
    for q in composition.questions:
        problems.append(problem("question_open", f"还有问题未回答：{q.text}", f"answers.{q.id}", q.id))
    clean, errors = validate(composition.form, draft.form_values)
    problems += [problem("form_invalid", message, f"form_values.{field}", field) for field, message in errors.items()]
    letters = {c.permit: c for c in composition.commitments}
    for permit, c in letters.items():
        if permit not in signed:
            problems.append(
                problem("commitment_unsigned", f"请阅读并签署“{c.permit_name}”的告知承诺书", f"commitments.{permit}", permit)
            )
    for permit in sorted(set(signed) - set(letters)):
        problems.append(problem("commitment_unknown", "本次申请没有这一项告知承诺", f"commitments.{permit}", permit))
    required = {m.key: m for m in composition.materials if m.status == "submit"}
    given = {u.material for u in uploads}
    for key, m in required.items():
        if key not in given:
            problems.append(problem("material_missing", f"请上传“{m.name}”", f"materials.{key}", key))
    checked, found = check_all(uploads, required, ("material_unexpected", "本次申请不需要提交这项材料"), max_bytes)
    problems += found
    if problems:
        raise Invalid(problems)
    return clean, checked


def next_number(session: Session, day: date) -> str:
    """DC-YYYYMMDD-NNNNN: the day's counter, moved in the submitting transaction, so no two share a number."""
    bump = (
        update(ApplicationCounter)
        .where(col(ApplicationCounter.day) == day)
        .values(last=ApplicationCounter.last + 1)
        .returning(col(ApplicationCounter.last))
    )
    last = session.execute(bump).scalar()
    if last is None:
        try:
            with session.begin_nested():
                session.add(ApplicationCounter(day=day, last=1))
            last = 1
        except IntegrityError:  # another submission opened the day first
            last = session.execute(bump).scalar_one()
    return f"{NUMBER_PREFIX}-{day:%Y%m%d}-{last:05d}"
