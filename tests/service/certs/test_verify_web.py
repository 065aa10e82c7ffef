"""The public verify page and its JSON twin: genuine, live, superseded, and every kind of bad token; the PDF's QR followed."""

from __future__ import annotations

import base64
import io
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlmodel import Session, select

from certificates.tokens import TOKEN_CHARS, KeyRing
from composer import Composer
from service.app import create_app
from service.certs import documents, holdings
from service.certs.keys import signing_ring
from service.certs.lifecycle import issue
from service.certs.models import Certificate
from service.certs.pages import _verify_page, public_context
from service.certs.verify import NotLicensedOut, VerifyOut
from service.i18n import Lang
from service.models import User, WebSession
from service.pages.templating import templates
from service.workflow.models import Application
from service.workflow.review import record_verification
from service.workflow.roles import Role
from tests.fixtures.qrscan import scan_pdf
from tests.service.certs.certcase import MONDAY, Staff, task
from tests.service.svcutil import FIXTURE_PACKS, csrf_from, make_settings, own_styles_only, policy, serving, sign_up

API_KEY = "other-district-key-0123456789"
BEIJING = ZoneInfo("Asia/Shanghai")
PRIVATE = {"legal_rep_id_number": "110101199003071234", "contact_phone": "13800138000"}


@pytest.fixture
def client(db_url: str, keys_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(db_url, keys_dir=keys_dir, api_keys=[API_KEY], public_url="https://yiye.example.gov.cn")
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def issued(
    session: Session, keys_dir: Path, decide_all: Callable[..., Application], issue_for: Callable[..., Certificate]
) -> tuple[Application, Certificate, str]:
    application = decide_all()
    values = {"legal_rep_name": "王芳", "premises_address": "北京市东城区示例胡同 8 号", **PRIVATE}
    certificate = issue_for(application, form_values=values)
    return application, certificate, signing_ring(session, keys_dir).sign(certificate.id, certificate.version)


def _json(client: TestClient, token: str, key: str | None = API_KEY) -> tuple[int, dict[str, Any]]:
    response = client.get(f"/api/v1/certificates/verify/{token}", headers={"X-API-Key": key} if key else {})
    return response.status_code, response.json()


def test_a_genuine_token_shows_the_face_and_live_states_and_nothing_private(
    client: TestClient, issued: tuple[Application, Certificate, str]
) -> None:
    _, certificate, token = issued
    page = client.get(f"/v/{token}")
    assert page.status_code == 200
    for text in ("有效", "东城示例旅店有限公司", "91110101MA01ABCD06", "王芳", "食品经营许可", "区公安分局", certificate.number):
        assert text in page.text
    status, body = _json(client, token)
    assert status == 200
    assert (body["state"], body["authentic"], body["version"]) == ("valid", True, 1)
    assert [p["state_label"] for p in body["permits"]] == ["有效", "有效", "有效"]
    for secret in PRIVATE.values():
        assert secret not in page.text
        assert secret not in str(body)
    assert str(certificate.application_id) not in page.text + str(body)


def test_the_page_says_when_it_checked_in_beijing_time(client: TestClient, issued: tuple[Application, Certificate, str]) -> None:
    _, _, token = issued
    before = datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)
    page = client.get(f"/v/{token}").text
    after = datetime.now(BEIJING).replace(tzinfo=None)
    found = re.search(r"核验时间：(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)（北京时间；", page)
    assert found, page
    assert before <= datetime.fromisoformat(found.group(1)) <= after
    english = client.get(f"/v/{token}", params={"lang": "en"}).text
    assert re.search(r"Checked at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, Beijing time", english)


def test_scans_write_nothing(client: TestClient, session: Session, issued: tuple[Application, Certificate, str]) -> None:
    for token in (issued[2], "x" * TOKEN_CHARS):
        response = client.get(f"/v/{token}")
        assert "set-cookie" not in response.headers
    assert session.exec(select(WebSession)).all() == []


