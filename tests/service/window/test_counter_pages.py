"""Counter intake on the pages: the clerk's submit page asks for the walk-in's identity; staff see the channel."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx2
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from composer import Composer
from service.workflow.models import Application
from tests.service.wfcase import PDF, PNG, stored_draft
from tests.service.window.deskutil import Account, People, error_beside, field

FILES = [("material.floor_plan", ("平面图.pdf", PDF)), ("material.fire_rules", ("消防制度.png", PNG))]


def _post(clerk: TestClient, draft_id: object, identity: dict[str, str], key: str | None = None) -> httpx2.Response:
    page = clerk.get(f"/drafts/{draft_id}/submit")
    data = {
        "csrf_token": field(page.text, "csrf_token"),
        "idempotency_key": key or field(page.text, "idempotency_key"),
        "commitment": ["food_business"],
        **{f"applicant.{k}": v for k, v in identity.items()},
    }
    return clerk.post(f"/drafts/{draft_id}/submit", data=data, files=FILES, follow_redirects=False)


def test_a_clerk_registers_a_walk_in_and_the_window_shows_the_counter_channel(
    session: Session, composer: Composer, people: People, browser_of: Callable[[Account], TestClient]
) -> None:
    clerk = browser_of(people.clerk)
    made = stored_draft(session, composer, people.clerk.user)

    page = clerk.get(f"/drafts/{made.id}/submit").text
    bad = _post(clerk, made.id, {"name": "王小明", "id_number": "110105194912310021", "phone": "139"})
    good = _post(clerk, made.id, {"name": "王小明", "id_number": "11010519491231002X", "phone": "13912345678"}, "k1")
    again = _post(clerk, made.id, {"name": "王小明", "id_number": "11010519491231002X", "phone": "13912345678"}, "k1")

    assert 'name="applicant.id_number"' in page
    assert bad.status_code == 400
    assert "公民身份号码不正确" in error_beside(bad.text, "applicant-id_number")
    assert "11 位手机号码" in error_beside(bad.text, "applicant-phone")
    assert 'value="王小明"' in bad.text
    assert good.status_code == 303
    assert again.headers["location"] == good.headers["location"]
    (application,) = session.exec(select(Application)).all()
    queue = clerk.get("/window").text
    desk = clerk.get(f"/window/applications/{application.id}").text
    assert re.search(rf"{application.number}.*?窗口代办", queue, re.S)
    assert re.search(r'id="channel">窗口代办<', desk)
    assert "王小明 · 11010519491231002X · 13912345678" in desk


def test_an_applicant_never_sees_the_identity_fields(
    session: Session, composer: Composer, people: People, browser_of: Callable[[Account], TestClient]
) -> None:
    made = stored_draft(session, composer, people.applicant.user)
    page = browser_of(people.applicant).get(f"/drafts/{made.id}/submit").text
    assert "applicant.id_number" not in page
