"""What a scan shows: the token's authenticity, then the certificate's face and its live status, read now.

Only what the printed face shows leaves here: no ID-card or phone numbers, no application, no account.
A superseded version shows its number, version and that it was re-issued, and nothing of the new one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from sqlmodel import Session

from certificates.face import ISSUER, CertificateFace
from certificates.tokens import MAX_TOKEN_CHARS, InvalidToken, TokenError
from service.certs.holdings import live
from service.certs.keys import verifying_ring
from service.certs.lifecycle import current
from service.certs.models import Certificate
from service.models import utcnow


class Unverifiable(Exception):
    """The token proves nothing: ``code`` and words for the page and the JSON error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_ITEM_EXAMPLE: dict[str, JsonValue] = {
    "permit": "food_business",
    "name": "食品经营许可",
    "number": "DCZH2026-K3F9-QW2M-7XRD-01",
    "department_name": "区市场监督管理局",
    "valid_from": "2026-12-07",
    "valid_to": "2031-12-06",
    "on_commitment": True,
    "state": "valid",
    "state_label": "有效",
}
_NOT_LICENSED_EXAMPLE: dict[str, JsonValue] = {
    "name": "特种行业许可证(旅馆业)",
    "department_name": "区公安分局",
    "reason": "不予许可",
}


class ItemOut(BaseModel):
    """One sub-permit on the certificate, with its live state."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_ITEM_EXAMPLE]})

    permit: str
    name: str
    number: str
    department_name: str = Field(description="the department answering for the permit (谁审批、谁负责)")
    valid_from: date
    valid_to: date | None
    on_commitment: bool
    state: str = Field(description="valid, changed, renewing, suspended, cancelled, withdrawn, revoked, expired")
    state_label: str


class NotLicensedOut(BaseModel):
    """未许可事项: a permit of the application the certificate does not grant."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_NOT_LICENSED_EXAMPLE]})

    name: str
    department_name: str
    reason: str


class VerifyOut(BaseModel):
    """A certificate as its QR proves it, with every sub-permit's live state."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "authentic": True,
                    "key_id": "34c6d29e",
                    "issuer": ISSUER,
                    "number": "DCZH2026-K3F9-QW2M-7XRD",
                    "version": 1,
                    "state": "valid",
                    "state_label": "有效",
                    "holder": "东城示例旅店有限公司",
                    "uscc": "91110101MA01ABCD06",
                    "legal_representative": "王芳",
                    "address": "北京市东城区示例胡同 8 号",
                    "industry": "住宿服务",
                    "issued_on": "2026-12-07",
                    "permits": [_ITEM_EXAMPLE],
                    "not_licensed": [_NOT_LICENSED_EXAMPLE],
                    "superseded_by_version": None,
                    "void_because": [],
                    "checked_at": "2026-12-07T08:00:00Z",
                }
            ]
        },
    )

    authentic: bool = Field(description="the signature is valid and made by one of the issuer's keys in use")
    key_id: str
    issuer: str
    number: str
    version: int
    state: Literal["valid", "partial", "superseded", "void"]
    state_label: str = Field(description="有效 / 部分许可 / 已换发 / 作废")
    holder: str | None = Field(description="None on a superseded version")
    uscc: str | None
    legal_representative: str | None
    address: str | None
    industry: str | None
    issued_on: date
    permits: list[ItemOut]
    not_licensed: list[NotLicensedOut]
    superseded_by_version: int | None = Field(description="the version that replaced this one, when it was re-issued")
    void_because: list[str] = Field(description="the sub-permits whose end voided it")
    checked_at: datetime


def verify(session: Session, token: str, today: date) -> VerifyOut:
    """The certificate the token names, as it stands today; ``Unverifiable`` when the token proves nothing."""
    if len(token) > MAX_TOKEN_CHARS:
        raise Unverifiable(TokenError.malformed.value, TokenError.malformed.label)
    try:
        proved = verifying_ring(session).verify(token)
    except InvalidToken as exc:
        raise Unverifiable(exc.reason.value, exc.reason.label) from exc
    certificate = session.get(Certificate, proved.certificate_id)
    if certificate is None or certificate.version != proved.version:
        raise Unverifiable("certificate_unknown", "凭证码签名有效，但本系统没有这份凭证的记录")
    return _shape(session, certificate, proved.key_id, today)


def _shape(session: Session, certificate: Certificate, key_id: str, today: date) -> VerifyOut:
    face = CertificateFace.model_validate(certificate.face)
    newest = current(session, certificate.application_id)
    superseded_by = newest.version if newest is not None and newest.id != certificate.id else None
    record = live(session, certificate.application_id, today)
    status = record.status(certificate, newest, today)
    shown = superseded_by is None
    items = {i.permit: i for i in status.items}
    return VerifyOut(
        authentic=True,
        key_id=key_id,
        issuer=face.issuer,
        number=face.number,
        version=face.version,
        state=status.state.value,
        state_label=status.label,
        holder=face.holder if shown else None,
        uscc=face.uscc if shown else None,
        legal_representative=face.legal_representative if shown else None,
        address=face.address if shown else None,
        industry=face.industry if shown else None,
        issued_on=face.issued_on,
        permits=[
            ItemOut(
                permit=p.permit,
                name=p.name,
                number=p.number,
                department_name=p.department_name,
                valid_from=p.valid_from,
                valid_to=record.terms.get(p.permit, p.valid_to),
                on_commitment=p.on_commitment,
                state=items[p.permit].state.value,
                state_label=items[p.permit].label,
            )
            for p in face.permits
        ]
        if shown
        else [],
        not_licensed=[NotLicensedOut(name=n.name, department_name=n.department_name, reason=n.reason) for n in face.not_licensed]
        if shown
        else [],
        superseded_by_version=superseded_by,
        void_because=status.void_because,
        checked_at=utcnow(),
    )
