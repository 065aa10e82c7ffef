"""Counter intake (窗口代录): the identity of someone who walks in, and the applicant account their application goes to.

The clerk goes through the same questionnaire, form and materials as an applicant online, and submits
through the same ``submit``; only who the application belongs to comes from here (线上线下标准一致).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from sqlmodel import Session, select
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from rules.errors import Problem
from service.models import User
from service.security import hash_password
from service.workflow.errors import problem
from service.workflow.roles import Role

PHONE = re.compile(r"^1[3-9]\d{9}$")
"""A mainland mobile number, as ``User.phone`` stores it."""


@dataclass(frozen=True)
class WalkIn:
    name: str
    id_number: str
    """公民身份号码, 18 characters, checked by its check digit and birth date"""
    phone: str

    def as_record(self) -> dict[str, str]:
        return asdict(self)


def read_walk_in(session: Session, raw: Mapping[str, str]) -> tuple[WalkIn | None, list[Problem]]:
    """The identity from ``name``, ``id_number`` and ``phone``, or a problem naming every bad field."""
    name = raw.get("name", "").strip()
    number = ric.compact(raw.get("id_number", "")).upper()
    phone = raw.get("phone", "").strip().replace(" ", "")
    problems: list[Problem] = []
    if not name or len(name) > 100:
        problems.append(problem("walk_in_name", "请填写申请人姓名（不超过 100 个字）", "applicant.name", name[:40]))
    try:
        number = ric.validate(number)
    except ValidationError:
        problems.append(problem("walk_in_id_number", "公民身份号码不正确，请核对 18 位号码", "applicant.id_number", number[:18]))
    if not PHONE.match(phone):
        problems.append(problem("walk_in_phone", "请填写 11 位手机号码", "applicant.phone", phone[:20]))
    elif (holder := _holder(session, phone)) is not None and holder.role != Role.applicant:
        problems.append(problem("walk_in_phone_staff", "这个手机号属于工作人员账号，请核对", "applicant.phone", phone))
    return (None, problems) if problems else (WalkIn(name, number, phone), [])


def _holder(session: Session, phone: str) -> User | None:
    return session.exec(select(User).where(User.phone == phone)).first()


def applicant_for(session: Session, walk_in: WalkIn) -> User:
    """The applicant account with this phone, or a new one with a password nobody knows (they may reset it later)."""
    user = _holder(session, walk_in.phone)
    if user is None:
        user = User(phone=walk_in.phone, display_name=walk_in.name, password_hash=hash_password(secrets.token_urlsafe(32)))
        session.add(user)
        session.flush()
    return user
