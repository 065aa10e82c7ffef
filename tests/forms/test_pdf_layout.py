"""The printed notice's permit table: a short value (a time limit, a fee) never breaks mid-word."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pypdfium2 as pdfium

from composer import Composer, ComposeRequest
from forms import render_pdf
from rules.packs import DEFAULT_PACK

BROKEN = re.compile(r"\d+个工作\s*\r?\n\s*日|不收\s*\r?\n\s*费|不需\s*\r?\n\s*要")


def test_time_limits_and_fees_stay_on_one_line() -> None:
    composition = Composer.load(DEFAULT_PACK).compose(
        ComposeRequest(industries=["restaurant", "hotel"], answers={"area_m2": 400, "rooms": 30})
    )
    pdf = pdfium.PdfDocument(render_pdf("notice", composition))
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    assert "个工作日" in text
    assert BROKEN.findall(text) == []


def test_the_printed_notice_lists_each_material_the_guide_way_and_where_to_go_and_what_if_refused() -> None:
    composition = Composer.load(DEFAULT_PACK).compose(
        ComposeRequest(industries=["restaurant", "hotel"], answers={"area_m2": 400, "rooms": 30})
    )
    pdf = pdfium.PdfDocument(render_pdf("notice", composition))
    text = re.sub(r"\s+", "", "".join(page.get_textpage().get_text_range() for page in pdf))
    for said in ("材料要求", "纸质或电子", "申请人自备", "政府部门核发", "填报须知：从事接触直接入口食品工作的人员"):
        assert said in text, said
    assert "北京市东城区珠市口东大街12号" in text
    assert "监督投诉电话" in text
    assert "12345" in text
    assert "60日内向东城区人民政府申请行政复议" in text
    assert "《中华人民共和国行政诉讼法》第四十六条" in text


def _printed(pack: str, industry: str, answers: Mapping[str, object]) -> str:
    composition = Composer.load(pack).compose(ComposeRequest(pack=pack, industries=[industry], answers=answers))
    pdf = pdfium.PdfDocument(render_pdf("notice", composition))
    return re.sub(r"\s+", "", "".join(page.get_textpage().get_text_range() for page in pdf))


def test_the_printed_notice_names_who_holds_an_exempt_material_and_pudongs_and_hunans_windows() -> None:
    from tests.composer.test_guide import HUNAN_MARKET, PUDONG_STORE

    pudong = _printed("shanghai-pudong", "convenience_store", PUDONG_STORE)
    assert "持有部门或系统：市场监督管理部门（市场主体登记信息）、电子证照库（电子营业执照）" in pudong
    assert "浦东新区行政审批局“一业一证”综合窗口" in pudong
    assert "监督投诉电话" in pudong
    assert "12345" in pudong
    assert "60日内向浦东新区人民政府申请行政复议" in pudong
    hunan = _printed("hunan", "supermarket", HUNAN_MARKET)
    assert "株洲市市民中心二楼D1区“一件事一次办”证照联办专区（天元区神农大道399号）" in hunan
    assert "60日内向县（市、区）人民政府申请行政复议" in hunan
