"""A certificate face to test with (imported by the tests)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from certificates.face import CertificateFace, NotLicensed, SubPermit


def face(**changes: object) -> CertificateFace:
    base = CertificateFace(
        certificate_id=uuid.UUID("0b7c5f1e-2f54-4d8a-9a51-3f0f6c1d2e77"),
        number="DCZH2026-ABCD-EFGH-IJKL",
        version=1,
        holder="东城示例旅店有限公司",
        uscc="91110101MA01ABCD06",
        legal_representative="王芳",
        address="北京市东城区示例胡同 8 号",
        industry="旅馆",
        issued_on=date(2026, 12, 7),
        permits=[
            _permit(
                "food_business", "食品经营许可", 1, "market", "区市场监督管理局", valid_to=date(2031, 12, 6), on_commitment=True
            ),
            _permit("fire_check", "公众聚集场所消防安全检查", 2, "fire", "区消防救援支队"),
        ],
        not_licensed=[
            NotLicensed(permit="hotel_trade", name="特种行业许可（旅馆业）", department_name="区公安分局", reason="不予许可")
        ],
    )
    return base.model_copy(update=changes)


def _permit(permit: str, name: str, index: int, department: str, department_name: str, **more: Any) -> SubPermit:
    """The ``index``-th sub-permit on the face, valid from the issue day."""
    return SubPermit(
        permit=permit,
        name=name,
        number=f"DCZH2026-ABCD-EFGH-IJKL-{index:02d}",
        department=department,
        department_name=department_name,
        valid_from=date(2026, 12, 7),
        **more,
    )
