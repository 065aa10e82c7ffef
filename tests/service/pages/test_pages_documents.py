"""Step 6, the PDFs: the notice, the filled one form and the commitment letter, with sensible filenames."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.service.pages.journeyutil import CONVENIENCE_TOBACCO, GOOD, RESTAURANT_SEWAGE, csrf, journey, sign_up


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def _filename(response: object) -> tuple[str, str]:
    header = response.headers["content-disposition"]  # type: ignore[attr-defined]
    assert header.startswith("attachment; ")
    ascii_name = header.split('filename="')[1].split('"')[0]
    utf8 = unquote(header.split("filename*=UTF-8''")[1])
    return ascii_name, utf8


def test_notice_pdf_reads_back_with_the_permits_and_a_cjk_font(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    response = dc.get("/documents/notice.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    ascii_name, name = _filename(response)
    assert ascii_name.startswith("yiye-notice-")
    assert ascii_name.endswith(".pdf")
    assert name.startswith("一次告知单-便利店-")
    assert name.endswith(".pdf")
    text = _text(response.content)
    assert "食品经营许可" in text
    assert "烟草专卖零售许可" in text
    assert any("Noto-Sans-CJK-SC" in f for f in _fonts(response.content))


def test_blank_form_pdf_without_a_draft(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    response = dc.get("/documents/form.pdf")
    assert response.status_code == 200
    assert _filename(response)[1].startswith("综合申请表-便利店-")
    assert "统一社会信用代码" in _text(response.content)


def test_filled_form_pdf_of_my_draft(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    sign_up(dc)
    saved = dc.post("/form", data={**GOOD, "csrf_token": csrf(dc)}, follow_redirects=False)
    draft_url = saved.headers["location"].split("?")[0]
    page = dc.get(draft_url).text
    assert f'href="{draft_url}/documents/form.pdf"' in page
    for url in (f"{draft_url}/documents/form.pdf", "/documents/form.pdf"):
        response = dc.get(url)
        assert response.status_code == 200
        text = _text(response.content)
        assert "北京东城好邻居便利店有限公司" in text
        assert GOOD["uscc"] in text.replace(" ", "")


def test_commitment_letter_pdf_only_with_commitments(dc: TestClient) -> None:
    journey(dc, ("restaurant",), RESTAURANT_SEWAGE)
    missing = dc.get("/documents/commitment.pdf")
    assert missing.status_code == 404
    assert "您没有选择以告知承诺方式办理的事项" in missing.text
    assert 'href="/documents/commitment.pdf"' not in dc.get("/notice").text
    dc.post("/notice/commitments", data={"csrf_token": csrf(dc), "commit": ["drainage_permit"], "consent": "yes"})
    response = dc.get("/documents/commitment.pdf")
    assert response.status_code == 200
    assert _filename(response)[1].startswith("告知承诺书-饭店-餐馆-")  # the slash of 饭店/餐馆 is no path
    assert "城镇污水排入排水管网许可" in _text(response.content)


def test_english_pdf_names(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    response = dc.get("/documents/notice.pdf", params={"lang": "en"})
    assert response.status_code == 200
    name = _filename(response)[1]
    assert name.startswith("Notice-Convenience store-")


def test_unknown_document_is_a_404(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    assert dc.get("/documents/passport.pdf").status_code == 404


def test_documents_without_a_journey_go_to_the_start(dc: TestClient) -> None:
    assert dc.get("/documents/notice.pdf", follow_redirects=False).headers["location"] == "/start"


def test_draft_documents_need_sign_in(dc: TestClient) -> None:
    response = dc.get("/drafts/00000000-0000-0000-0000-000000000000/documents/notice.pdf", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")
