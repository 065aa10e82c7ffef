"""Step 5, the one form: sections and sheets, server-side validation, drafts that only their owner sees."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.db import make_engine
from service.models import Draft, StoredComposition
from tests.service.pages.journeyutil import (
    CONVENIENCE_TOBACCO,
    GOOD,
    VALID_USCC,
    assert_field_error,
    csrf,
    error_summary,
    journey,
    sign_in,
    sign_out,
    sign_up,
)


def _drafts(url: str) -> list[Draft]:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        drafts = list(session.exec(select(Draft)).all())
    engine.dispose()
    return drafts


def _stored(url: str, composition_id: uuid.UUID) -> StoredComposition | None:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        stored = session.get(StoredComposition, composition_id)
    engine.dispose()
    return stored


def _ready(client: TestClient) -> None:
    journey(client, ("convenience_store",), CONVENIENCE_TOBACCO)


def test_uscc_checksum() -> None:
    from stdnum.cn import uscc

    assert uscc.is_valid(VALID_USCC)


def test_form_shows_the_composed_fields_in_sections(dc: TestClient) -> None:
    _ready(dc)
    page = dc.get("/form")
    assert page.status_code == 200
    html = page.text
    assert "一业一证 统一申请表" in html
    for section in ("applicant", "premises", "personnel"):
        assert f'id="section-{section}"' in html
    assert '<label class="label" for="uscc">统一社会信用代码' in html
    assert (
        'id="premises_area" name="premises_area" type="text" inputmode="decimal" spellcheck="false" value="80"' in html
    )  # from the answer
    assert "用于：食品经营许可、烟草专卖零售许可" in html
    assert "保存草稿需要登录" in html
    assert 'href="/sign-in?next=/form"' in html
    assert "novalidate" in html
    assert " required" not in html


def test_bad_uscc_shows_the_error_summary_keeps_values_and_writes_nothing(dc: TestClient, pages_sqlite_url: str) -> None:
    _ready(dc)
    sign_up(dc)
    before = len(_drafts(pages_sqlite_url))
    data = {**GOOD, "uscc": "91110101MA01AB1230", "csrf_token": csrf(dc)}
    response = dc.post("/form", data=data)
    assert_field_error(response, "uscc", "统一社会信用代码校验位不正确，请核对后重新填写", kept="91110101MA01AB1230")
    assert 'value="北京东城好邻居便利店有限公司"' in response.text
    assert len(_drafts(pages_sqlite_url)) == before


def test_several_bad_values_are_all_listed_in_form_order(dc: TestClient) -> None:
    _ready(dc)
    data = {**GOOD, "uscc": "123", "legal_rep_id_number": "110105194912310021", "contact_phone": "12345", "csrf_token": csrf(dc)}
    response = dc.post("/form", data=data)
    summary = error_summary(response.text)
    links = re.findall(r'<a href="#(\w+)">', summary)
    assert links == ["uscc", "legal_rep_id_number", "contact_phone"]
    assert "统一社会信用代码应为18位，您填写了3位" in summary


def test_form_without_csrf_token_is_403_and_writes_nothing(dc: TestClient, pages_sqlite_url: str) -> None:
    _ready(dc)
    sign_up(dc)
    before = len(_drafts(pages_sqlite_url))
    response = dc.post("/form", data=GOOD, follow_redirects=False)
    assert response.status_code == 403
    assert "表单已失效" in response.text
    assert len(_drafts(pages_sqlite_url)) == before


def test_saving_needs_sign_in_and_comes_back_to_the_form(dc: TestClient, pages_sqlite_url: str) -> None:
    _ready(dc)
    login = sign_up(dc)
    sign_out(dc)
    _ready(dc)
    response = dc.post("/form", data={**GOOD, "csrf_token": csrf(dc)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/form"
    signed_in = sign_in(dc, login, "/form")
    assert signed_in.headers["location"] == "/form"
    page = dc.get("/form").text
    assert "您已登录" in page
    assert f'value="{VALID_USCC}"' in page  # kept while signing in
    saved = dc.post("/form", data={**GOOD, "csrf_token": csrf(dc)}, follow_redirects=False)
    assert saved.status_code == 303
    draft_id = saved.headers["location"].split("/")[2].split("?")[0]
    (draft,) = [d for d in _drafts(pages_sqlite_url) if str(d.id) == draft_id]
    assert draft.form_values["uscc"] == VALID_USCC
    assert draft.form_values["contact_phone"] == "010-65123456"  # stored clean
    assert draft.industries == ["convenience_store"]
    assert draft.answers["sells_tobacco"] is True


def test_sign_up_from_the_form_comes_back_to_it(dc: TestClient) -> None:
    _ready(dc)
    page = dc.get("/form").text
    assert 'href="/sign-up?next=/form"' in page
    sign_up(dc, "/form")
    assert "保存草稿需要登录" not in dc.get("/form").text  # the journey survived signing up


def test_saved_draft_stores_the_composition_it_was_built_on(dc: TestClient, pages_sqlite_url: str) -> None:
    _ready(dc)
    sign_up(dc)
    response = dc.post("/form", data={**GOOD, "csrf_token": csrf(dc)}, follow_redirects=False)
    draft_id = response.headers["location"].split("/")[2].split("?")[0]
    (draft,) = [d for d in _drafts(pages_sqlite_url) if str(d.id) == draft_id]
    assert draft.composition_id is not None
    stored = _stored(pages_sqlite_url, draft.composition_id)
    assert stored is not None
    assert stored.pack_id == "beijing-dongcheng"
    assert stored.input["industries"] == ["convenience_store"]
    assert stored.input["answers"]["sells_tobacco"] is True
    assert len(stored.output_sha256) == 64
    page = dc.get(response.headers["location"])
    assert "草稿已保存" in page.text
    assert "尚未填写的必填项" in page.text  # e.g. the food-safety manager was left blank
    summary = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", page.text))
    # the pack and the business scope by name, the scope the convenience store's industry stands for
    assert summary["规则包"] == "北京市东城区“一业一证”规则包"
    assert {"便利店零售", "食品销售"} <= set(summary["经营范围"].split("、")), summary


def test_saving_again_updates_the_same_draft(dc: TestClient, pages_sqlite_url: str) -> None:
    _ready(dc)
    sign_up(dc)
    first = dc.post("/form", data={**GOOD, "csrf_token": csrf(dc)}, follow_redirects=False).headers["location"]
    second = dc.post(
        "/form", data={**GOOD, "applicant_name": "改名后的公司", "csrf_token": csrf(dc)}, follow_redirects=False
    ).headers["location"]
    assert first == second
    draft_id = first.split("/")[2].split("?")[0]
    (draft,) = [d for d in _drafts(pages_sqlite_url) if str(d.id) == draft_id]
    assert draft.form_values["applicant_name"] == "改名后的公司"


def test_resume_a_draft_after_signing_out_and_in(dc_db: TestClient) -> None:
    _ready(dc_db)
    login = sign_up(dc_db)
    saved = dc_db.post("/form", data={**GOOD, "csrf_token": csrf(dc_db)}, follow_redirects=False)
    draft_url = saved.headers["location"].split("?")[0]
    sign_out(dc_db)
    assert dc_db.get("/notice", follow_redirects=False).headers["location"] == "/start"  # signing out forgets the journey
    sign_in(dc_db, login)
    listing = dc_db.get("/drafts").text
    assert "我的申请" in listing
    assert f'href="{draft_url}"' in listing
    assert "便利店" in listing
    page = dc_db.get(draft_url).text
    assert "继续填写" in page
    resumed = dc_db.post(f"{draft_url}/resume", data={"csrf_token": csrf(dc_db)}, follow_redirects=False)
    assert resumed.status_code == 303
    assert resumed.headers["location"] == "/form"
    form = dc_db.get("/form").text
    assert f'value="{VALID_USCC}"' in form
    assert 'value="北京东城好邻居便利店有限公司"' in form
    assert "食品经营许可" in dc_db.get("/notice").text


def test_someone_elses_draft_is_a_404(dc_db: TestClient) -> None:
    _ready(dc_db)
    sign_up(dc_db)
    saved = dc_db.post("/form", data={**GOOD, "csrf_token": csrf(dc_db)}, follow_redirects=False)
    draft_url = saved.headers["location"].split("?")[0]
    intruder = TestClient(dc_db.app)
    sign_up(intruder)
    missing = f"/drafts/{uuid.uuid4()}"
    for suffix in ("", "/documents/form.pdf", "/documents/notice.pdf"):
        theirs = intruder.get(draft_url + suffix)
        assert theirs.status_code == 404
        # byte for byte like a missing one, but for the page's own address (in the language switch)
        assert theirs.text.replace(draft_url, missing) == intruder.get(missing + suffix).text
    response = intruder.post(f"{draft_url}/resume", data={"csrf_token": csrf(intruder)}, follow_redirects=False)
    assert response.status_code == 404
    assert "北京东城好邻居便利店" not in intruder.get("/form", follow_redirects=True).text


def test_resume_without_csrf_token_is_403(dc: TestClient) -> None:
    _ready(dc)
    sign_up(dc)
    saved = dc.post("/form", data={**GOOD, "csrf_token": csrf(dc)}, follow_redirects=False)
    draft_url = saved.headers["location"].split("?")[0]
    assert dc.post(f"{draft_url}/resume", follow_redirects=False).status_code == 403


def test_form_before_the_questions_are_answered_asks_them(dc: TestClient) -> None:
    assert dc.get("/form", follow_redirects=False).headers["location"] == "/start"


BIG_BUSINESS = ("supermarket", "restaurant", "hotel", "gym", "ktv")
BIG_ANSWERS = {"area_m2": "500", "high_risk_sport": "", "rooms": "20", "investment_wan": "100"}


def test_a_big_form_is_kept_on_the_server_while_signing_in(dc: TestClient) -> None:
    login = sign_up(dc)
    sign_out(dc)
    journey(dc, BIG_BUSINESS, BIG_ANSWERS)
    page = dc.get("/form").text
    text_fields = re.findall(r'<input class="input" id="(\w+)" name="\w+" type="text"', page)
    assert len(text_fields) > 5
    address = "北京市东城区东四北大街一百号院三号楼二单元" * 2
    data = dict.fromkeys(text_fields, address)
    response = dc.post("/form", data={**data, **GOOD, "csrf_token": csrf(dc)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/form"
    cookie = dc.cookies.get("yiye_session")
    assert cookie is not None
    assert len(cookie) < 100  # an id, whatever the form holds
    sign_in(dc, login, "/form")
    assert f'value="{address}' in dc.get("/form").text  # nothing typed is lost


def test_a_permit_not_merged_rides_along_as_its_own_sheet(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), {**CONVENIENCE_TOBACCO, "outdoor_ad": "true"})
    page = dc.get("/form").text
    sheet = re.search(r'<fieldset class="fieldset form-section sheet" id="sheet-outdoor_ad_permit">.*?</fieldset>', page, re.S)
    assert sheet
    assert "附表：户外广告设施设置许可" in sheet.group(0)
    assert 'name="ad_facility_spec"' in sheet.group(0)  # its own field
    assert "以下项目已在上方填写，无需重复：" in sheet.group(0)
    assert 'name="uscc"' not in sheet.group(0)  # asked once, in the applicant section
    assert page.count('name="uscc"') == 1
