"""Applicant accounts: sign-up, sign-in, sign-out, CSRF on every form post, Chinese first, English on request."""

from __future__ import annotations

import re

import httpx2
import pytest
from fastapi.testclient import TestClient

from service.models import User
from tests.service.svcutil import all_rows, csrf_from, sign_up


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found.group(1).strip()


def _field_value(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, f"no input {name}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else None


def _post_sign_up(client: TestClient, **fields: str) -> httpx2.Response:
    """The sign-up form posted as a browser would, with the CSRF token of the page it was read from."""
    return client.post("/sign-up", data={"csrf_token": csrf_from(client, "/sign-up"), **fields}, follow_redirects=False)


def test_sign_up_with_a_phone_number_makes_the_account_and_stores_an_argon2_hash(db_client: TestClient, db_url: str) -> None:
    response = _post_sign_up(
        db_client, login="138 0013 8000", display_name="王小明", password="correct-horse-9", password_confirm="correct-horse-9"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?signed_up=1&next=/drafts"
    (user,) = all_rows(db_url, User)
    assert user.phone == "13800138000"
    assert user.email is None
    assert user.display_name == "王小明"
    assert user.password_hash.startswith("$argon2id$")
    assert "correct-horse-9" not in user.password_hash
    assert db_client.get("/drafts", follow_redirects=False).status_code == 303  # signing up is not signing in
    page = db_client.get(response.headers["location"])
    assert "该手机号或电子邮箱的账户已可使用" in page.text
    sign_in = {"csrf_token": csrf_from(db_client), "login": "13800138000", "password": "correct-horse-9", "next": "/drafts"}
    assert db_client.post("/sign-in", data=sign_in, follow_redirects=False).headers["location"] == "/drafts"
    assert "我的草稿" in db_client.get("/drafts").text


def test_sign_up_with_an_email_keeps_it_lower_case(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "Wang.XiaoMing@Example.COM")
    assert [u.email for u in all_rows(db_url, User)] == ["wang.xiaoming@example.com"]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"login": "", "password": "correct-horse-9", "password_confirm": "correct-horse-9"}, "login", "请输入手机号或电子邮箱"),
        (
            {"login": "12345", "password": "correct-horse-9", "password_confirm": "correct-horse-9"},
            "login",
            "请输入 11 位手机号（以 1 开头）或电子邮箱",
        ),
        (
            {"login": "someone@", "password": "correct-horse-9", "password_confirm": "correct-horse-9"},
            "login",
            "请输入有效的电子邮箱，例如 name@example.com",
        ),
        ({"login": "13900139000", "password": "", "password_confirm": ""}, "password", "请输入密码"),
        ({"login": "13900139000", "password": "short", "password_confirm": "short"}, "password", "密码至少 8 个字符"),
        (
            {"login": "13900139000", "password": "correct-horse-9", "password_confirm": "correct-horse-8"},
            "password_confirm",
            "两次输入的密码不一致",
        ),
    ],
)
def test_sign_up_errors_are_summarised_and_nothing_is_written(
    db_client: TestClient, db_url: str, form: dict[str, str], field: str, message: str
) -> None:
    response = _post_sign_up(db_client, **form)
    assert response.status_code == 400
    html = response.text
    assert _title(html).startswith("错误：")
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    assert f'<a href="#{field}">{message}</a>' in summary.group(0)
    assert html.index("error-summary") < html.index("<form")
    assert f'id="{field}-error"' in html
    assert all_rows(db_url, User) == []


def test_sign_up_keeps_what_was_typed_but_never_the_password(db_client: TestClient) -> None:
    response = _post_sign_up(
        db_client, login="13900139000", display_name="李四", password="correct-horse-9", password_confirm="nope-nope-nope"
    )
    assert response.status_code == 400
    assert _field_value(response.text, "login") == "13900139000"
    assert _field_value(response.text, "display_name") == "李四"
    assert _field_value(response.text, "password") is None
    assert "correct-horse-9" not in response.text


@pytest.mark.parametrize("login", ["13900139000", "someone@example.com"])
def test_signing_up_again_answers_as_a_first_sign_up_and_changes_nothing(db_client: TestClient, db_url: str, login: str) -> None:
    """Without a mail relay and for mobile numbers alike: the answer does not say whether the login was free."""
    first = TestClient(db_client.app)
    answers = []
    for client, password in ((first, "correct-horse-9"), (TestClient(db_client.app), "another-pass-1")):
        response = _post_sign_up(client, login=login, password=password, password_confirm=password)
        page = client.get(response.headers["location"])
        answers.append((response.status_code, response.headers["location"], re.sub(r'value="[^"]{20,}"', "", page.text)))
    assert answers[0] == answers[1]
    assert "已注册" not in answers[1][2]
    (user,) = all_rows(db_url, User)
    assert (
        first.post(
            "/sign-in",
            data={"csrf_token": csrf_from(first), "login": login, "password": "another-pass-1"},
            follow_redirects=False,
        ).status_code
        == 400
    )  # the second sign-up did not take the account over
    assert all_rows(db_url, User)[0].password_hash == user.password_hash


