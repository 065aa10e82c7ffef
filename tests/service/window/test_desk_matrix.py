"""Who sees which desk: every role × every desk page, on a foreign and an own object; staff land on their desk."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from composer import Composer
from composer.workdays import add_working_days
from service.compose import today
from service.workflow.models import Inspection, PermitTask
from tests.service.wfcase import ON_SITE, stored_draft
from tests.service.window.deskutil import Account, People, sign_in
from tests.service.window.flow import post_form, submit

ROLES = ("applicant", "other_applicant", "clerk", "market", "fire", "police", "inspector", "supervisor", "admin")
# 2: 200 · 3: 403 · 4: 404, per role in the order above. "applicant" owns the application; the permit
# on the review and inspection pages is the food permit (market).
EXPECTED = {
    "/applications": "223333333",
    "/window": "332333333",
    "/review": "333222333",
    "/inspection": "333333233",
    "/supervision": "333333323",
    "/accounts": "333333332",
    "/applications/{application}": "242222223",
    "/window/applications/{application}": "342333333",
    "/review/tasks/{task}": "343233333",
    "/inspection/{inspection}": "343333233",
}
CODES = {"2": 200, "3": 403, "4": 404}


@pytest.fixture
def case(session: Session, composer: Composer, people: People, browser_of: Callable[[Account], TestClient]) -> dict[str, str]:
    """An accepted on-site case with its joint inspection scheduled: every desk page has an object to show."""
    applicant, clerk = browser_of(people.applicant), browser_of(people.clerk)
    made = stored_draft(session, composer, people.applicant.user, ON_SITE)
    application_id = submit(applicant, made.id, [], ("floor_plan", "fire_rules", "operation_flow"))
    desk = f"/window/applications/{application_id}"
    assert post_form(clerk, desk, f"{desk}/accept", {}).status_code == 303
    visit = {"visit_on": add_working_days(today(), 1).isoformat()}
    assert post_form(clerk, desk, f"{desk}/inspection", visit).status_code == 303
    task = session.exec(select(PermitTask).where(PermitTask.permit == "food_business")).one()
    inspection = session.exec(select(Inspection)).one()
    return {"application": str(application_id), "task": str(task.id), "inspection": str(inspection.id)}


def test_every_role_sees_its_own_desks_only(
    case: dict[str, str], people: People, browser_of: Callable[[Account], TestClient]
) -> None:
    browsers = {role: browser_of(getattr(people, role)) for role in ROLES}
    seen = {
        page: "".join(
            next(k for k, v in CODES.items() if v == browsers[role].get(page.format(**case)).status_code) for role in ROLES
        )
        for page in EXPECTED
    }
    assert seen == EXPECTED
    refusal = browsers["fire"].get(f"/review/tasks/{case['task']}")
    assert "无权" in refusal.text  # a page in Chinese, not a bare status


def test_an_action_on_another_desk_is_refused_and_changes_nothing(
    case: dict[str, str], people: People, browser_of: Callable[[Account], TestClient], session: Session
) -> None:
    fire = browser_of(people.fire)
    url = f"/review/tasks/{case['task']}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', fire.get("/review").text)
    assert token
    response = fire.post(url, data={"csrf_token": token.group(1), "decision": "approve"}, follow_redirects=False)

    assert response.status_code == 403
    task = session.exec(select(PermitTask).where(PermitTask.permit == "food_business")).one()
    session.refresh(task)
    assert task.status == "pending"


@pytest.mark.parametrize(
    ("role", "desk"),
    [
        ("clerk", "/window"),
        ("market", "/review"),
        ("inspector", "/inspection"),
        ("supervisor", "/supervision"),
        ("applicant", "/drafts"),
        ("admin", "/accounts"),
    ],
)
def test_after_signing_in_each_role_lands_on_its_desk(people: People, desk_app: object, role: str, desk: str) -> None:
    with TestClient(desk_app) as client:  # type: ignore[arg-type]
        signed_in = sign_in(client, getattr(people, role).login)
        assert signed_in.headers["location"] in (desk, "/desk")
        landed = client.get(signed_in.headers["location"], follow_redirects=True)
    assert landed.status_code == 200
    assert landed.url.path == desk
