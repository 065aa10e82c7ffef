"""The pages of the certificate's life: the holder applies from 凭证办理, the window re-issues a change, a department
ends its own permit from 已发许可 — each refusal a page naming the field, nothing written."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.app import create_app
from service.certs import holdings
from service.certs.lifecycle import current
from service.certs.models import Certificate, LifecycleRequest
from service.models import User
from service.security import hash_password
from service.workflow.models import Application
from service.workflow.window import accept
from tests.service.certs.certcase import MONDAY, PDF, Staff, decide_each
from tests.service.svcutil import CSRF_INPUT, make_settings

PASSWORD = "correct-horse-9"


@pytest.fixture
def client(db_url: str, keys_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(db_url, keys_dir=keys_dir))) as c:
        yield c


def _as(client: TestClient, session: Session, user: User) -> str:
    """Sign ``user`` in on ``client``; the session's CSRF token."""
    user.password_hash = hash_password(PASSWORD)
    session.add(user)
    session.commit()
    client.cookies.clear()
    token = CSRF_INPUT.search(client.get("/sign-in").text)
    assert token
    form = {"csrf_token": token.group(1), "login": user.email, "password": PASSWORD, "next": ""}
    assert client.post("/sign-in", data=form, follow_redirects=False).status_code == 303
    found = CSRF_INPUT.search(client.get("/account/password").text)
    assert found
    return found.group(1)


def _error_beside(html: str, field_id: str) -> str:
    found = re.search(rf'<p id="{re.escape(field_id)}-error" class="error-message">.*?</span>(.*?)</p>', html, re.S)
    assert found, f"no error beside {field_id}"
    return found.group(1).strip()


