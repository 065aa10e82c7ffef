"""The QR on the certificate: the verify URL in upper case (the QR's compact alphanumeric mode), error correction Q.

Q keeps a code readable with a quarter of it damaged or soiled, which a printed, handled certificate needs.
"""

from __future__ import annotations

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_Q
from qrcode.image.svg import SvgPathImage


def verify_url(public_url: str, token: str) -> str:
    """``HTTPS://HOST/V/TOKEN``: every character in the alphanumeric set, so the symbol stays small."""
    return f"{public_url.rstrip('/')}/v/{token}".upper()


def _code(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=4)
    code.add_data(url, optimize=0)
    code.make(fit=True)
    return code


def version(url: str) -> int:
    """The QR version (size) the URL needs at error correction Q."""
    return int(_code(url).version)


def svg(url: str) -> str:
    """The symbol as an SVG document (sharp at any print size)."""
    image = _code(url).make_image(image_factory=SvgPathImage)
    return str(image.to_string(encoding="unicode"))


def svg_data_uri(url: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg(url).encode()).decode()


def png_data_uri(url: str, box_size: int = 8) -> str:
    """The symbol as a PNG data URI, a module ``box_size`` pixels square: cheap for WeasyPrint to place."""
    return "data:image/png;base64," + base64.b64encode(png(url, box_size)).decode()


def png(url: str, box_size: int = 8) -> bytes:
    code = _code(url)
    code.box_size = box_size
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()


def read_pdf(pdf: bytes, dpi: int = 200) -> list[str]:
    """Every QR code's text on a PDF's first page, rasterised at ``dpi`` as a phone would see it on paper."""
    import pypdfium2  # imported late: the PDF engine and the decoder are needed only by checkers
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode]))]


def token_of(url: str) -> str | None:
    """The token in a verify URL (``…/V/TOKEN``, any case), or None when the text is no such URL."""
    head, sep, token = url.rpartition("/")
    return token if sep and head.upper().endswith("/V") and token else None
