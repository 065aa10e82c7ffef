"""The administrator's desk as pages, on both databases: a role given through the form, a refusal shown beside its
field with nothing written, the same form sent twice changing the account once, and the pages in English."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.models import User
from service.workflow import audit
from service.workflow.roles import Role
from tests.service.window.deskutil import Account, People, field, sign_in

Browsers = Callable[[Account], TestClient]


def _form(client: TestClient, account: Account) -> dict[str, str]:
    """The hidden fields of the account page's form: the CSRF token, its Idempotency-Key and what it shows."""
    page = client.get(f"/accounts/{account.user.id}")
    assert page.status_code == 200, page.text
    return {name: field(page.text, name) for name in ("csrf_token", "idempotency_key", "shown_role", "shown_department")}


def _as_stored(session: Session, account: Account) -> User:
    """The account as the database holds it now."""
    stored = session.get(User, account.user.id)
    assert stored is not None
    session.refresh(stored)
    return stored


def test_a_role_given_on_the_page_holds_and_the_same_form_twice_changes_it_once(
    session: Session, people: People, browser_of: Browsers
) -> None:
    admin = browser_of(people.admin)
    newcomer = people.other_applicant
    form = _form(admin, newcomer) | {"role": "inspector", "department": "fire"}
    for _ in range(2):
        sent = admin.post(f"/accounts/{newcomer.user.id}", data=form, follow_redirects=False)
        assert (sent.status_code, sent.headers["location"]) == (303, "/accounts")
    account = _as_stored(session, newcomer)
    assert (account.role, account.department) == (Role.inspector, "fire")
    assert [e.action for e in audit.history(session, account.id)] == ["assign_role"]
    assert "inspector" in admin.get("/accounts").text
    history = admin.get(f"/accounts/{newcomer.user.id}").text
    found = re.search(r'<table class="table" id="history">(.*?)</table>', history, re.S)
    assert found
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", found.group(1), re.S)]
    assert cells[1:] == ["修改角色", people.admin.login, "申请人 → 踏勘核查人员（区消防救援支队）"]


def test_a_refused_role_is_shown_beside_its_field_and_nothing_is_written(
    session: Session, people: People, browser_of: Browsers
) -> None:
    admin, newcomer = browser_of(people.admin), people.other_applicant
    refused = admin.post(f"/accounts/{newcomer.user.id}", data=_form(admin, newcomer) | {"role": "reviewer", "department": ""})
    assert refused.status_code == 400
    assert re.search(r'id="department-error"[^>]*>.*部门审批人员须指定所属部门', refused.text, re.S)
    account = _as_stored(session, newcomer)
    assert account.role == Role.applicant
    assert audit.history(session, account.id) == []


def test_only_the_administrator_opens_or_posts_to_the_desk(people: People, browser_of: Browsers) -> None:
    clerk, admin = browser_of(people.clerk), browser_of(people.admin)
    form = _form(admin, people.clerk) | {"role": "admin", "department": ""}
    assert clerk.get("/accounts").status_code == 403
    assert clerk.post(f"/accounts/{people.clerk.user.id}", data=form | {"csrf_token": ""}).status_code in (400, 403)
    token = field(clerk.get("/window").text, "csrf_token")
    assert clerk.post(f"/accounts/{people.clerk.user.id}", data=form | {"csrf_token": token}).status_code == 403
    assert admin.get("/accounts/00000000-0000-0000-0000-000000000000").status_code == 404


def test_the_desk_in_english_says_nothing_in_chinese_but_what_people_and_the_pack_named(
    people: People, browser_of: Browsers
) -> None:
    admin = browser_of(people.admin)
    assert admin.get("/?lang=en").status_code == 200
    moved = _form(admin, people.market) | {"role": "inspector", "department": "fire"}
    given = admin.post(f"/accounts/{people.market.user.id}", data=moved)
    assert given.status_code == 200  # followed back to the desk
    listing = admin.get(f"/accounts?q={people.applicant.login}")
    page = admin.get(f"/accounts/{people.market.user.id}")  # with its history: a role changed
    for shown in (listing, page):
        assert shown.status_code == 200
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", shown.text, flags=re.S))
        assert set(re.findall(r"[\u4e00-\u9fff]+", text)) <= {"中文"}, shown.url  # the link back to Chinese
    market, fire = "District Administration for Market Regulation", "District Fire and Rescue Detachment"
    assert f"Department reviewer ({market}) → Inspector ({fire})" in page.text
    assert "District Administration for Market Regulation" in page.text
    form = _form(admin, people.other_applicant) | {"role": "reviewer", "department": ""}
    refused = admin.post(f"/accounts/{people.other_applicant.user.id}", data=form)
    assert refused.status_code == 400
    assert "This role needs a department" in refused.text


def test_a_disabled_account_is_signed_out_at_once_and_told_why_at_sign_in(
    session: Session, people: People, browser_of: Browsers
) -> None:
    admin, reviewer = browser_of(people.admin), browser_of(people.fire)
    assert reviewer.get("/review").status_code == 200
    page = admin.get(f"/accounts/{people.fire.user.id}")
    form = {"csrf_token": field(page.text, "csrf_token")}
    disabled = admin.post(f"/accounts/{people.fire.user.id}/disable", data=form, follow_redirects=False)
    assert (disabled.status_code, disabled.headers["location"]) == (303, f"/accounts/{people.fire.user.id}")
    assert "已停用（" in admin.get(f"/accounts/{people.fire.user.id}").text

    assert reviewer.get("/review", follow_redirects=False).status_code == 303  # to sign in: the session has ended
    refused = sign_in(TestClient(reviewer.app), people.fire.login)
    assert refused.status_code == 400
    assert "该账户已停用，如有疑问请联系系统管理员" in refused.text

    admin.post(f"/accounts/{people.fire.user.id}/enable", data=form)
    assert sign_in(TestClient(reviewer.app), people.fire.login).status_code == 303
    assert [e.action for e in audit.history(session, people.fire.user.id)] == ["disable_account", "enable_account"]