def test_a_revocation_shows_on_the_next_scan_with_no_new_certificate(
    client: TestClient, session: Session, staff: Staff, issued: tuple[Application, Certificate, str]
) -> None:
    application, _, token = issued
    assert "作废" not in client.get(f"/v/{token}").text  # scanned, and so remembered, before
    assert _json(client, token)[1]["state"] == "valid"
    food = task(session, application, "food_business")
    record_verification(session, actor=staff.market, task_id=food.id, passed=False, version=food.version, reason="承诺不实")
    page = client.get(f"/v/{token}")
    assert "作废" in page.text
    assert "已撤销" in page.text
    assert _json(client, token)[1]["void_because"] == ["food_business"]
    assert len(session.exec(select(Certificate)).all()) == 1


def test_a_superseded_version_says_it_was_re_issued_and_shows_nothing_else(
    client: TestClient,
    session: Session,
    staff: Staff,
    composer: Composer,
    keys_dir: Path,
    issued: tuple[Application, Certificate, str],
) -> None:
    application, _, token = issued
    assert "东城示例旅店有限公司" in client.get(f"/v/{token}").text
    assert _json(client, token)[1]["state"] == "valid"
    issue(
        session,
        actor=staff.clerk,
        application_id=application.id,
        composer=composer,
        keys_dir=keys_dir,
        form_values={"premises_address": "北京市东城区新址 1 号"},
        today=MONDAY,
    )
    page = client.get(f"/v/{token}")
    assert page.status_code == 200
    assert "已换发为第 2 版" in page.text
    assert "东城示例旅店有限公司" not in page.text
    assert "新址" not in page.text
    body = _json(client, token)[1]
    assert (body["state"], body["superseded_by_version"], body["holder"], body["permits"]) == ("superseded", 2, None, [])


def _tampered(token: str) -> str:
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    raw[21] ^= 0x03  # version 1 → 2
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


