"""What a 办事指南 says besides the permits: each material's terms, where to go and when, and what to do if refused."""

from __future__ import annotations

import dataclasses
from datetime import date

from composer import Composer, ComposeRequest
from composer.model import Composition
from forms.render import render_html
from rules.model import Contact, Sample, Text
from tests.composer.cases import HUNAN_SUPERMARKET
from tests.composer.random_requests import WARM

TODAY = date(2026, 11, 26)


def _compose(composer: Composer = WARM, **request: object) -> Composition:
    return composer.compose(ComposeRequest.model_validate(request), today=TODAY)


def test_each_material_says_its_type_copies_medium_source_and_need() -> None:
    out = _compose(industries=["restaurant", "hotel"], answers={"area_m2": 400, "rooms": 30})
    by_key = {m.key: m for m in out.materials}
    health = by_key["staff_health_certs"]
    assert (health.copy_kind, health.copies, health.medium, health.issuer, health.need) == (
        "original",
        1,
        "either",
        "applicant",
        "required",
    )
    assert health.instructions == "从事接触直接入口食品工作的人员每年进行健康检查，取得健康证明后方可上岗。"
    licence = by_key["business_license"]
    assert (licence.issuer, licence.issued_by, licence.need) == ("government", "市场监督管理部门（登记机关）", None)
    assert by_key["fire_check_opinion"].issuer == "government"  # another permit's result, passed on inside


def test_a_material_deferred_by_a_commitment_is_needed_after_it() -> None:
    # a gym without high-risk sports: only the fire check asks for the floor plan
    out = _compose(industries=["gym"], answers={"area_m2": 200, "high_risk_sport": []}, commit=["fire_safety_check"])
    assert next(m for m in out.materials if m.key == "floor_plan").need == "deferred"


def test_a_tolerated_material_and_a_sample_come_from_the_pack() -> None:
    pack = WARM.pack
    plan = pack.materials["floor_plan"].model_copy(
        update={
            "tolerated": True,
            "copies": 2,
            "sample": Sample(
                name=Text(zh="平面布局图示例", en="Floor plan example"),
                url="https://example.gov.cn/samples/floor-plan.pdf",
                source="inferred",
            ),
        }
    )
    composer = Composer(dataclasses.replace(pack, materials={**pack.materials, "floor_plan": plan}))
    entry = next(
        m for m in _compose(composer, industries=["supermarket"], answers={"area_m2": 200}).materials if m.key == "floor_plan"
    )
    assert (entry.need, entry.copies) == ("tolerated", 2)
    assert entry.sample is not None
    assert (entry.sample.name, entry.sample.url) == ("平面布局图示例", "https://example.gov.cn/samples/floor-plan.pdf")


def test_the_window_says_where_and_when_and_each_department_what_if_refused() -> None:
    out = _compose(industries=["restaurant", "hotel"], answers={"area_m2": 400, "rooms": 30})
    (window,) = out.windows
    assert window.address is not None
    assert "珠市口东大街12号" in window.address
    assert (window.phone, window.complaints, window.online) == ("12345", "12345", "https://banshi.beijing.gov.cn")
    departments = {d.id: d for d in out.departments}
    assert list(departments) == list(dict.fromkeys(p.department for p in out.permits))
    assert departments["market"].permits == ["food_business"]
    market = departments["market"].remedies
    assert "60日内向东城区人民政府申请行政复议" in market
    assert "6个月内向有管辖权的人民法院提起行政诉讼" in market
    assert market.endswith("被申请人（被告）为东城区市场监督管理局。")
    assert "北京市人民政府或者东城区人民政府" in departments["police"].remedies
    assert "依法负责行政复议的机关" in departments["fire"].remedies  # the pack does not say: the law's own words
    assert departments["market"].remedies_basis == [
        "《中华人民共和国行政复议法》第二十条",
        "《中华人民共和国行政诉讼法》第四十六条",
    ]


def test_in_english() -> None:
    out = _compose(industries=["restaurant"], answers={"area_m2": 200}, locale="en")
    market = next(d for d in out.departments if d.id == "market")
    assert "within 60 days" in market.remedies
    assert "the Dongcheng District People's Government" in market.remedies
    assert out.windows[0].hours == "Working days, 9 am to 5 pm (closed on public holidays)"


