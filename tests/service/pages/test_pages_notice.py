"""Step 4, the notice: permits with their facts, materials once, why, commitments, savings, changes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.service.pages.journeyutil import (
    CONVENIENCE_TOBACCO,
    RESTAURANT_SEWAGE,
    answer_until_check,
    choose,
    csrf,
    error_summary,
    journey,
)


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
    assert "持有部门或系统：市场监督管理部门（市场主体登记信息）、电子证照库（电子营业执照）" in licence
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


def test_why_tells_the_fewest_facts_and_keeps_the_rule_behind_basis(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    tobacco = _card(dc.get("/notice").text, "permit-tobacco_retail")
    assert '<p class="why__facts">您经营便利店，并且销售卷烟、雪茄烟。</p>' in tobacco
    basis = re.search(r'<details class="details basis">(.*?)</details>', tobacco, re.S)
    assert basis
    assert "<summary" in basis.group(1)
    assert "依据" in basis.group(1)
    assert '<ol class="chain">' in basis.group(1)  # the rule and file:line only behind 依据
    assert "pack.yaml" not in tobacco.replace(basis.group(1), "")


def test_left_out_permits_say_the_one_deciding_fact(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice").text
    assert "不需要办理的事项" in html
    assert "<li><strong>药品经营许可（零售）</strong>：您不销售药品，无需办理。</li>" in html
    assert "<li><strong>建设工程消防验收或备案（装修工程）</strong>：经营场所使用面积 80㎡，不超过 300㎡，无需办理。</li>" in html
    assert "未选择经营范围" not in html


def test_a_permit_and_its_dated_twin_are_one_thing(dc: TestClient) -> None:
    journey(dc, ("restaurant", "hotel"), {"area_m2": "400", "rooms": "30"})
    html = dc.get("/notice").text
    assert html.count("<strong>公共场所卫生许可</strong>") + html.count(">公共场所卫生许可 <") == 1
    left_out = re.search(r"不需要办理的事项.*?</details>", html, re.S)
    assert left_out
    assert "公共场所卫生许可" not in left_out.group(0)
    assert "仅销售预包装食品" not in left_out.group(0)  # not in a restaurant's or hotel's catalogue


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
    assert "7个工作日" in _card(before, "permit-fire_safety_check")  # 《北京市消防条例》 (2025-05-01)
    assert 'id="changes"' not in before
    fire = re.search(r'id="commit-fire_safety_check-hint">(.*?)</dl>', commitments, re.S)
    assert fire
    assert "承诺后办理时限：1个工作日" in fire.group(1)  # the limit with the commitment, before ticking
    assert "您承诺的内容" in fire.group(1)
    assert "承诺不实的，依法撤销许可，虚假承诺记入信用记录并实施信用惩戒。" in fire.group(1)
    assert "消防救援机构对场所进行现场核查，在作出决定后20个工作日内进行" in fire.group(1)

    response = dc.post(
        "/notice/commitments",
        data={"csrf_token": csrf(dc), "commit": ["drainage_permit", "fire_safety_check"], "consent": "yes"},
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
    assert "7个工作日 → 1个工作日" in changes
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


def test_the_changes_are_said_once_not_on_every_reload(dc: TestClient) -> None:
    journey(dc, ("restaurant",), RESTAURANT_SEWAGE)
    dc.get("/notice")
    response = dc.post(
        "/notice/commitments",
        data={"csrf_token": csrf(dc), "commit": ["drainage_permit"], "consent": "yes"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert "以承诺替代" in _section(dc.get("/notice").text, "changes")
    assert 'id="changes"' not in dc.get("/notice").text


def test_a_commitment_without_i_have_read_and_commit_is_refused_and_not_kept(dc: TestClient) -> None:
    journey(dc, ("restaurant",), RESTAURANT_SEWAGE)
    response = dc.post("/notice/commitments", data={"csrf_token": csrf(dc), "commit": ["drainage_permit"]})
    assert response.status_code == 400
    assert '<a href="#consent">请阅读所选事项的承诺内容，并勾选“我已阅读并承诺”</a>' in error_summary(response.text)
    assert 'value="drainage_permit" checked' not in dc.get("/notice").text


def test_notice_in_english(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice", params={"lang": "en"}).text
    assert "Why is this needed?" in html
    assert "Permits you need (2)" in html
    assert "为什么需要办理？" not in html


def test_a_ticked_scope_item_that_needs_no_permit_of_its_own_is_said(dc: TestClient) -> None:
    response = choose(dc, "convenience_store", scope=("alcohol_sales",))
    answer_until_check(dc, response.headers["location"], CONVENIENCE_TOBACCO)
    notes = re.search(r'<div class="inset" id="scope-notes">(.*?)</div>', dc.get("/notice").text, re.S)
    assert notes, "the ticked 酒类经营（零售） is not said"
    assert "<strong>酒类经营（零售）</strong>：不需要单独办理许可，相关要求已在“食品经营许可”" in notes.group(1)
    assert "来源：http://www.ninebows.com/jfss/47564.html" in notes.group(1)
    assert "[V-news]" not in notes.group(1)
    assert "inferred" not in notes.group(1)


def test_the_summary_counts_what_the_page_lists(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice").text
    summary = _section(html, "summary")
    permits = re.findall(r'<article class="card" id="permit-', html)
    submit = re.findall(r'class="card material status-submit"', html)
    assert f"许可 {len(permits)} 项" in summary
    assert f"需提交材料 {len(submit)} 份" in summary
    assert "逐项分别申请、依次办理合计需" in summary  # a serial sum, said so
    assert html.index('id="summary"') < html.index('id="permits"')


def test_pack_id_and_version_only_in_the_one_technical_line(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice").text
    main = html[html.index("<main") : html.index("</main>")]
    version = re.search(r"版本 ([0-9a-f]{16})", main)
    assert version
    line = re.search(r'<p class="hint tech-info" id="tech-info"><small>(.*?)</small></p>', main)
    assert line
    assert line.group(1) == f"技术信息：规则包 beijing-dongcheng · 版本 {version.group(1)}"
    assert main.count(version.group(1)) == 1
    outside = re.sub(r'<details class="details basis">.*?</details>', "", main.replace(line.group(0), ""), flags=re.S)
    assert "beijing-dongcheng" not in outside  # the rule's file:line is behind 依据 only
