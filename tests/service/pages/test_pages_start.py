"""Step 1, choose the business: browse, search, combine, and the errors when the choice is wrong."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.pages.journeyutil import choose, csrf, error_summary, title


def test_home_lists_the_default_packs_industries_as_checkboxes(dc: TestClient) -> None:
    page = dc.get("/")
    assert page.status_code == 200
    assert "开一家店，需要办哪些许可？" in page.text
    for industry in ("convenience_store", "restaurant", "pharmacy", "hotel"):
        assert f'type="checkbox" id="industry-{industry}" name="industry" value="{industry}"' in page.text
    assert 'name="scope" value="tobacco_sales"' in page.text  # scope items too, in a <details>
    assert "<details" in page.text
    assert 'name="csrf_token"' in page.text
    assert "<script" not in page.text


def test_start_is_the_same_chooser(dc: TestClient) -> None:
    page = dc.get("/start")
    assert page.status_code == 200
    assert "<h1>选择经营项目</h1>" in page.text


def test_search_finds_industries_by_keyword_and_scope_items_by_name(dc: TestClient) -> None:
    page = dc.get("/start", params={"q": "烟草"})
    assert "“烟草”的搜索结果" in page.text
    assert 'value="tobacco_sales"' in page.text
    assert 'value="convenience_store"' in page.text  # its description mentions 烟草
    assert 'value="hotel"' not in page.text
    page = dc.get("/start", params={"q": "网咖"})  # a keyword of 网吧
    assert 'value="internet_cafe"' in page.text
    assert 'value="convenience_store"' not in page.text


def test_search_with_no_match_says_so(dc: TestClient) -> None:
    page = dc.get("/start", params={"q": "宇宙飞船"})
    assert page.status_code == 200
    assert "没有找到与“宇宙飞船”相关的行业或经营范围" in page.text
    assert 'href="/start">显示全部' in page.text


def test_search_button_keeps_what_is_ticked(dc: TestClient) -> None:
    token = csrf(dc)
    response = dc.post(
        "/start", data={"csrf_token": token, "action": "search", "q": "烟草", "industry": ["hotel"]}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/start?q=")
    page = dc.get(response.headers["location"])
    assert "已选择" in page.text
    assert 'id="industry-hotel" name="industry" value="hotel" checked' in page.text


def test_nothing_chosen_is_an_error_summary_in_chinese(dc: TestClient) -> None:
    response = dc.post("/start", data={"csrf_token": csrf(dc), "action": "continue"})
    assert response.status_code == 400
    summary = error_summary(response.text)
    assert "请至少选择一个行业或一项经营范围" in summary
    assert 'href="#industry-convenience_store"' in summary  # the first checkbox
    assert title(response.text).startswith("错误：")


def test_unknown_industry_is_an_error_and_nothing_is_kept(dc: TestClient) -> None:
    response = choose(dc, "noodle_bar")
    assert response.status_code == 400
    assert "没有编号为“noodle_bar”的行业" in error_summary(response.text)
    assert dc.get("/notice", follow_redirects=False).headers["location"] == "/start"
    assert dc.get("/check-answers", follow_redirects=False).headers["location"] == "/start"


def test_unknown_industry_next_to_a_known_one_keeps_the_ticks(dc: TestClient) -> None:
    response = choose(dc, "convenience_store", "noodle_bar")
    assert response.status_code == 400
    assert 'value="convenience_store" checked' in response.text


def test_missing_csrf_token_is_403_and_nothing_is_kept(dc: TestClient) -> None:
    response = dc.post("/start", data={"action": "continue", "industry": "convenience_store"}, follow_redirects=False)
    assert response.status_code == 403
    assert dc.get("/notice", follow_redirects=False).headers["location"] == "/start"


def test_choosing_goes_to_the_first_open_question(dc: TestClient) -> None:
    response = choose(dc, "convenience_store")
    assert response.status_code == 303
    assert response.headers["location"] == "/questions/area_m2"


def test_industries_and_scope_items_combine(dc: TestClient) -> None:
    """Picking the tobacco scope item settles sells_tobacco: it is never asked."""
    response = choose(dc, "convenience_store", scope=("tobacco_sales",))
    assert response.status_code == 303
    page = dc.get("/start")
    assert 'value="convenience_store" checked' in page.text
    assert 'value="tobacco_sales" checked' in page.text
    assert dc.get("/questions/sells_tobacco", follow_redirects=False).status_code == 303


def test_english_names_with_lang_en(dc: TestClient) -> None:
    page = dc.get("/start", params={"lang": "en"})
    assert 'lang="en"' in page.text
    assert "Convenience store" in page.text
    assert "Choose your business" in page.text
    assert "Industries (one or more)" in page.text


def test_the_start_page_says_the_business_license_is_assumed(dc: TestClient) -> None:
    page = dc.get("/start").text
    said = "本服务假定您已经取得营业执照；还没有的，请先办理市场主体登记（营业执照）。"
    assert f'<p class="inset" id="business-license">{said}</p>' in page


def test_the_start_page_offers_business_registration_where_the_pack_bundles_it(pages_sqlite_url: str) -> None:
    from rules.packs import PACKS_DIR
    from service.app import create_app
    from tests.service.svcutil import make_settings

    with TestClient(create_app(make_settings(pages_sqlite_url, packs_dir=PACKS_DIR, default_pack="hunan"))) as hunan:
        page = hunan.get("/start").text
    assert "还没有营业执照？可以一并办理“市场主体设立登记（营业执照）”" in page
    assert "本服务假定您已经取得营业执照" not in page