def test_an_exempt_material_says_which_government_system_holds_it() -> None:
    out = _compose(industries=["restaurant", "hotel"], answers={"area_m2": 400, "rooms": 30})
    licence = next(m for m in out.materials if m.key == "business_license")
    assert licence.status == "exempt"
    assert licence.held_by == "市场监督管理部门（市场主体登记信息）、电子证照库（电子营业执照）"
    assert licence.note == "政府部门已持有，免于提交；持有部门或系统：" + licence.held_by
    submitted = next(m for m in out.materials if m.key == "staff_health_certs")
    assert (submitted.status, submitted.held_by) == ("submit", None)
    english = _compose(industries=["restaurant", "hotel"], answers={"area_m2": 400, "rooms": 30}, locale="en")
    held = next(m for m in english.materials if m.key == "legal_rep_id").note
    assert held == (
        "held by the government already: not to be submitted; held by the public security authority"
        " (identity card record) and the government services platform's identity check"
    )


PUDONG_STORE = {
    "area_m2": 100,
    "food_prep_onsite": False,
    "sells_bulk_food": True,
    "sells_tobacco": True,
    "sells_alcohol": False,
    "sells_drugs": False,
    "sells_device_class2": False,
    "sells_publications": False,
    "uses_vending": False,
    "renovation": False,
    "uses_agent": False,
}
HUNAN_MARKET = {**HUNAN_SUPERMARKET, "shop_sign": True}


def test_pudongs_window_and_departments_say_whom_to_call_and_where_to_object() -> None:
    out = _compose(
        Composer.load("shanghai-pudong"), pack="shanghai-pudong", industries=["convenience_store"], answers=PUDONG_STORE
    )
    assert out.complete
    (window,) = out.windows
    assert (window.name, window.phone, window.complaints) == ("浦东新区行政审批局“一业一证”综合窗口", "12345", "12345")
    assert (window.address, window.hours, window.online) == (None, None, None)  # no source gives them: left out
    departments = {d.id: d.remedies for d in out.departments}
    assert "60日内向浦东新区人民政府申请行政复议" in departments["market"]
    assert departments["market"].endswith("被申请人（被告）为浦东新区市场监督管理局。")
    assert "向依法负责行政复议的机关申请行政复议" in departments["tobacco"]  # unsettled for a vertical bureau


def test_hunans_window_names_the_county_centre_and_zhuzhous_hall() -> None:
    out = _compose(Composer.load("hunan"), pack="hunan", industries=["supermarket"], answers=HUNAN_MARKET)
    assert out.complete
    (window,) = out.windows
    assert window.address is not None
    assert window.address.startswith("所在县（市、区）政务服务中心大厅")
    assert "株洲市市民中心二楼D1区" in window.address
    assert window.hours is not None
    assert window.hours.startswith("株洲市市民中心：周一至周五上午9:00至12:00")
    assert window.phone == "12345"
    departments = {d.id: d.remedies for d in out.departments}
    assert "60日内向县（市、区）人民政府申请行政复议" in departments["market"]
    assert "60日内向县（市、区）人民政府申请行政复议" in departments["urban_mgmt"]


def test_a_department_with_a_contact_says_it_and_one_without_sends_to_the_window() -> None:
    pack = WARM.pack
    contact = Contact(
        address=Text(zh="北京市东城区示例街1号"),
        hours=Text(zh="工作日9:00至17:00"),
        phone="010-6512 3456",
        online="https://banshi.beijing.gov.cn",
        source="https://example.gov.cn/guide",
    )
    market = pack.departments["market"].model_copy(update={"contact": contact})
    composer = Composer(dataclasses.replace(pack, departments={**pack.departments, "market": market}))
    out = _compose(composer, industries=["restaurant", "hotel"], answers={"area_m2": 400, "rooms": 30})
    by_id = {d.id: d for d in out.departments}
    assert (by_id["market"].address, by_id["market"].phone) == ("北京市东城区示例街1号", "010-6512 3456")
    assert (by_id["market"].hours, by_id["market"].online) == ("工作日9:00至17:00", "https://banshi.beijing.gov.cn")
    assert by_id["police"].phone is None
    guide = render_html("notice", out)
    market_row = guide[guide.index('id="department-market"') :]
    market_row = market_row[: market_row.index("</tr>")]
    assert "咨询电话：010-6512 3456" in market_row
    assert "办公时间：工作日9:00至17:00" in market_row
    police_row = guide[guide.index('id="department-police"') :]
    assert "联系方式请向受理窗口咨询（电话12345）" in police_row[: police_row.index("</tr>")]
