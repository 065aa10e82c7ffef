"""A department's own system pulls its tasks and pushes decisions over /api/v1/tasks with its key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from composer.terms import PAUSES
from composer.workdays import add_working_days
from rules.model import Pause
from service.api.tasks import Procedure
from service.cli import app as cli
from service.models import Draft, User
from service.workflow.models import Application, AuditEvent, PermitTask
from service.workflow.roles import Role
from service.workflow.submit import Submitted
from service.workflow.window import accept
from tests.service.svcutil import FIXTURE_PACKS
from tests.service.wfcase import ON_SITE, Staff, on_site_uploads

runner = CliRunner()


def _key_for(db_url: str, session: Session, department: str) -> str:
    """An integrator account for the department, made and keyed with the CLI as an administrator would."""
    email = f"system-{department}@example.com"
    made = runner.invoke(
        cli,
        ["users", "create", "--role", "integrator", "--department", department, "--email", email, "--password", "a-long-password"]
        + ["--database-url", db_url, "--packs-dir", str(FIXTURE_PACKS), "--pack", "mini"],
    )
    assert made.exit_code == 0, made.output
    keyed = runner.invoke(cli, ["users", "key", email, "--database-url", db_url])
    assert keyed.exit_code == 0, keyed.output
    return keyed.output.strip()


@pytest.fixture
def accepted(session: Session, staff: Staff, make_submitted: Callable[[], Application]) -> Application:
    application = make_submitted()
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=date(2026, 12, 7))
    return application


@pytest.fixture
def fire_key(db_url: str, session: Session, accepted: Application) -> str:
    """The fire department system's API key, once the accepted application has given it tasks."""
    return _key_for(db_url, session, "fire")


def _task(session: Session, permit: str) -> PermitTask:
    task = session.exec(select(PermitTask).where(PermitTask.permit == permit)).one()
    session.refresh(task)
    return task


def _decide(
    client: TestClient, key: str, task: PermitTask, decision: str, version: int | None = None, **more: object
) -> Response:
    """POST a decision on ``task`` with a department's key; at the task's version unless another is given."""
    body = {"decision": decision, "version": task.version if version is None else version, **more}
    return client.post(f"/api/v1/tasks/{task.id}/decision", json=body, headers={"X-API-Key": key})


def test_a_department_pulls_only_its_own_tasks(
    db_url: str, db_client: TestClient, session: Session, accepted: Application, fire_key: str
) -> None:
    response = db_client.get("/api/v1/tasks", headers={"X-API-Key": fire_key})
    assert response.status_code == 200, response.text
    (task,) = response.json()["tasks"]
    assert (task["permit"], task["department"], task["status_label"], task["application_number"]) == (
        "fire_check",
        "fire",
        "审批中",
        accepted.number,
    )
    assert task["due_on"] == "2026-12-24"
    police = _key_for(db_url, session, "police")
    waiting = db_client.get("/api/v1/tasks", params={"status": "waiting_dependency"}, headers={"X-API-Key": police})
    assert [t["permit"] for t in waiting.json()["tasks"]] == ["hotel_trade"]


@pytest.mark.parametrize("key", [None, "", "yiye_not-a-key"])
def test_no_valid_key_is_a_401(db_client: TestClient, key: str | None) -> None:
    headers = {"X-API-Key": key} if key is not None else {}
    response = db_client.get("/api/v1/tasks", headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["where"] == "header.X-API-Key"


def test_a_decision_is_pushed_and_a_retry_decides_nothing_again(db_client: TestClient, session: Session, fire_key: str) -> None:
    fire = _task(session, "fire_check")
    sent = {"decision": "approve", "version": fire.version}
    headers = {"X-API-Key": fire_key, "Idempotency-Key": "fire-decision-1"}
    first = db_client.post(f"/api/v1/tasks/{fire.id}/decision", json=sent, headers=headers)
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["status_label"]) == ("approved", "准予许可")
    again = db_client.post(f"/api/v1/tasks/{fire.id}/decision", json=sent, headers=headers)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    decisions = session.exec(
        select(AuditEvent).where(AuditEvent.subject_id == fire.id, col(AuditEvent.action) == "approve")
    ).all()
    assert len(decisions) == 1
    assert _task(session, "hotel_trade").status == "pending"  # released by the fire inspection's result


def test_another_departments_task_is_refused(db_client: TestClient, session: Session, fire_key: str) -> None:
    hotel = _task(session, "hotel_trade")
    response = _decide(db_client, fire_key, hotel, "approve")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "forbidden"


def test_a_refusal_without_reasons_or_basis_is_a_422_naming_both(db_client: TestClient, session: Session, fire_key: str) -> None:
    fire = _task(session, "fire_check")
    response = _decide(db_client, fire_key, fire, "reject")
    assert response.status_code == 422
    assert {e["where"] for e in response.json()["errors"]} == {"reasons", "legal_basis"}
    assert _task(session, "fire_check").status == "pending"


def test_a_stale_version_and_a_second_decision_are_409s(db_client: TestClient, session: Session, fire_key: str) -> None:
    fire = _task(session, "fire_check")
    assert _decide(db_client, fire_key, fire, "approve").status_code == 200
    stale = _decide(db_client, fire_key, fire, "approve")
    assert (stale.status_code, stale.json()["errors"][0]["code"]) == (409, "version_conflict")
    fresh = _task(session, "fire_check").version
    again = _decide(db_client, fire_key, fire, "reject", version=fresh, reasons=["x"], legal_basis=["y"])
    assert (again.status_code, again.json()["errors"][0]["message"]) == (409, "审批事项当前为“准予许可”，不能不予许可")


