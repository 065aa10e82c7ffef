"""Helpers for the applicant-page tests: walk the journey as a browser without JavaScript would."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx2
from fastapi.testclient import TestClient

from tests.service.svcutil import CSRF_INPUT

CONVENIENCE_TOBACCO = {"area_m2": "80", "food_prep_onsite": "true", "sells_tobacco": "true"}
"""A 便利店 that grinds coffee (so it needs 食品经营许可) and sells tobacco; everything else: no."""

DEFAULTS = {"school_distance_m": "300", "entity_type": "llc"}
"""Questions a journey answers this way unless told otherwise, as "false" answers neither: far from any school, a company."""

RESTAURANT_SEWAGE = {"area_m2": "200", "discharges_sewage": "true"}
"""A 饭店 whose kitchen drains into the sewer: the drainage permit may be taken on commitment."""

VALID_USCC = "91110101MA01AB123M"
VALID_ID = "11010519491231002X"
GOOD = {
    "applicant_name": "北京东城好邻居便利店有限公司",
    "uscc": VALID_USCC,
    "legal_rep_name": "王小明",
    "legal_rep_id_number": VALID_ID,
    "contact_phone": "010-6512 3456",
    "premises_address": "北京市东城区东四北大街 100 号",
}
"""Valid values for the applicant section of the convenience store's one form."""


def csrf(client: TestClient) -> str:
    page = client.get("/start")
    assert page.status_code == 200, page.text
    found = CSRF_INPUT.search(page.text)
    assert found
    return found.group(1)


def choose(client: TestClient, *industries: str, scope: tuple[str, ...] = (), token: str | None = None) -> Any:
    data: dict[str, Any] = {"csrf_token": token or csrf(client), "action": "continue", "industry": list(industries)}
    if scope:
        data["scope"] = list(scope)
    return client.post("/start", data=data, follow_redirects=False)


def answer_until_check(client: TestClient, location: str, answers: dict[str, str], default: str = "false") -> list[str]:
    """Answer every question asked from ``location`` on; the ids asked, in order."""
    token = csrf(client)
    asked: list[str] = []
    while location.startswith("/questions/"):
        qid = location.split("/")[2].split("?")[0]
        page = client.get(location, follow_redirects=False)
        assert page.status_code == 200, (location, page.status_code)
        asked.append(qid)
        given = answers.get(qid, DEFAULTS.get(qid, default))
        response = client.post(location, data={"csrf_token": token, "answer": given}, follow_redirects=False)
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        assert len(asked) < 40
    assert location == "/check-answers", location
    return asked


def journey(client: TestClient, industries: tuple[str, ...], answers: dict[str, str]) -> list[str]:
    response = choose(client, *industries)
    assert response.status_code == 303, response.text
    return answer_until_check(client, response.headers["location"], answers)


def sign_up(client: TestClient, next_url: str = "") -> str:
    login = f"u{uuid.uuid4().hex[:10]}@example.com"
    page = client.get("/sign-up" + (f"?next={next_url}" if next_url else ""))
    token = CSRF_INPUT.search(page.text)
    assert token
    response = client.post(
        "/sign-up",
        data={
            "csrf_token": token.group(1),
            "login": login,
            "password": "correct-horse-9",
            "password_confirm": "correct-horse-9",
            "next": next_url,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/sign-in?signed_up=1")
    token = CSRF_INPUT.search(client.get("/sign-in").text)
    assert token
    data = {"csrf_token": token.group(1), "login": login, "password": "correct-horse-9", "next": next_url}
    response = client.post("/sign-in", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return login


def sign_in(client: TestClient, login: str, next_url: str = "") -> Any:
    page = client.get("/sign-in" + (f"?next={next_url}" if next_url else ""))
    token = CSRF_INPUT.search(page.text)
    assert token
    return client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "login": login, "password": "correct-horse-9", "next": next_url},
        follow_redirects=False,
    )


def sign_out(client: TestClient) -> None:
    response = client.post("/sign-out", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert response.status_code == 303


ERROR_SUMMARY = re.compile(r'<div class="error-summary".*?</div>', re.S)


def error_summary(html: str) -> str:
    found = ERROR_SUMMARY.search(html)
    assert found, "no error summary on the page"
    return found.group(0)


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found.group(1).strip()


def assert_field_error(response: httpx2.Response, field: str, message: str, kept: str) -> None:
    """The page again (400, titled 错误), its summary linking ``message`` to ``field``, beside which it stands, ``kept`` kept."""
    assert response.status_code == 400
    assert title(response.text).startswith("错误：")
    assert f'<a href="#{field}">{message}</a>' in error_summary(response.text)
    assert f'id="{field}-error"' in response.text
    assert f'value="{kept}"' in response.text