BAD_TOKENS: dict[str, Callable[[str], str]] = {
    "forged by another key": lambda _: KeyRing.of(Ed25519PrivateKey.generate(), []).sign(uuid.uuid4(), 1),
    "tampered version": _tampered,
    "random": lambda _: base64.b32encode(uuid.uuid4().bytes * 6).decode()[:TOKEN_CHARS],
    "very long": lambda token: token * 40,
    "not base32": lambda _: "！" * TOKEN_CHARS,
    "empty-ish": lambda _: "x",
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_a_bad_token_gets_a_calm_unverifiable_page_and_a_structured_error(
    client: TestClient, issued: tuple[Application, Certificate, str], kind: str
) -> None:
    bad = BAD_TOKENS[kind](issued[2])
    page = client.get(f"/v/{bad}")
    assert page.status_code == 400
    assert "无法验证" in page.text
    assert "本区签发的凭证上的二维码" in page.text  # no pack is known: no jurisdiction's name for the certificate
    assert "东城示例旅店有限公司" not in page.text
    status, body = _json(client, bad)
    assert status == 400
    (error,) = body["errors"]
    assert error["code"].startswith(("token_", "certificate_"))
    assert error["where"] == "path.token"


def test_the_json_twin_needs_an_api_key(client: TestClient, issued: tuple[Application, Certificate, str]) -> None:
    assert _json(client, issued[2], key=None)[0] == 401
    assert _json(client, issued[2], key="guessed")[0] == 401


def test_the_verify_page_is_rate_limited_per_client(
    db_url: str, keys_dir: Path, issued: tuple[Application, Certificate, str]
) -> None:
    settings = make_settings(db_url, keys_dir=keys_dir, rate_limit_enabled=True, rate_limit_verify="3/minute")
    with TestClient(create_app(settings)) as c:
        codes = [c.get(f"/v/{issued[2]}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_retired_key_no_longer_verifies(
    client: TestClient, session: Session, keys_dir: Path, issued: tuple[Application, Certificate, str]
) -> None:
    from service.certs import keys

    token = issued[2]
    keys.rotate(session, keys_dir)
    assert client.get(f"/v/{token}").status_code == 200  # the old key still verifies after a rotation
    assert keys.retire(session, issued[1].key_id)
    page = client.get(f"/v/{token}")
    assert (page.status_code, "密钥已停用" in page.text) == (400, True)


def test_the_pdf_qr_scans_back_to_the_verify_page(
    client: TestClient, session: Session, issued: tuple[Application, Certificate, str]
) -> None:
    _, certificate, _ = issued
    sign_up(client, "window-clerk@example.com")
    clerk = session.exec(select(User).where(User.email == "window-clerk@example.com")).one()
    clerk.role = Role.clerk
    session.add(clerk)
    session.commit()
    html = client.get(f"/certificates/{certificate.id}")
    assert html.status_code == 200
    assert "<h1>行业综合许可证</h1>" in html.text  # the fixture pack says nothing of its own: the national words
    assert len(own_styles_only(html)) == 2
    assert policy(html)["style-src"] == own_styles_only(html)  # its own stylesheet, and no other inline one
    pdf = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    (url,) = scan_pdf(pdf.content)
    assert url.startswith("HTTPS://YIYE.EXAMPLE.GOV.CN/V/")
    page = client.get(url.removeprefix("HTTPS://YIYE.EXAMPLE.GOV.CN"))
    assert page.status_code == 200
    assert "东城示例旅店有限公司" in page.text
    assert "有效" in page.text


def test_the_pdf_signature_names_where_the_issuing_bureau_is(
    db_url: str, keys_dir: Path, session: Session, issued: tuple[Application, Certificate, str]
) -> None:
    _, certificate, _ = issued
    elsewhere = make_settings(db_url, keys_dir=keys_dir, issuer_location="上海市浦东新区")
    locations = {}
    for settings in (make_settings(db_url, keys_dir=keys_dir), elsewhere):
        with TestClient(create_app(settings)) as client:
            _signed_in_as(client, session, f"clerk-{settings.issuer_location}@example.com", Role.clerk)
            pdf = client.get(f"/certificates/{certificate.id}/certificate.pdf").content
        (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
        locations[settings.issuer_location] = signature.sig_object["/Location"]
    assert locations == {"北京市东城区": "北京市东城区", "上海市浦东新区": "上海市浦东新区"}


def test_a_worker_prints_a_throwaway_certificate_as_it_starts_so_the_first_applicant_does_not_wait(
    client: TestClient,
) -> None:
    assert documents.warmed(timeout=120)


def test_someone_else_cannot_open_the_certificate(client: TestClient, issued: tuple[Application, Certificate, str]) -> None:
    sign_up(client, "stranger@example.com")
    assert client.get(f"/certificates/{issued[1].id}").status_code == 404
    assert client.get(f"/certificates/{issued[1].id}/certificate.pdf").status_code == 404


def _signed_in_as(client: TestClient, session: Session, login: str, role: Role) -> str:
    """Sign up ``login``, give the account ``role``; the CSRF token of its session."""
    sign_up(client, login)
    user = session.exec(select(User).where(User.email == login)).one()
    user.role = role
    session.add(user)
    session.commit()
    return csrf_from(client, "/account/password")


def test_the_window_issues_from_its_page_once_and_only_the_window(
    client: TestClient, session: Session, decide_all: Callable[..., Application]
) -> None:
    application = decide_all()
    url = f"/applications/{application.id}/certificate"
    csrf = _signed_in_as(client, session, "applicant-page@example.com", Role.applicant)
    refused = client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
    assert refused.status_code == 404  # another applicant's application does not exist for them
    assert session.exec(select(Certificate)).all() == []
    client.cookies.clear()
    csrf = _signed_in_as(client, session, "window-page@example.com", Role.clerk)
    issued = client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
    assert issued.status_code == 303
    (certificate,) = session.exec(select(Certificate)).all()
    assert issued.headers["location"] == f"/certificates/{certificate.id}/services"  # 凭证办理, within the site
    again = client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 409
    assert "证面未变化" in again.text
    assert client.post(url, data={}, follow_redirects=False).status_code == 403


def test_what_a_scan_reads_moves_the_status_revision_in_the_transaction_of_the_change(
    client: TestClient, session: Session, staff: Staff, issued: tuple[Application, Certificate, str]
) -> None:
    application, certificate, token = issued
    printed = _json(client, token)[1]["permits"][0]["valid_to"]
    later = date.fromisoformat(printed).replace(year=date.fromisoformat(printed).year + 1)

    def revision() -> int:
        session.expire_all()
        return session.exec(select(Certificate.status_revision).where(Certificate.id == certificate.id)).one()

    moved_from = revision()
    held = holdings.holding(session, application, "food_business")
    held.valid_to = later
    session.add(held)
    session.rollback()  # not committed: nothing moved, and scans show the term as it was
    assert revision() == moved_from
    assert _json(client, token)[1]["permits"][0]["valid_to"] == printed
    held = holdings.holding(session, application, "food_business")
    held.valid_to = later
    session.add(held)
    session.commit()
    assert revision() > moved_from
    assert _json(client, token)[1]["permits"][0]["valid_to"] == later.isoformat()
    assert later.isoformat() in client.get(f"/v/{token}").text


def test_every_worker_shows_a_revocation_on_its_next_scan(
    db_url: str, keys_dir: Path, session: Session, staff: Staff, issued: tuple[Application, Certificate, str], tmp_path: Path
) -> None:
    """Two workers, each remembering the certificate as valid, both show it void on the scan after the change commits."""
    application, _, token = issued
    env = {
        "YIYE_DATABASE_URL": db_url,
        "YIYE_PACKS_DIR": str(FIXTURE_PACKS),
        "YIYE_DEFAULT_PACK": "mini",
        "YIYE_KEYS_DIR": str(keys_dir),
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_API_KEYS": f'["{API_KEY}"]',
        "YIYE_LOG_LEVEL": "WARNING",
    }
    with serving(["--workers", "2"], env, "/readyz", tmp_path / "server.log") as base:

        def states() -> set[str]:
            # a connection of its own per scan, so the kernel spreads them over both workers
            answers = [httpx.get(f"{base}/api/v1/certificates/verify/{token}", headers={"X-API-Key": API_KEY}) for _ in range(24)]
            pages = [httpx.get(f"{base}/v/{token}").text for _ in range(24)]
            return {a.json()["state"] for a in answers} | {"void" if "作废" in p else "valid" for p in pages}

        assert states() == {"valid"}
        food = task(session, application, "food_business")
        record_verification(session, actor=staff.market, task_id=food.id, passed=False, version=food.version, reason="承诺不实")
        assert states() == {"void"}


def _worded_packs(folder: Path) -> None:
    """The mini pack in ``folder``, and its child ``mini-words`` calling the certificate 综合许可凭证 as Beijing does."""
    shutil.copytree(FIXTURE_PACKS / "mini", folder / "mini")
    (folder / "mini-words").mkdir()
    (folder / "mini-words" / "pack.yaml").write_text(
        "id: mini-words\nname: {zh: 测试用语规则包}\nparent: mini\n"
        "wording:\n  certificate: {zh: 综合许可凭证, en: comprehensive permit certificate}\n  source: 京政办发〔2023〕5号\n",
        encoding="utf-8",
    )


def test_the_certificate_is_named_on_every_page_as_its_pack_words_it(
    client: TestClient, session: Session, staff: Staff, keys_dir: Path, decide_all: Callable[..., Application], tmp_path: Path
) -> None:
    _worded_packs(tmp_path)
    worded = Composer.load("mini-words", tmp_path)
    certificate = issue(
        session, actor=staff.clerk, application_id=decide_all().id, composer=worded, keys_dir=keys_dir, today=MONDAY
    )
    token = signing_ring(session, keys_dir).sign(certificate.id, certificate.version)
    assert "<h1>综合许可凭证：有效</h1>" in client.get(f"/v/{token}").text
    assert "<h1>comprehensive permit certificate: " in client.get(f"/v/{token}?lang=en").text
    assert _json(client, token)[1]["title"] == {"zh": "综合许可凭证", "en": "comprehensive permit certificate"}
    _signed_in_as(client, session, "window-words@example.com", Role.clerk)
    page = client.get(f"/certificates/{certificate.id}").text
    assert "<h1>综合许可凭证</h1>" in page
    assert "行业综合许可" not in page
    pdf = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert "%E7%BB%BC%E5%90%88%E8%AE%B8%E5%8F%AF%E5%87%AD%E8%AF%81-" in pdf.headers["content-disposition"]  # 综合许可凭证-


def test_the_window_and_the_departments_desk_name_the_certificate_as_its_pack_words_it(
    db_url: str, session: Session, keys_dir: Path, decide_all: Callable[..., Application], tmp_path: Path
) -> None:
    _worded_packs(tmp_path)
    application = decide_all()
    application.pack_id = "mini-words"
    session.add(application)
    session.commit()
    with TestClient(create_app(make_settings(db_url, keys_dir=keys_dir, packs_dir=tmp_path))) as client:
        csrf = _signed_in_as(client, session, "window-wording@example.com", Role.clerk)
        desk = client.get(f"/window/applications/{application.id}")
        assert ">发放综合许可凭证</button>" in desk.text
        english = client.get(f"/window/applications/{application.id}?lang=en").text
        assert ">Issue the comprehensive permit certificate</button>" in english
        issued = client.post(f"/applications/{application.id}/certificate", data={"csrf_token": csrf}, follow_redirects=False)
        assert issued.status_code == 303
        client.cookies.clear()
        _signed_in_as(client, session, "police-wording@example.com", Role.reviewer)
        user = session.exec(select(User).where(User.email == "police-wording@example.com")).one()
        user.department = "police"
        session.add(user)
        session.commit()
        held = client.get("/review/permits").text
    assert "综合许可凭证 DCZH" in held
    assert "行业综合许可凭证" not in held + desk.text
    assert "行业综合许可证" not in held + desk.text


SHAPES: dict[str, dict[str, Any]] = {
    "valid": {},
    "needs escaping": {"holder": '示例<b>&"旅店', "address": "<script>", "legal_representative": ""},
    "void": {"state": "void", "state_label": "作废", "void_because": ["fire_check"]},
    "partial": {"not_licensed": [NotLicensedOut(name="特种行业许可证<旅馆业>", department_name="区公安分局", reason="不予许可")]},
    "superseded": {"superseded_by_version": 2, "permits": [], "holder": None, "uscc": None, "address": None},
}
"""Every branch of the page's content, and values the template must escape."""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("shape", SHAPES)
def test_the_verify_page_spliced_into_its_frame_is_the_page_the_whole_template_renders(
    client: TestClient, issued: tuple[Application, Certificate, str], lang: Lang, shape: str
) -> None:
    _, _, token = issued
    status, body = _json(client, token)
    assert status == 200
    shown = VerifyOut.model_validate(body).model_copy(update=SHAPES[shape])
    path = f'/v/{token}"<&'  # the path is written into the language switch's link: escaped as the template would
    head, tail = _verify_page(path, lang, False, shown)
    whole = templates.get_template("certificate_verify.html").render(
        {**public_context(lang, False, path), "shown": shown, "checked_at": "2026-12-07 09:00:00"}
    )
    assert f"{head}2026-12-07 09:00:00{tail}" == whole
    assert "&#34;&lt;&amp;?lang=" in whole