def test_users_key_is_only_for_department_systems(db_url: str, session: Session) -> None:
    session.add(User(email="clerk@example.com", password_hash="x", role=Role.clerk))
    session.commit()
    result = runner.invoke(cli, ["users", "key", "clerk@example.com", "--database-url", db_url])
    assert result.exit_code == 2
    assert "只有部门系统对接账户" in result.output


def test_granting_a_permit_before_its_joint_visit_passed_is_a_409_naming_it(
    db_url: str,
    db_client: TestClient,
    session: Session,
    staff: Staff,
    make_draft: Callable[..., Draft],
    submit_draft: Callable[..., Submitted],
) -> None:
    application = submit_draft(make_draft(staff.applicant, ON_SITE), uploads=on_site_uploads(), signed=[]).application
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=date(2026, 12, 7))
    food = _task(session, "food_business")

    market = _key_for(db_url, session, "market")
    early = _decide(db_client, market, food, "approve")
    assert early.status_code == 409, early.text
    assert early.json()["errors"] == [
        {
            "code": "inspection_not_passed",
            "message": "该许可事项须经现场核查：联合踏勘尚未安排，核查合格后方可准予许可",
            "where": "decision",
            "subject": "food_business",
        }
    ]
    assert _task(session, "food_business").status == "pending"

    # the task list says so before a grant is tried; a permit decided on its papers is held by nothing
    listed = db_client.get("/api/v1/tasks", headers={"X-API-Key": market}).json()["tasks"]
    assert [(t["permit"], t["held"]) for t in listed] == [("food_business", early.json()["errors"][0]["message"])]
    fire = db_client.get("/api/v1/tasks", headers={"X-API-Key": _key_for(db_url, session, "fire")}).json()["tasks"]
    assert [(t["permit"], t["held"]) for t in fire] == [("fire_check", None)]


def test_a_department_system_extends_a_time_limit_once_and_a_retry_extends_nothing_more(
    db_url: str, db_client: TestClient, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application = make_submitted()
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version)  # today: the API's day
    fire, key = _task(session, "fire_check"), _key_for(db_url, session, "fire")
    url, due = f"/api/v1/tasks/{fire.id}/extension", fire.due_on
    sent = {"version": fire.version, "reason": "需征求规划部门意见", "approved_by": "王局长"}

    unsaid = db_client.post(url, json=sent | {"reason": "  "}, headers={"X-API-Key": key})
    assert (unsaid.status_code, unsaid.json()["errors"][0]["where"]) == (422, "reason")
    headers = {"X-API-Key": key, "Idempotency-Key": "fire-extension-1"}
    first = db_client.post(url, json=sent, headers=headers)
    assert first.status_code == 200, first.text
    assert (first.json()["extended_days"], first.json()["due_on"]) == (10, add_working_days(due, 10).isoformat())
    again = db_client.post(url, json=sent, headers=headers)
    assert again.json() == first.json()
    twice = db_client.post(url, json=sent | {"version": first.json()["version"]}, headers={"X-API-Key": key})
    assert (twice.status_code, twice.json()["errors"][0]["code"]) == (409, "already_extended")
    extensions = session.exec(select(AuditEvent).where(AuditEvent.subject_id == fire.id, AuditEvent.action == "extend")).all()
    assert len(extensions) == 1


def test_a_department_system_stops_the_clock_for_a_procedure_and_starts_it_again_each_once(
    db_url: str, db_client: TestClient, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application = make_submitted()
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version)  # today: the API's day
    fire, key = _task(session, "fire_check"), _key_for(db_url, session, "fire")
    url, due = f"/api/v1/tasks/{fire.id}/clock", fire.due_on
    sent = {"version": fire.version, "kind": "testing", "days": 5, "note": "委托检测机构检测"}

    wrong = db_client.post(f"{url}/stop", json=sent | {"kind": "lunch", "days": 0}, headers={"X-API-Key": key})
    assert wrong.status_code == 422
    assert {e["where"] for e in wrong.json()["errors"]} == {"kind", "days"}
    headers = {"X-API-Key": key, "Idempotency-Key": "fire-testing-1"}
    stopped = db_client.post(f"{url}/stop", json=sent, headers=headers)
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["standing"] == "paused"
    assert stopped.json()["not_counted"] == {
        "kind": "testing",
        "days": 5,
        "note": "委托检测机构检测",
        "since": str(fire.clock_started_on),
    }
    assert db_client.post(f"{url}/stop", json=sent, headers=headers).json() == stopped.json()  # a retry stops nothing more
    version = stopped.json()["version"]
    deciding = _decide(db_client, key, _task(session, "fire_check"), "reject", reasons=["不符合"], legal_basis=["消防法"])
    assert (deciding.status_code, deciding.json()["errors"][0]["code"]) == (409, "procedure_under_way")

    resumed = db_client.post(f"{url}/resume", json={"version": version}, headers={"X-API-Key": key, "Idempotency-Key": "r-1"})
    assert resumed.status_code == 200, resumed.text
    assert (resumed.json()["not_counted"], resumed.json()["due_on"]) == (None, due.isoformat())  # the same day: none taken
    again = db_client.post(f"{url}/resume", json={"version": resumed.json()["version"]}, headers={"X-API-Key": key})
    assert (again.status_code, again.json()["errors"][0]["code"]) == (409, "not_stopped")
    steps = session.exec(
        select(AuditEvent.action).where(AuditEvent.subject_id == fire.id, col(AuditEvent.action).like("%_clock"))
    )
    assert sorted(steps) == ["resume_clock", "stop_clock"]


def test_the_api_names_the_procedures_the_rule_packs_do() -> None:
    assert set(get_args(Procedure)) == {p.value for p in Pause} == set(PAUSES)
