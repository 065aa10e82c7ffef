"""The desks' test case on the mini pack: staff of every role, a complete draft, files, and signed-in clients."""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session
from wfcase import stored_draft

from composer import Composer
from composer.model import ComposeRequest
from service.models import Draft, User
from service.security import hash_password
from service.workflow.roles import Role

PASSWORD = "correct-horse-9"
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
ON_SITE = CASE.model_copy(update={"answers": {"food_prep": True, "sells_tobacco": False, "area_m2": 80}, "commit": []})
"""The same shop preparing food on site: the food permit needs the joint inspection, and no letter is signed."""
FORM = {
    "applicant_name": "东城示例旅店有限公司",
    "uscc": "91110101MA01ABCD06",
    "premises_area": "80",
    "food_safety_manager": "李明",
    "rooms": "12",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Account:
    user: User
    login: str


@dataclass
class People:
    applicant: Account
    other_applicant: Account
    clerk: Account
    market: Account
    fire: Account
    police: Account
    inspector: Account
    """market's inspector: the on-site food check"""
    supervisor: Account
    admin: Account


def account(session: Session, role: Role, department: str | None = None) -> Account:
    login = f"{role}-{department or 'x'}-{uuid.uuid4().hex[:6]}@example.com"
    user = User(email=login, password_hash=_password_hash(), role=role, department=department)
    session.add(user)
    session.commit()
    return Account(user, login)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def draft(session: Session, composer: Composer, owner: User, request: ComposeRequest = CASE) -> Draft:
    """A draft as the questionnaire pages leave it: a stored composition and a complete form."""
    return stored_draft(session, composer, owner, request, FORM)


def sign_in(client: TestClient, login: str) -> Any:
    page = client.get("/sign-in")
    token = CSRF.search(page.text)
    assert token
    return client.post(
        "/sign-in", data={"csrf_token": token.group(1), "login": login, "password": PASSWORD, "next": ""}, follow_redirects=False
    )


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    token = CSRF.search(page.text)
    assert token
    return token.group(1)


def field(html: str, name: str) -> str:
    """The value of the first hidden input ``name`` on the page."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


def error_beside(html: str, field_id: str) -> str:
    """The error message shown beside the field with this id."""
    found = re.search(rf'<p id="{re.escape(field_id)}-error" class="error-message">.*?</span>(.*?)</p>', html, re.S)
    assert found, f"no error beside {field_id}"
    return found.group(1).strip()
