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