def test_the_holder_applies_for_a_change_from_the_certificate_and_the_window_reissues_it(
    client: TestClient, session: Session, staff: Staff, issued: Certificate
) -> None:
    csrf = _as(client, session, staff.applicant)
    services = client.get(f"/certificates/{issued.id}/services")
    assert services.status_code == 200
    for kind in ("change", "extension", "suspension", "cancellation"):
        assert f"/certificates/{issued.id}/apply/{kind}" in services.text
    form = client.get(f"/certificates/{issued.id}/apply/change")
    assert 'value="东城示例旅店有限公司"' in form.text  # filled from the certificate
    # the registered address was never given: the change asks for it and lets it stay empty
    assert "原申请未填写，可不填" in form.text.split('id="form_values-registered_address-hint"')[1][:40]
    assert "政府部门已掌握，无需提交" in form.text  # the business licence is exempt; the floor plan is asked
    url = f"/certificates/{issued.id}/apply/change"
    same = client.post(url, data={"csrf_token": csrf, "field.applicant_name": "东城示例旅店有限公司"})
    assert same.status_code == 400
    assert "证面内容没有变化" in same.text
    assert _error_beside(same.text, "materials-floor_plan") == "请上传“经营场所平面布局图”"
    assert session.exec(select(LifecycleRequest)).all() == []
    files = {"material.floor_plan": ("平面图.pdf", PDF, "application/pdf")}
    done = client.post(
        url, data={"csrf_token": csrf, "field.applicant_name": "东城新名称有限公司"}, files=files, follow_redirects=False
    )
    assert done.status_code == 303
    application = session.get(Application, uuid.UUID(done.headers["location"].rsplit("/", 1)[1]))
    assert application is not None
    assert "凭证办理" in client.get(done.headers["location"]).text

    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    decide_each(session, staff, application, ("food_business", "fire_check", "hotel_trade"))
    csrf = _as(client, session, staff.clerk)
    desk = client.get(f"/window/applications/{application.id}")
    assert ">变更<" in desk.text
    assert "换发新版凭证" in desk.text
    reissued = client.post(f"/window/applications/{application.id}/reissue", data={"csrf_token": csrf}, follow_redirects=False)
    assert reissued.status_code == 303
    newest = current(session, issued.application_id)
    assert newest is not None
    assert (newest.version, reissued.headers["location"]) == (2, f"/certificates/{newest.id}/services")
    page = client.get(f"/certificates/{issued.id}/services")
    assert "本版凭证已换发" in page.text
    assert "/apply/" not in page.text  # nobody applies from a superseded version
    again = client.post(f"/window/applications/{application.id}/reissue", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 409


def _adding_tobacco(
    client: TestClient,
    session: Session,
    staff: Staff,
    issued: Certificate,
    details: dict[str, str],
    decided: tuple[str, ...],
    refuse: tuple[str, ...],
    plan: bool = False,
) -> Application:
    """A change with ``details`` adding the tobacco permit, applied for on the holder's page (with the floor plan a face
    change asks if ``plan``), accepted, ``decided`` decided and those in ``refuse`` refused."""
    csrf = _as(client, session, staff.applicant)
    files = {"material.floor_plan": ("平面图.pdf", PDF, "application/pdf")} if plan else None
    data = {"csrf_token": csrf, **details, "add": "tobacco"}
    done = client.post(f"/certificates/{issued.id}/apply/change", data=data, files=files, follow_redirects=False)
    assert done.status_code == 303, done.text
    application = session.get(Application, uuid.UUID(done.headers["location"].rsplit("/", 1)[1]))
    assert application is not None
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    decide_each(session, staff, application, decided, refuse=refuse)
    return application


def test_the_window_shows_a_change_that_added_only_a_refused_permit_as_ended_with_no_reissue(
    client: TestClient, session: Session, staff: Staff, issued: Certificate
) -> None:
    same = {"field.applicant_name": "东城示例旅店有限公司", "field.uscc": "91110101MA01ABCD06"}
    application = _adding_tobacco(client, session, staff, issued, same, ("tobacco",), refuse=("tobacco",))
    _as(client, session, staff.clerk)
    desk = client.get(f"/window/applications/{application.id}").text
    assert "本次变更已办结，凭证不换发" in desk
    assert 'id="issue"' not in desk
    english = client.get(f"/window/applications/{application.id}?lang=en").text
    assert "the change is concluded and the certificate is not re-issued" in english


def test_the_window_reissues_a_granted_permit_of_a_change_whose_new_name_was_refused_and_says_why_the_name_stays(
    client: TestClient, session: Session, staff: Staff, issued: Certificate
) -> None:
    renamed = {"field.applicant_name": "东城新名称有限公司", "field.uscc": "91110101MA01ABCD06"}
    held = ("food_business", "fire_check", "hotel_trade", "tobacco")
    application = _adding_tobacco(client, session, staff, issued, renamed, held, refuse=("fire_check",), plan=True)
    csrf = _as(client, session, staff.clerk)
    desk = client.get(f"/window/applications/{application.id}").text
    assert "新版凭证沿用原登记信息" in desk
    english = client.get(f"/window/applications/{application.id}?lang=en").text
    assert "keeps the details as they were" in english
    renewed = client.post(f"/window/applications/{application.id}/reissue", data={"csrf_token": csrf}, follow_redirects=False)
    assert renewed.status_code == 303, renewed.text
    newest = current(session, issued.application_id)
    assert newest is not None
    assert (newest.version, newest.face["holder"]) == (2, "东城示例旅店有限公司")
    assert [p["permit"] for p in newest.face["permits"]][-1] == "tobacco"


def test_the_window_shows_a_change_whose_new_name_and_added_permit_were_both_refused_as_not_reissued(
    client: TestClient, session: Session, staff: Staff, issued: Certificate
) -> None:
    renamed = {"field.applicant_name": "东城新名称有限公司", "field.uscc": "91110101MA01ABCD06"}
    held = ("food_business", "fire_check", "hotel_trade", "tobacco")
    application = _adding_tobacco(client, session, staff, issued, renamed, held, refuse=("fire_check", "tobacco"), plan=True)
    csrf = _as(client, session, staff.clerk)
    desk = client.get(f"/window/applications/{application.id}").text
    assert "有部门未准予变更，凭证不换发" in desk
    assert 'id="issue"' not in desk
    refused = client.post(f"/window/applications/{application.id}/reissue", data={"csrf_token": csrf}, follow_redirects=False)
    assert refused.status_code == 422
    assert "有部门未准予变更，凭证不换发" in refused.text
    newest = current(session, issued.application_id)
    assert newest is not None
    assert (newest.version, newest.face["holder"]) == (1, "东城示例旅店有限公司")


def test_a_suspension_period_too_long_is_shown_beside_its_field_and_english_is_offered(
    client: TestClient, session: Session, staff: Staff, issued: Certificate
) -> None:
    csrf = _as(client, session, staff.applicant)
    start = MONDAY.replace(year=MONDAY.year + 1)
    data = {"csrf_token": csrf, "suspend_from": start.isoformat(), "suspend_to": start.replace(year=start.year + 4).isoformat()}
    refused = client.post(f"/certificates/{issued.id}/apply/suspension", data=data)
    assert refused.status_code == 400
    assert "最长不得超过三年" in _error_beside(refused.text, "suspend_to")
    english = client.get(f"/certificates/{issued.id}/services?lang=en")
    assert "Apply for extension" in english.text
    assert "Certificate services" in english.text
    assert client.get(f"/certificates/{issued.id}/apply/renaming").status_code == 404


def test_nobody_else_opens_the_holders_pages(client: TestClient, session: Session, staff: Staff, issued: Certificate) -> None:
    csrf = _as(client, session, staff.other_applicant)
    assert client.get(f"/certificates/{issued.id}/services").status_code == 404
    assert client.get(f"/certificates/{issued.id}/apply/change").status_code == 404
    posted = client.post(f"/certificates/{issued.id}/apply/cancellation", data={"csrf_token": csrf})
    assert posted.status_code == 404
    assert client.get("/review/permits").status_code == 403
    assert session.exec(select(LifecycleRequest)).all() == []


def test_a_department_revokes_its_own_permit_from_its_desk_and_the_certificate_is_void(
    client: TestClient, session: Session, staff: Staff, issued: Certificate
) -> None:
    url = f"/review/permits/{issued.application_id}/hotel_trade/end"
    csrf = _as(client, session, staff.fire)
    assert client.post(url, data={"csrf_token": csrf, "how": "revoke", "reason": "x"}).status_code == 403
    csrf = _as(client, session, staff.police)
    desk = client.get("/review/permits")
    assert issued.number in desk.text
    assert issued.number not in client.get("/review/permits?q=别家公司").text
    too_long = client.get("/review/permits", params={"q": "药" * 101})
    assert too_long.status_code == 400
    assert "搜索内容不能超过 100 个字" in too_long.text
    assert client.post(url, data={"csrf_token": csrf, "how": "revoke", "reason": ""}).status_code == 422
    done = client.post(url, data={"csrf_token": csrf, "how": "revoke", "reason": "违法经营，依法吊销"}, follow_redirects=False)
    assert done.status_code == 303
    assert "已吊销" in client.get("/review/permits").text
    session.refresh(issued)
    assert issued.recovered_at is not None
    shown = holdings.live(session, issued.application_id, MONDAY).status(issued, issued, MONDAY)
    assert (shown.label, shown.void_because) == ("作废", ["hotel_trade"])


def test_the_change_form_lists_what_an_added_permit_asks_and_refuses_taking_every_permit_off_beside_the_field(
    client: TestClient, session: Session, staff: Staff, issued: Certificate
) -> None:
    csrf = _as(client, session, staff.applicant)
    url = f"/certificates/{issued.id}/apply/change"
    plain = client.get(url)
    assert "烟草专卖零售许可" in plain.text  # left out of the case: offered, with why it was not needed then
    assert "是否销售卷烟" in plain.text
    assert 'id="form_values-uscc"' not in plain.text
    adding = client.get(f"{url}?add=tobacco&add=nonsense")
    assert 'id="form_values-uscc"' in adding.text  # the tobacco permit's own field, composed from the pack
    assert '<input type="hidden" name="add" value="tobacco">' in adding.text
    assert 'value="nonsense"' not in adding.text
    every = ["food_business", "fire_check", "hotel_trade"]
    refused = client.post(url, data={"csrf_token": csrf, "field.applicant_name": "东城示例旅店有限公司", "remove": every})
    assert refused.status_code == 400
    assert "不能减少全部许可事项" in refused.text
    assert session.exec(select(LifecycleRequest)).all() == []
    services = client.get(f"/certificates/{issued.id}/services")
    assert "/apply/resumption" not in services.text  # nothing is 歇业: no 复业 to apply for


def test_a_certificate_left_unissued_past_ten_working_days_is_flagged_for_the_window_and_the_supervisor(
    client: TestClient, session: Session, staff: Staff, decide_all: Callable[..., Application]
) -> None:
    on_time, late = decide_all(), decide_all()
    late.decided_at = datetime(2026, 11, 2, 4, tzinfo=UTC)  # a Monday, noon in Beijing: due by 2026-11-16
    session.add(late)
    session.commit()

    _as(client, session, staff.clerk)
    window = client.get("/window").text
    assert re.search(rf'id="issue-by-{late.id}"><span class="nowrap">2026-11-16</span> <span class="tag tag--overdue">', window)
    assert re.search(rf'id="issue-by-{on_time.id}"><span class="nowrap">[0-9-]+</span> <span class="tag tag--on_time">', window)
    _as(client, session, staff.supervisor)
    watched = re.search(r'id="unissued">.*?</table>', client.get("/supervision").text, re.S)
    assert watched is not None
    assert late.number in watched.group()
    assert on_time.number not in watched.group()
