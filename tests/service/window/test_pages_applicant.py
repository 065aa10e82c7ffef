"""The applicant's pages: submit with files and signed letters, the confirmation, 我的申请, the correction round."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from composer import Composer
from service.workflow.models import Application, MaterialFile
from tests.service.wfcase import EXE, PDF, PNG, stored_draft
from tests.service.window.deskutil import Account, People, csrf, error_beside, field


def _submit(
    client: TestClient, draft_id: object, files: dict[str, tuple[str, bytes]], signed: list[str], key: str | None = None
) -> Any:
    page = client.get(f"/drafts/{draft_id}/submit")
    assert page.status_code == 200, page.text
    data = {"csrf_token": field(page.text, "csrf_token"), "idempotency_key": key or field(page.text, "idempotency_key")}
    return client.post(
        f"/drafts/{draft_id}/submit",
        data={**data, "commitment": signed},
        files=[(f"material.{k}", (name, body)) for k, (name, body) in files.items()],
        follow_redirects=False,
    )


def test_the_submit_page_asks_for_each_material_and_each_letter(
    session: Session, composer: Composer, people: People, browser_of: Callable[[Account], TestClient]
) -> None:
    made = stored_draft(session, composer, people.applicant.user)
    page = browser_of(people.applicant).get(f"/drafts/{made.id}/submit")

    assert page.status_code == 200
    assert 'name="material.floor_plan"' in page.text
    assert 'name="material.fire_rules"' in page.text
    assert "本人承诺经营场所符合食品安全要求。" in page.text
    assert "我已阅读并承诺" in page.text


def test_a_bad_submission_shows_each_problem_beside_its_field_and_writes_nothing(
    session: Session, composer: Composer, people: People, browser_of: Callable[[Account], TestClient]
) -> None:
    made = stored_draft(session, composer, people.applicant.user)
    browser = browser_of(people.applicant)

    response = _submit(browser, made.id, {"floor_plan": ("平面图.pdf", EXE)}, signed=[])

    assert response.status_code == 400
    html = response.text
    assert "不是 PDF、JPEG 或 PNG" in error_beside(html, "materials-floor_plan")
    assert error_beside(html, "materials-fire_rules") == "请上传“消防安全管理制度”" or "请上传" in error_beside(
        html, "materials-fire_rules"
    )
    assert "告知承诺书" in error_beside(html, "commitments-food_business")
    assert session.exec(select(Application)).all() == []
    assert session.exec(select(MaterialFile)).all() == []


def test_a_complete_submission_gets_its_number_and_a_retry_makes_nothing_new(
    session: Session, composer: Composer, people: People, browser_of: Callable[[Account], TestClient]
) -> None:
    made = stored_draft(session, composer, people.applicant.user)
    browser = browser_of(people.applicant)
    files = {"floor_plan": ("平面图.pdf", PDF), "fire_rules": ("消防制度.png", PNG)}

    first = _submit(browser, made.id, files, signed=["food_business"], key="retry-1")
    again = browser.post(  # the same form sent twice (a double click, a retry after a lost answer)
        f"/drafts/{made.id}/submit",
        data={"csrf_token": csrf(browser, "/applications"), "idempotency_key": "retry-1", "commitment": ["food_business"]},
        files=[(f"material.{k}", v) for k, v in files.items()],
        follow_redirects=False,
    )

    assert first.status_code == 303
    assert again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    (application,) = session.exec(select(Application)).all()
    confirmation = browser.get(first.headers["location"])
    assert application.number in confirmation.text
    assert "申请已提交" in confirmation.text
    listing = browser.get("/applications")
    assert application.number in listing.text
    assert "已提交" in listing.text
    page = browser.get(f"/applications/{application.id}")
    assert "已提交" in page.text
    assert (
        browser.get(f"/drafts/{made.id}/submit", follow_redirects=False).headers["location"] == f"/applications/{application.id}"
    )


def test_someone_elses_draft_and_application_are_not_found(
    session: Session, composer: Composer, people: People, browser_of: Callable[[Account], TestClient]
) -> None:
    made = stored_draft(session, composer, people.applicant.user)
    owner, stranger = browser_of(people.applicant), browser_of(people.other_applicant)
    submitted = _submit(owner, made.id, {"floor_plan": ("a.pdf", PDF), "fire_rules": ("b.png", PNG)}, signed=["food_business"])
    application_url = submitted.headers["location"].removesuffix("/submitted")

    assert stranger.get(f"/drafts/{made.id}/submit").status_code == 404
    page = stranger.get(application_url)
    assert page.status_code == 404
    assert "没有这件申请" in page.text