def test_sign_in_with_the_right_password_goes_to_next(db_client: TestClient) -> None:
    sign_up(db_client, "someone@example.com")
    fresh = TestClient(db_client.app)
    token = csrf_from(fresh, "/sign-in?next=/drafts")
    response = fresh.post(
        "/sign-in",
        data={"csrf_token": token, "login": "SOMEONE@example.com", "password": "correct-horse-9", "next": "/drafts"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/drafts"
    assert fresh.get("/drafts").status_code == 200


def test_sign_in_with_a_wrong_password_says_so_and_keeps_the_login(db_client: TestClient) -> None:
    sign_up(db_client, "someone@example.com")
    fresh = TestClient(db_client.app)
    token = csrf_from(fresh)
    response = fresh.post("/sign-in", data={"csrf_token": token, "login": "someone@example.com", "password": "wrong-password"})
    assert response.status_code == 400
    assert "手机号、电子邮箱或密码不正确" in response.text
    assert _field_value(response.text, "login") == "someone@example.com"
    assert fresh.get("/drafts", follow_redirects=False).status_code == 303


def test_sign_in_for_an_unknown_account_says_the_same(db_client: TestClient) -> None:
    token = csrf_from(db_client)
    response = db_client.post("/sign-in", data={"csrf_token": token, "login": "nobody@example.com", "password": "whatever-123"})
    assert response.status_code == 400
    assert "手机号、电子邮箱或密码不正确" in response.text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(db_client: TestClient, target: str) -> None:
    sign_up(db_client, "someone@example.com")
    fresh = TestClient(db_client.app)
    token = csrf_from(fresh)
    response = fresh.post(
        "/sign-in",
        data={"csrf_token": token, "login": "someone@example.com", "password": "correct-horse-9", "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/drafts"


def test_signing_in_starts_a_new_csrf_token(db_client: TestClient) -> None:
    sign_up(db_client, "someone@example.com")
    fresh = TestClient(db_client.app)
    before = csrf_from(fresh)
    fresh.post("/sign-in", data={"csrf_token": before, "login": "someone@example.com", "password": "correct-horse-9"})
    assert csrf_from(fresh, "/drafts") != before


def test_sign_out_ends_the_session(db_client: TestClient) -> None:
    sign_up(db_client, "someone@example.com")
    token = csrf_from(db_client, "/drafts")
    response = db_client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert db_client.get("/drafts", follow_redirects=False).headers["location"] == "/sign-in?next=/drafts"


# --- CSRF: a post without the session's token is refused, and nothing is written ---------------


@pytest.mark.parametrize("token", [None, "", "forged-token-forged-token-forged-token-00"])
def test_sign_up_without_the_right_csrf_token_is_403_and_writes_nothing(
    db_client: TestClient, db_url: str, token: str | None
) -> None:
    csrf_from(db_client, "/sign-up")  # the session has a token; the post does not carry it
    data = {"login": "13900139000", "password": "correct-horse-9", "password_confirm": "correct-horse-9"}
    if token is not None:
        data["csrf_token"] = token
    response = db_client.post("/sign-up", data=data)
    assert response.status_code == 403
    assert "表单已失效" in response.text
    assert all_rows(db_url, User) == []


def test_a_token_from_another_session_is_refused(db_client: TestClient, db_url: str) -> None:
    attacker = TestClient(db_client.app)
    stolen = csrf_from(attacker, "/sign-up")
    csrf_from(db_client, "/sign-up")
    response = db_client.post(
        "/sign-up",
        data={"csrf_token": stolen, "login": "13900139000", "password": "correct-horse-9", "password_confirm": "correct-horse-9"},
    )
    assert response.status_code == 403
    assert all_rows(db_url, User) == []


def test_a_post_with_no_session_at_all_is_refused(db_client: TestClient) -> None:
    response = db_client.post("/sign-in", data={"csrf_token": "x" * 43, "login": "a@b.cn", "password": "whatever-1"})
    assert response.status_code == 403


def test_sign_out_without_csrf_keeps_the_session(db_client: TestClient) -> None:
    sign_up(db_client, "someone@example.com")
    response = db_client.post("/sign-out", data={})
    assert response.status_code == 403
    assert db_client.get("/drafts", follow_redirects=False).status_code == 200


def test_csrf_token_is_also_accepted_as_a_header(db_client: TestClient) -> None:
    sign_up(db_client, "someone@example.com")
    token = csrf_from(db_client, "/drafts")
    response = db_client.post("/sign-out", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303


# --- language and page basics ------------------------------------------------------------------


def test_pages_are_chinese_by_default(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert '<html lang="zh-CN">' in page.text
    assert _title(page.text) == "登录 - 一业一证"
    assert 'href="/sign-in?lang=en"' in page.text


def test_lang_en_switches_and_is_remembered(client: TestClient) -> None:
    page = client.get("/sign-up", params={"lang": "en"})
    assert '<html lang="en">' in page.text
    assert _title(page.text) == "Create an account - One industry, one license"
    assert client.cookies.get("yiye_lang") == "en"
    again = client.get("/sign-in")
    assert _title(again.text) == "Sign in - One industry, one license"
    back = client.get("/sign-in", params={"lang": "zh"})
    assert _title(back.text) == "登录 - 一业一证"


def test_english_error_summary(db_client: TestClient) -> None:
    token = csrf_from(db_client, "/sign-up?lang=en")
    response = db_client.post("/sign-up", data={"csrf_token": token, "login": "", "password": ""})
    assert response.status_code == 400
    assert _title(response.text).startswith("Error: ")
    assert "There is a problem" in response.text
    assert "Enter a mobile number or an email address" in response.text


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client: TestClient) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="zh-CN">' in page.text


def test_forms_work_without_javascript_and_validate_on_the_server(client: TestClient) -> None:
    page = client.get("/sign-up").text
    assert "<script" not in page
    assert "novalidate" in page
    assert " required" not in page
    for field in ("login", "display_name", "password", "password_confirm"):
        assert f'<label class="label" for="{field}">' in page


def test_unknown_page_is_a_404_page_in_chinese(client: TestClient) -> None:
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_home_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "开一家店，需要办哪些许可？" in response.text


def test_pages_cannot_be_framed_or_cached(client: TestClient) -> None:
    headers = client.get("/sign-in").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]  # no inline style or script but ours, by hash
    assert "style-src 'self';" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
