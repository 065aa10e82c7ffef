"""Reading the QR back from a rendered PDF, as a phone would from paper (imported by the tests)."""

from __future__ import annotations

from certificates.qr import read_pdf


def scan_pdf(pdf: bytes, dpi: int = 200) -> list[str]:
    """Every QR code's text on the PDF's first page, rasterised at ``dpi``."""
    return read_pdf(pdf, dpi)
