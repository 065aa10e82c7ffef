"""The demo data: one account per desk, and applications in several states for each desk to show."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from composer.workdays import add_working_days
from service import db, demo
from service.app import create_app
from service.certs.models import Certificate
from service.compose import today
from service.workflow.models import Inspection
from service.workflow.roles import Role
from tests.service.svcutil import demo_settings

DESKS = {
    "demo@example.com": ("/drafts", "DC-"),
    "clerk@example.com": ("/window", "DC-"),
    "fire@example.com": ("/review", "消防安全检查"),
    "police@example.com": ("/review", "等待前置许可结果"),
    "hygiene@example.com": ("/review", "计时暂停"),  # the hygiene permit's testing (Art. 45): its clock stands still
    "inspector@example.com": ("/inspection", "DC-"),
    "police-inspector@example.com": ("/inspection", "DC-"),
    "hygiene-inspector@example.com": ("/inspection", "DC-"),
    "supervisor@example.com": ("/supervision", "北京市公安局东城分局"),
    "admin@example.com": ("/accounts", "inspector@example.com"),
}


def test_every_demo_account_lands_on_a_desk_with_work_to_show(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path)
    first, again = demo.seed(settings), demo.seed(settings)
    assert first.applications == again.applications == len(demo.STAGES)
    engine = db.make_engine(settings.database_url)
    with Session(engine) as session:  # the decided applications' departments approved after their visits passed
        visits = sorted(session.exec(select(Inspection.status)))
        issued = session.exec(select(Certificate)).all()
    engine.dispose()
    assert visits == ["passed", "passed", "scheduled"]
    assert len(issued) == 1

    app = create_app(settings)
    with TestClient(app):
        for login, (desk, shown) in DESKS.items():
            client = TestClient(app)
            page = client.get("/sign-in")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            form = {"csrf_token": token, "login": login, "password": demo.DEMO_PASSWORD, "next": ""}
            landed = client.post("/sign-in", data=form, follow_redirects=True)
            assert landed.url.path == desk, login
            if login == "demo@example.com":
                landed = client.get("/applications")
            assert shown in landed.text, login
            if login == "clerk@example.com":  # the decided application waits for its certificate, ten working days at most
                assert 'id="to-issue"' in landed.text
                issue_by = re.search(
                    r'id="issue-by-[^"]+"><span class="nowrap">([^<]+)</span> <span class="tag[^"]*">([^<]+)<', landed.text
                )
                assert issue_by is not None
                assert (issue_by[1], issue_by[2]) == (add_working_days(today(), 10).isoformat(), "正常")
            if login == "inspector@example.com":  # the visit says where to go and whom to call
                visit = client.get(re.findall(r'href="(/inspection/[0-9a-f-]+)"', landed.text)[0]).text
                assert demo.HOTEL_FORM["premises_address"] in visit
                assert demo.HOTEL_FORM["contact_phone"].replace(" ", "") in visit  # as the form keeps it


def test_the_demo_has_an_account_for_every_role_and_the_department_system_its_key(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path)
    demo.seed(settings)
    assert {role for _, role, *_ in demo.STAFF} | {Role.applicant} == set(Role)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/tasks").status_code == 401
        tasks = client.get("/api/v1/tasks", headers={"X-API-Key": demo.DEMO_INTEGRATOR_KEY})
        assert tasks.status_code == 200, tasks.text
        assert tasks.json()["tasks"], "the fire department's system sees the demo's fire tasks"
