"""The workflow tests' case: its form values, files, staff and drafts (for conftest, the tests and bench/verify.py)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlmodel import Session, select

from composer import Composer
from composer.model import ComposeRequest
from service.compose import today
from service.models import Draft, StoredComposition, User
from service.workflow.models import Inspection
from service.workflow.roles import Role
from service.workflow.storage import Upload

Person = TypeVar("Person")

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200

CASE = ComposeRequest(
    pack="mini",
    as_of=date(2026, 12, 1),
    scope=["food_sales", "lodging"],
    answers={"food_prep": False, "sells_tobacco": False, "area_m2": 80},
    commit=["food_business"],
)
"""Food (market, on commitment), fire (fire) and the hotel special-trade permit (police), which waits for fire."""
FORM = {
    "applicant_name": "东城示例旅店有限公司",
    "uscc": "91110101MA01ABCD06",
    "premises_area": "80",
    "food_safety_manager": "李明",
    "rooms": "12",
}
SIGNED = ["food_business"]
ON_SITE = CASE.model_copy(update={"answers": {"food_prep": True, "sells_tobacco": False, "area_m2": 80}, "commit": []})
"""The same shop preparing food on site: no letter is signed, so the food permit's joint visit comes before its decision."""

MONDAY = date(2026, 12, 7)
"""A working Monday the workflow tests accept applications on."""


def uploads(*, floor_plan: bytes = PDF, fire_rules: bytes = PNG) -> list[Upload]:
    return [Upload("floor_plan", "平面图.pdf", floor_plan), Upload("fire_rules", "消防制度.png", fire_rules)]


def on_site_uploads() -> list[Upload]:
    """The materials of ON_SITE: the food preparation's operation flow beside the usual two."""
    return [*uploads(), Upload("operation_flow", "操作流程.pdf", PDF)]


@dataclass
class Staff:
    applicant: User
    other_applicant: User
    clerk: User
    market: User
    fire: User
    police: User
    inspector: User
    supervisor: User


def every_role(make: Callable[[Role, str | None], Person], inspector_department: str) -> dict[str, Person]:
    """One person per part the case's staff play, as ``Staff``'s fields: ``make(role, department)`` makes each."""
    return {
        "applicant": make(Role.applicant, None),
        "other_applicant": make(Role.applicant, None),
        "clerk": make(Role.clerk, None),
        "market": make(Role.reviewer, "market"),
        "fire": make(Role.reviewer, "fire"),
        "police": make(Role.reviewer, "police"),
        "inspector": make(Role.inspector, inspector_department),
        "supervisor": make(Role.supervisor, None),
    }


def add_user(session: Session, role: Role, department: str | None = None, password_hash: str = "x") -> tuple[User, str]:
    """A committed user of ``role`` with a fresh e-mail login: (user, login)."""
    login = f"{role}-{department or 'x'}-{uuid.uuid4().hex[:8]}@example.com"
    user = User(email=login, password_hash=password_hash, role=role, department=department)
    session.add(user)
    session.commit()
    return user, login


def stored_draft(
    session: Session, composer: Composer, owner: User, request: ComposeRequest = CASE, form: dict[str, str] | None = None
) -> Draft:
    """A draft as the questionnaire pages leave it: a stored composition and a complete form."""
    _, body = composer.compose_json(request)
    stored = StoredComposition(
        pack_id=composer.pack.id,
        pack_version=composer.pack.version,
        as_of=request.as_of or date.today(),
        input=request.model_dump(mode="json"),
        output_sha256=hashlib.sha256(body).hexdigest(),
    )
    session.add(stored)
    session.flush()  # no relationship orders the inserts
    draft = Draft(
        owner_id=owner.id,
        pack_id=composer.pack.id,
        scope=list(request.scope),
        answers=dict(request.answers),
        commit=list(request.commit),
        form_values=dict(FORM if form is None else form),
        composition_id=stored.id,
    )
    session.add(draft)
    session.commit()
    return draft


def the_visit_day_comes(session: Session, application_id: uuid.UUID) -> None:
    """The application's booked visit day comes: the pages run on the real clock, so the visit's date moves to today."""
    visit = session.exec(select(Inspection).where(Inspection.application_id == application_id)).one()
    visit.visit_on = today()
    session.add(visit)
    session.commit()
