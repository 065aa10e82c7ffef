"""Reading the QR back from a rendered PDF, as a phone would from paper (imported by the tests)."""

from __future__ import annotations

import pypdfium2
import zxingcpp


def scan_pdf(pdf: bytes, dpi: int = 200) -> list[str]:
    """Every QR code's text on the PDF's first page, rasterised at ``dpi``."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
