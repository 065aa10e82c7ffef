"""A desk's form sent twice (a double click, a retry after a lost answer) changes the case once and lands where the
first did; the same key on another form is refused. The key is committed with the change it made."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from composer import Composer
from service.workflow.models import Application, AuditEvent, IdempotencyKey, PermitTask
from tests.service.wfcase import stored_draft
from tests.service.window.deskutil import Account, People, field
from tests.service.window.flow import post_form, submit

Browsers = Callable[[Account], TestClient]


def _events(session: Session, action: str) -> int:
    session.expire_all()
    return len(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_accepting_twice_with_one_key_accepts_once_and_lands_where_the_first_did(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk = browser_of(people.applicant), browser_of(people.clerk)
    made = stored_draft(session, composer, people.applicant.user)
    application_id = submit(applicant, made.id, ["food_business"], ("floor_plan", "fire_rules"))
    desk = f"/window/applications/{application_id}"
    page = clerk.get(desk).text
    assert 'name="idempotency_key"' in page
    form = {"idempotency_key": "accept-once", "version": field(page, "version")}

    first = post_form(clerk, desk, f"{desk}/accept", form)
    again = post_form(clerk, desk, f"{desk}/accept", form)  # the same form, the same version it was made from
    other = post_form(clerk, desk, f"{desk}/refuse", {**form, "reasons": "不在本区"})

    assert (first.status_code, again.status_code) == (303, 303)
    assert again.headers["location"] == first.headers["location"] == "/window"
    assert _events(session, "accept") == 1
    application = session.get(Application, application_id)
    assert application is not None
    assert application.status == "in_approval"
    assert other.status_code == 422
    assert "Idempotency-Key" in other.text
    assert session.get(IdempotencyKey, (people.clerk.user.id, "accept-once")) is not None


def test_a_decision_sent_twice_decides_once(session: Session, composer: Composer, people: People, browser_of: Browsers) -> None:
    applicant, clerk, fire = browser_of(people.applicant), browser_of(people.clerk), browser_of(people.fire)
    made = stored_draft(session, composer, people.applicant.user)
    application_id = submit(applicant, made.id, ["food_business"], ("floor_plan", "fire_rules"))
    desk = f"/window/applications/{application_id}"
    assert post_form(clerk, desk, f"{desk}/accept", {}).status_code == 303
    task = session.exec(select(PermitTask).where(PermitTask.permit == "fire_check")).one()
    url = f"/review/tasks/{task.id}"
    form = {"idempotency_key": "fire-approve", "decision": "approve", "version": str(task.version)}

    first = post_form(fire, url, url, form)
    again = post_form(fire, url, url, form)
    without_key = post_form(fire, url, url, {k: v for k, v in form.items() if k != "idempotency_key"})

    assert (first.status_code, again.status_code) == (303, 303)
    assert again.headers["location"] == first.headers["location"]
    assert without_key.status_code == 409  # no key: a stale copy is a conflict, as before
    assert _events(session, "approve") == 1
