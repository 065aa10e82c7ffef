"""The certificate rendered: its text in HTML and PDF, and its QR read back from the printed page."""

from __future__ import annotations

import io

import pypdf

from certificates import qr
from certificates.face import CertificateFace, Title
from certificates.render import render_html, render_pdf
from certificates.tokens import TOKEN_CHARS
from tests.certificates.facecase import face
from tests.fixtures.qrscan import scan_pdf, scan_png

URL = qr.verify_url("https://yiye.dongcheng.gov.cn", "A" * TOKEN_CHARS)


def test_the_html_shows_the_face_and_the_qr() -> None:
    page = render_html(face(), URL)
    shown = ("行业综合许可凭证", "东城示例旅店有限公司", "91110101MA01ABCD06", "区市场监督管理局", "未许可事项", "旅馆业")
    for text in shown:
        assert text in page
    assert 'src="data:image/svg+xml;base64,' in page


def test_the_pdf_is_one_a4_page_with_extractable_chinese_and_a_readable_qr() -> None:
    pdf = render_pdf(face(), URL)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = (round(float(v) * 25.4 / 72) for v in reader.pages[0].mediabox.upper_right)
    assert (width, height) == (210, 297)
    text = reader.pages[0].extract_text()
    assert "东城示例旅店有限公司" in text
    assert "未许可事项" in text
    assert scan_pdf(pdf) == [URL]


def test_the_page_fits_a_phone_and_its_qr_still_reads() -> None:
    from tests.service.svcutil import chromium_browser

    with chromium_browser() as browser:
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.set_content(render_html(face(), URL))
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing to scroll sideways, no zooming out
        assert phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 14
        assert scan_png(phone.locator(".qr img").screenshot()) == [URL]


def test_the_qr_stays_small_at_error_correction_q() -> None:
    assert qr.version(URL) <= 10


def test_the_face_prints_its_jurisdictions_name_for_the_certificate_and_older_faces_keep_theirs() -> None:
    pudong = face(title=Title(zh="行业综合许可证", en="industry comprehensive license"))
    page = render_html(pudong, URL)
    assert "<h1>行业综合许可证</h1>" in page
    assert "行业综合许可凭证" not in page
    printed = pypdf.PdfReader(io.BytesIO(render_pdf(pudong, URL))).pages[0].extract_text()
    assert printed.startswith("行 业 综 合 许 可 证\n")  # the heading's letter-spacing comes out as spaces
    stored_before = face().model_dump(mode="json", exclude={"title"})
    assert CertificateFace.model_validate(stored_before).title.zh == "行业综合许可凭证"
