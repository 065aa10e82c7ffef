"""The certificate as a standalone HTML page and as an A4 PDF (WeasyPrint), the verify QR on both."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from certificates import qr
from certificates.face import CertificateFace

TEMPLATES_DIR = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]))


def render_html(face: CertificateFace, url: str) -> str:
    """The certificate page; ``url`` is the verify URL its QR holds."""
    return _environment().get_template("certificate.html").render(face=face, qr=qr.svg_data_uri(url))


def render_pdf(face: CertificateFace, url: str) -> bytes:
    """The same page printed on A4."""
    from weasyprint import HTML  # imported late: it loads Pango and fonts

    pdf: bytes = HTML(string=render_html(face, url), base_url=str(TEMPLATES_DIR)).write_pdf()
    return pdf
