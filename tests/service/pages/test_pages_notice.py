"""Step 4, the notice: permits with their facts, materials once, why, commitments, savings, changes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from journeyutil import CONVENIENCE_TOBACCO, RESTAURANT_SEWAGE, answer_until_check, choose, csrf, error_summary, journey


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section [^>]*id="{section_id}".*?</section>', html, re.S)
    assert found, section_id
    return found.group(0)


def _card(html: str, element_id: str) -> str:
    """One permit or material card: from its start to the next card (or the end of its list)."""
    start = html.index(f'id="{element_id}"')
    start = html.rindex("<", 0, start)
    ends = [
        i
        for i in (
            html.find('<article class="card', start + 1),
            html.find('<li class="card', start + 1),
            html.find("</section>", start),
        )
        if i != -1
    ]
    return html[start : min(ends)]


def test_notice_for_a_convenience_store_selling_tobacco(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    page = dc.get("/notice")
    assert page.status_code == 200
    html = page.text
    assert "<h1>一业一证 一次告知单（便利店）</h1>" in html
    food = _card(html, "permit-food_business")
    tobacco = _card(html, "permit-tobacco_retail")
    # each card: its name, department or legal basis, conditions, time limits and whether commitment applies
    for text in ("食品经营许可", "东城区市场监督管理局", "法定时限", "本次办理时限", "5个工作日"):
        assert text in food
    tobacco_texts = ("烟草专卖零售许可", "《中华人民共和国烟草专卖法》第十六条", "许可条件", "有与住所相独立的固定经营场所")
    for text in (*tobacco_texts, "该事项不适用告知承诺"):
        assert text in tobacco
    for card in (food, tobacco):
        assert '<details class="details why">' in card
        assert "为什么需要办理？" in card


def test_every_material_once_with_its_permits_status_and_why(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice").text
    materials = _section(html, "materials")
    ids = re.findall(r'class="card material status-\w+" id="material-(\w+)"', materials)
    assert ids
    assert len(ids) == len(set(ids))
    licence = _card(materials, "material-business_license")
    assert "食品经营许可、烟草专卖零售许可" in licence  # one document serving both permits
    assert "免于提交（政府部门已持有）" in licence
    assert "为什么需要这份材料？" in licence
    assert "需提交" in _card(materials, "material-floor_plan")


def test_why_shows_the_reason_chain_without_server_paths(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice").text
    tobacco = _card(html, "permit-tobacco_retail")
    chain = re.search(r'<ol class="chain">(.*?)</ol>', tobacco, re.S)
    assert chain
    steps = re.findall(r'<span class="chain__kind">(.*?)</span>\s*(.*?)</li>', chain.group(1))
    kinds = [k for k, _ in steps]
    assert kinds[:4] == ["行业", "经营范围", "回答", "事项"]
    assert ("行业", "便利店") in steps
    assert any(k == "规则" and label.startswith("beijing-dongcheng/") for k, label in steps)
    assert "依据" in kinds
    assert "/work/" not in html
    assert "/home/" not in html


def test_left_out_permits_say_why(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice").text
    assert "不需要办理的事项" in html
    assert "无需办理“药品经营许可（零售）”" in html


def test_savings_against_applying_separately(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    savings = _section(dc.get("/notice").text, "savings")
    assert "分别办理" in savings
    assert "办理时限（工作日）" in savings
    assert "%" in savings


def test_notice_before_all_questions_are_answered_asks_them(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    assert dc.get("/notice", follow_redirects=False).headers["location"] == "/questions/area_m2"
    assert dc.get("/notice", follow_redirects=False).status_code == 303


def test_choosing_commitments_updates_materials_and_time_limits(dc: TestClient) -> None:
    journey(dc, ("restaurant",), RESTAURANT_SEWAGE)
    before = dc.get("/notice").text
    commitments = _section(before, "commitments")
    assert 'name="commit" value="fire_safety_check"' in commitments
    assert 'name="commit" value="drainage_permit"' in commitments
    assert 'value="food_business"' not in commitments  # not eligible here
    assert "需提交" in _card(before, "material-concealed_drain_report")
    assert "10个工作日" in _card(before, "permit-fire_safety_check")
    assert 'id="changes"' not in before

    response = dc.post(
        "/notice/commitments",
        data={"csrf_token": csrf(dc), "commit": ["drainage_permit", "fire_safety_check"]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/notice#changes"
    after = dc.get("/notice").text
    assert "以承诺替代" in _card(after, "material-concealed_drain_report")
    assert "1个工作日" in _card(after, "permit-fire_safety_check")
    changes = _section(after, "changes")
    assert "变化" in changes
    assert "城镇污水排入排水管网许可" not in changes or "时限" in changes
    assert "公众聚集场所投入使用、营业前消防安全检查" in changes
    assert "10个工作日 → 1个工作日" in changes
    assert "需提交 → 以承诺替代" in changes
    assert 'value="drainage_permit" checked' in after
    assert "您选择承诺办理的事项" in after
    assert 'href="/documents/commitment.pdf"' in after


def test_an_ineligible_commitment_is_refused_and_nothing_changes(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    response = dc.post("/notice/commitments", data={"csrf_token": csrf(dc), "commit": ["tobacco_retail"]})
    assert response.status_code == 400
    assert "“烟草专卖零售许可”不能以告知承诺方式办理" in error_summary(response.text)
    assert 'href="#commit-food_business"' in error_summary(response.text)  # the first checkbox
    assert "已选择告知承诺方式办理" not in dc.get("/notice").text


def test_commitments_without_csrf_token_are_403_and_not_kept(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    response = dc.post("/notice/commitments", data={"commit": ["food_business"]}, follow_redirects=False)
    assert response.status_code == 403
    assert 'value="food_business" checked' not in dc.get("/notice").text


def test_adding_and_removing_a_business_shows_what_changed(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    dc.get("/notice")
    # add a pharmacy: it settles "sells drugs" (the earlier "no" gives way) and asks only what is new
    response = choose(dc, "convenience_store", "pharmacy")
    asked = answer_until_check(dc, response.headers["location"], {})
    assert "area_m2" not in asked
    assert "sells_tobacco" not in asked
    added = _section(dc.get("/notice").text, "changes")
    assert "新增事项" in added
    assert "药品经营许可（零售）" in added
    assert "新增材料" in added
    # and remove it again: the pharmacy had settled "sells drugs", so that is asked again
    response = choose(dc, "convenience_store")
    assert answer_until_check(dc, response.headers["location"], {}) == ["sells_drugs"]
    removed = _section(dc.get("/notice").text, "changes")
    assert "不再需要" in removed
    assert "药品经营许可（零售）" in removed
    assert "减少材料" in removed


def test_reloading_the_notice_keeps_the_changes(dc: TestClient) -> None:
    journey(dc, ("restaurant",), RESTAURANT_SEWAGE)
    dc.get("/notice")
    dc.post("/notice/commitments", data={"csrf_token": csrf(dc), "commit": ["drainage_permit"]})
    first = _section(dc.get("/notice").text, "changes")
    assert _section(dc.get("/notice").text, "changes") == first


def test_notice_in_english(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice", params={"lang": "en"}).text
    assert "Why is this needed?" in html
    assert "Permits you need (2)" in html
    assert "为什么需要办理？" not in html
