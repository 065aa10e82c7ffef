"""The desks' test case on the mini pack: staff of every role, a complete draft, files, and signed-in clients."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.models import User
from service.security import hash_password
from service.workflow.roles import Role
from tests.service.wfcase import add_user

PASSWORD = "correct-horse-9"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

DEMO_LISTS = {
    "demo@example.com": ("/applications",),
    "clerk@example.com": ("/window",),
    "fire@example.com": ("/review", "/queue", "/review/permits"),
    "inspector@example.com": ("/inspection",),
    "supervisor@example.com": ("/supervision",),
}
"""The demo's accounts and the desk pages each reads a list of applications on (test_desk_growth, bench/desks.py)."""
NUMBERS = re.compile(r"DC-[0-9-]+|DCZH[0-9]{4}(?:-[A-Z2-7]{4}){3}")
"""An application's number, or a certificate's: what such a list shows one of per row."""


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
    return Account(*add_user(session, role, department, _password_hash()))


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


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
