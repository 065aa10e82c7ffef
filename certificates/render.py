"""The certificate as a standalone HTML page and as an A4 PDF (WeasyPrint), the verify QR on both."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from certificates import qr
from certificates.face import CertificateFace
from forms import print_fonts

TEMPLATES_DIR = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]))


def render_html(face: CertificateFace, url: str, code: str | None = None) -> str:
    """The certificate page; ``url`` is the verify URL its QR holds, drawn as ``code`` (a data URI; SVG by default)."""
    return _environment().get_template("certificate.html").render(face=face, qr=code or qr.svg_data_uri(url))


PRINT_MODULE_PX = 8
"""Pixels per QR module in print (~180 dpi at 46 mm), drawn without smoothing so the modules stay square."""


def render_pdf(face: CertificateFace, url: str) -> bytes:
    """The same page printed on A4, in the print faces the notice uses (forms/print_fonts.py).

    The QR goes in as a PNG: WeasyPrint draws an SVG path of a few hundred squares in Python, most of a page's time.
    """
    from weasyprint import HTML  # imported late: it loads Pango and fonts

    config, stylesheets = print_fonts.font_setup()
    html = HTML(string=render_html(face, url, qr.png_data_uri(url, PRINT_MODULE_PX)), base_url=str(TEMPLATES_DIR))
    pdf: bytes = html.write_pdf(stylesheets=stylesheets, font_config=config)
    return pdf
