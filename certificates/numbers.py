"""Certificate numbers: a district prefix, the year and 60 random bits, so no one can guess or enumerate them."""

from __future__ import annotations

import base64
import secrets
from datetime import date

PREFIX = "DCZH"
"""东城 综合 (comprehensive): the district's prefix for its certificates."""


def new_number(on: date) -> str:
    """e.g. DCZH2026-K3F9-QW2M-7XRD (RFC 4648 base32)."""
    code = base64.b32encode(secrets.token_bytes(8)).decode()[:12]
    return f"{PREFIX}{on.year}-{code[:4]}-{code[4:8]}-{code[8:]}"


def permit_number(certificate_number: str, index: int) -> str:
    """The number printed for the certificate's ``index``-th sub-permit."""
    return f"{certificate_number}-{index:02d}"
