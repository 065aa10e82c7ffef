"""Demo data: one account per role, a draft, and applications in several states, so a visitor can click every desk.

Idempotent: running it again changes nothing. Seeded by ``yiye serve --demo`` (and ``yiye db demo``).
Every account signs in with ``DEMO_PASSWORD``; staff land on their desk.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from composer.model import ComposeRequest
from composer.workdays import add_working_days, is_working_day
from rules.errors import InputError
from service import crud
from service.certs.lifecycle import issue
from service.compose import ComposeService, today
from service.db import make_engine
from service.models import DraftCreate, User, UserCreate
from service.registry import PackRegistry
from service.settings import Settings
from service.workflow import inspection, pauses, window
from service.workflow.models import Application, IntegratorKey, PermitTask
from service.workflow.review import Decision, decide
from service.workflow.roles import Role
from service.workflow.storage import LocalFileStore, Upload
from service.workflow.submit import submit
from service.workflow.window import Finding, MaterialCheck

log = logging.getLogger("yiye.demo")

DEMO_EMAIL = "demo@example.com"
DEMO_PHONE = "13800138000"
DEMO_PASSWORD = "yiye-demo-2026"
DEMO_INDUSTRY = "convenience_store"
DEMO_ANSWERS: dict[str, bool | int | float | str] = {"sells_tobacco": True}
"""The demo draft: a convenience store that sells tobacco (the default pack's first industry otherwise)."""


STAFF: tuple[tuple[str, Role, str | None, str], ...] = (
    ("clerk@example.com", Role.clerk, None, "综合窗口演示"),
    ("fire@example.com", Role.reviewer, "fire", "消防审批演示"),
    ("police@example.com", Role.reviewer, "police", "公安审批演示"),
    ("hygiene@example.com", Role.reviewer, "disease_control", "卫生审批演示"),
    ("environment@example.com", Role.reviewer, "environment", "环保备案演示"),
    ("inspector@example.com", Role.inspector, "fire", "消防踏勘演示"),
    ("police-inspector@example.com", Role.inspector, "police", "公安踏勘演示"),
    ("hygiene-inspector@example.com", Role.inspector, "disease_control", "卫生踏勘演示"),
    ("supervisor@example.com", Role.supervisor, None, "区级监督演示"),
    ("policy@example.com", Role.policy_author, None, "政策起草演示"),
    ("approver@example.com", Role.policy_approver, None, "政策审核演示"),
    ("admin@example.com", Role.admin, None, "系统管理演示"),
    ("fire-system@example.com", Role.integrator, "fire", "消防部门系统演示"),
)
"""One account per role: login, role, department, name. The README's demo line lists them."""

DEMO_INTEGRATOR_KEY = "yiye-demo-fire-system-2026"
"""The fire department system's X-API-Key in the demo (only its sha256 is stored, as for real keys)."""

HOTEL_ANSWERS: dict[str, bool | int | float | str] = {
    "area_m2": 800,
    "sells_food": False,
    "discharges_sewage": False,
    "sells_tobacco": False,
    "renovation": False,
    "outdoor_ad": False,
    "rooms": 30,
    "central_ac": False,
    "near_heritage_site": False,
    "uses_agent": False,
}
"""The demo applications: a 30-room hotel — fire, hygiene and police (which waits for fire) inspect; environment files."""
HOTEL_FORM = {
    "applicant_name": "北京东城胡同里酒店有限公司",
    "uscc": "91110101MA01AB123M",
    "legal_rep_name": "王小明",
    "legal_rep_id_number": "11010519491231002X",
    "contact_phone": "010-6512 3456",
    "premises_address": "北京市东城区东四北大街 100 号",
    "premises_area": "800",
    "premises_tenure": "leased",
    "rooms": "30",
    "beds": "52",
    "central_ac_system": "false",
    "main_equipment": "客房设施、布草消毒间",
    "fire_facilities": "自动喷水灭火系统、火灾自动报警系统",
    "security_system": "true",
    "cctv": "true",
    "fire_safety_officer": "李强",
    "fire_safety_manager": "赵敏",
    "hygiene_manager": "陈静",
    "staff_count": "25",
    "staff_health_checked": "25",
    "security_staff": "刘洋",
    "project_description": "30 间客房的酒店",
}
SAMPLE_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
"""What the demo uploads for every material: a minimal PDF."""
STAGES = ("submitted", "correction_requested", "inspection_scheduled", "decided", "issued")
"""The demo applications, one at each of these stages: the decided one waits for its certificate, the issued one
has it (its holder's certificate page, the QR and the public verify page, the departments' 已发许可)."""


@dataclass(frozen=True)
class Seeded:
    email: str
    phone: str
    password: str
    drafts: int
    staff: tuple[str, ...] = ()
    applications: int = 0


def seed(settings: Settings) -> Seeded:
    """Create the demo applicant and a draft for the default pack's first industry, if missing."""
    engine = make_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = crud.get_user_by_login(session=session, login=DEMO_EMAIL)
            if user is None:
                user = crud.create_user(
                    session=session,
                    user_create=UserCreate(email=DEMO_EMAIL, phone=DEMO_PHONE, display_name="演示用户", password=DEMO_PASSWORD),
                )
            if crud.count_drafts(session=session, owner=user) == 0:
                _seed_draft(session, user, settings)
            staff = _seed_staff(session)
            if not session.exec(select(Application.id).where(Application.owner_id == user.id)).first():
                _seed_applications(session, user, staff, settings)
            drafts = crud.count_drafts(session=session, owner=user)
            applications = len(session.exec(select(Application.id).where(Application.owner_id == user.id)).all())
    finally:
        engine.dispose()
    log.info("demo data ready", extra={"drafts": drafts, "applications": applications})
    return Seeded(DEMO_EMAIL, DEMO_PHONE, DEMO_PASSWORD, drafts, tuple(login for login, *_ in STAFF), applications)


def add_applications(settings: Settings) -> int:
    """One more application per stage for the demo applicant, as ``seed`` makes them (to grow the desks for tests
    and bench/desks.py); the applicant's applications in all."""
    engine = make_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = crud.get_user_by_login(session=session, login=DEMO_EMAIL)
            if user is None:
                raise LookupError("no demo applicant: run seed first")
            _seed_applications(session, user, _seed_staff(session), settings)
            return len(session.exec(select(Application.id).where(Application.owner_id == user.id)).all())
    finally:
        engine.dispose()


def _seed_staff(session: Session) -> dict[str, User]:
    """The staff accounts, by login; the ones already there are kept as they are."""
    staff = {}
    for login, role, department, name in STAFF:
        user = crud.get_user_by_login(session=session, login=login)
        if user is None:
            user = crud.create_user(
                session=session, user_create=UserCreate(email=login, display_name=name, password=DEMO_PASSWORD)
            )
            user.role, user.department = role, department
            session.add(user)
            if role is Role.integrator:
                session.add(IntegratorKey(key_sha256=hashlib.sha256(DEMO_INTEGRATOR_KEY.encode()).hexdigest(), user_id=user.id))
            session.commit()
        staff[login] = user
    return staff


def _seed_applications(session: Session, applicant: User, staff: dict[str, User], settings: Settings) -> None:
    """One hotel application per stage, moved there through the workflow as the desks would."""
    registry = PackRegistry(settings.packs_root, settings.pack_cache)
    registry.load_all()
    composer = registry.get(settings.default_pack)
    if composer is None or "hotel" not in composer.pack.industries:
        log.warning("no demo applications: the default pack has no hotel", extra={"pack_id": settings.default_pack})
        return
    compose = ComposeService(registry, cache_bytes=0)
    request = ComposeRequest(pack=settings.default_pack, industries=["hotel"], answers=HOTEL_ANSWERS)
    try:
        compose.compose(request, source="demo")
    except InputError:  # another pack's hotel asks other questions
        log.warning("no demo applications: the default pack's hotel differs", extra={"pack_id": settings.default_pack})
        return
    store = LocalFileStore(settings.files_dir)
    clerk = staff["clerk@example.com"]
    reviewers = {u.department: u for u in staff.values() if u.role == Role.reviewer}
    for stage in STAGES:
        composed = compose.compose(request, source="demo")
        draft = crud.create_draft(
            session=session,
            owner=applicant,
            draft_create=DraftCreate(
                pack_id=settings.default_pack, industries=["hotel"], answers=dict(HOTEL_ANSWERS), form_values=dict(HOTEL_FORM)
            ),
            composed=composed,
        )
        materials = [m.key for m in composed.composition.materials if m.status == "submit"]
        uploads = [Upload(key, f"{key}.pdf", SAMPLE_PDF) for key in materials]
        application = submit(
            session, actor=applicant, draft_id=draft.id, composer=composer, store=store, uploads=uploads, signed=[]
        ).application
        crud.delete_draft(session=session, draft=draft)  # submitted: it lives on as the application
        if stage == "correction_requested":
            checks = [MaterialCheck(key, Finding.received) for key in materials[1:]]
            checks.append(MaterialCheck(materials[0], Finding.not_acceptable, "复印件不清晰，请上传清晰的扫描件"))
            window.request_correction(session, actor=clerk, application_id=application.id, checks=checks, version=None)
        elif stage in ("inspection_scheduled", "decided", "issued"):
            tasks = window.accept(session, actor=clerk, application_id=application.id, version=None)
            if stage == "inspection_scheduled":
                visit = add_working_days(today(), 2)
                inspection.schedule(session, actor=clerk, application_id=application.id, visit_on=visit)
                _tested(session, tasks, reviewers)
                continue
            _inspected(session, application, clerk, staff)
            for task in sorted(tasks, key=lambda t: bool(t.depends_on)):  # fire first: the hotel permit waits for it
                session.refresh(task)
                decide(session, actor=reviewers[task.department], task_id=task.id, decision=Decision.approve, version=None)
            if stage == "issued":
                issue(session, actor=clerk, application_id=application.id, composer=composer, keys_dir=settings.keys_dir)


def _tested(session: Session, tasks: list[PermitTask], reviewers: dict[str | None, User]) -> None:
    """The public-place hygiene permit's rooms have their air and water tested: time its limit does not count (行政许可法
    Art. 45), so its clock and the joint handling's stand still."""
    for task in tasks:
        if task.permit == "public_hygiene" and task.status == "pending" and task.department in reviewers:
            note = "委托检测机构检测客房空气和水质"
            reviewer = reviewers[task.department]
            pauses.stop(session, actor=reviewer, task_id=task.id, kind="testing", days=10, note=note, version=None)


def _inspected(session: Session, application: Application, clerk: User, staff: dict[str, User]) -> None:
    """The decided application's joint visit, held on the last working day and every item found met."""
    held = today()
    while not is_working_day(held):
        held -= timedelta(days=1)
    visit = inspection.schedule(session, actor=clerk, application_id=application.id, visit_on=held, today=held)
    inspectors = {u.department: u for u in staff.values() if u.role == Role.inspector}
    departments = {p["id"]: p["department"] for p in application.composition["permits"]}
    for permit, elements in inspection.checklist(application).items():
        results = [inspection.Result(e["id"], passed=True) for e in elements]
        inspection.record(
            session, actor=inspectors[departments[permit]], inspection_id=visit.id, permit=permit, results=results, version=None
        )


def _seed_draft(session: Session, user: User, settings: Settings) -> None:
    registry = PackRegistry(settings.packs_root, settings.pack_cache)
    registry.load_all()
    composer = registry.get(settings.default_pack)
    if composer is None:
        log.warning("no demo draft: default pack not loaded", extra={"pack_id": settings.default_pack})
        return
    pack = composer.pack
    if DEMO_INDUSTRY in pack.industries:
        industries, answers = [DEMO_INDUSTRY], {q: v for q, v in DEMO_ANSWERS.items() if q in pack.questions}
    else:
        industries, answers = list(pack.industries)[:1], {}
    request = ComposeRequest(pack=settings.default_pack, industries=industries, answers=answers)
    try:
        composed = ComposeService(registry, cache_bytes=0).compose(request, source="demo")
    except InputError:
        composed = None
    crud.create_draft(
        session=session,
        owner=user,
        draft_create=DraftCreate(pack_id=settings.default_pack, industries=industries, answers=dict(answers)),
        composed=composed,
    )
