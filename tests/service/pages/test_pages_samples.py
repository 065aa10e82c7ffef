"""The 样表 of each form the applicant fills in, and each deciding department's contact, on the notice and in its PDF."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.service.pages.journeyutil import CONVENIENCE_TOBACCO, csrf, journey
from tests.service.svcutil import own_styles_only, policy

WITH_AGENT = {**CONVENIENCE_TOBACCO, "uses_agent": "true"}
"""The tobacco-selling 便利店, applying through an agent: the 授权委托书 is on its list."""


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _links(pdf: bytes) -> set[str]:
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                found.add(str(action["/URI"]))
    return found


def _material(html: str, key: str) -> str:
    start = html.index(f'id="material-{key}"')
    return html[start : html.find('<li class="card', start + 1)]


def test_the_agents_authorisation_links_its_sample_which_opens_marked_as_one(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), WITH_AGENT)
    card = _material(dc.get("/notice").text, "agent_authorization")
    assert 'href="/documents/samples/authorization.html"' in card
    assert 'href="/documents/samples/authorization.pdf"' in card
    page = dc.get("/documents/samples/authorization.html")
    assert page.status_code == 200
    assert "样表" in page.text
    assert "不是真实申请" in page.text
    assert "烟草专卖零售许可" in page.text  # the matters delegated are this notice's permits
    assert len(own_styles_only(page)) == 2
    assert policy(page)["style-src"] == own_styles_only(page)  # its own stylesheet, and no other inline one
    assert policy(page)["frame-ancestors"] == ["'none'"]
    pdf = dc.get("/documents/samples/authorization.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("inline; ")
    text = _text(pdf.content)
    assert "样表" in text
    assert "授权委托书" in text
    assert "李四" in text
    blank = dc.get("/documents/authorization.pdf")  # the same form, blank, to fill in by hand
    assert 'href="/documents/authorization.pdf"' in card
    assert blank.status_code == 200
    blank_text = _text(blank.content)
    assert "授权委托书" in blank_text
    assert "李四" not in blank_text
    assert "样表" not in blank_text


def test_the_one_form_has_a_filled_in_sample_and_materials_without_one_say_nothing(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice").text
    assert 'href="/documents/samples/form.pdf"' in html
    assert "/documents/samples/authorization" not in html  # no agent, no 授权委托书, no 样表 of it
    assert "样表" not in _material(html, "premises_use_proof")
    pdf = dc.get("/documents/samples/form.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    text = _text(pdf.content)
    assert "样表" in text
    assert "统一申请表" in text
    assert "91110101MA00XXXXXX" in text.replace(" ", "")
    assert dc.get("/documents/samples/authorization.pdf").status_code == 404
    assert dc.get("/documents/authorization.pdf").status_code == 404
    assert dc.get("/documents/samples/receipt.pdf").status_code == 404


def test_the_commitment_letter_sample_comes_with_commitments(dc: TestClient) -> None:
    journey(dc, ("restaurant",), {"area_m2": "200", "discharges_sewage": "true"})
    assert dc.get("/documents/samples/commitment.pdf").status_code == 404
    dc.post("/notice/commitments", data={"csrf_token": csrf(dc), "commit": ["drainage_permit"], "consent": "yes"})
    assert 'href="/documents/samples/commitment.html"' in dc.get("/notice").text
    page = dc.get("/documents/samples/commitment.html")
    assert page.status_code == 200
    assert "样表" in page.text
    assert "示例商贸有限公司" in page.text


def test_the_guide_pdf_links_each_sample_by_the_sites_public_address_whatever_host_the_client_names(
    dc: TestClient,
) -> None:
    journey(dc, ("convenience_store",), WITH_AGENT)
    pdf = dc.get("/documents/notice.pdf", headers={"Host": "evil.example"}).content
    assert "填写示例（样表）" in _text(pdf)
    site = dc.app.state.settings.public_url.rstrip("/")  # type: ignore[attr-defined]
    assert {f"{site}/documents/samples/form.pdf", f"{site}/documents/samples/authorization.pdf"} <= _links(pdf)
    assert not any("evil.example" in link for link in _links(pdf))


def test_a_department_with_no_published_contact_sends_the_applicant_to_the_window(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    html = dc.get("/notice").text
    permit = html[html.index('id="permit-tobacco_retail"') :]
    permit = permit[: permit.index("</article>")]
    contact = re.search(r'<div class="department-contact">.*?</div>', permit, re.S)
    assert contact
    assert "东城区烟草专卖局" in contact.group(0)
    assert "本部门的联系方式请向受理窗口咨询" in contact.group(0)
    assert 'href="tel:12345"' in contact.group(0)
    assert "联系方式请向受理窗口咨询（电话12345）" in _text(dc.get("/documents/notice.pdf").content).replace("\n", "")
