"""The printed notice's permit table: a short value (a time limit, a fee) never breaks mid-word."""

from __future__ import annotations

import re

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
