"""The certificate PDF: rendered with its QR and sealed by the bureau; and checked as a clerk or inspector would.

``check_pdf`` (``yiye certificates verify FILE.pdf``) asks three things: the bureau's PAdES signature covers
the whole file and chains to the trusted CA (so not a byte was changed since issue); the QR printed on the
page carries a genuine token; and the records say that version is the current one and not void, read now.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from sqlalchemy import Engine
from sqlmodel import Session

from certificates import qr
from certificates.face import CertificateFace
from certificates.render import render_pdf
from certificates.seal import SignatureCheck, check
from certificates.tokens import TOKEN_CHARS
from service.certs.keys import seal, signing_ring
from service.certs.models import Certificate
from service.certs.verify import Unverifiable, VerifyOut, scan
from service.compose import beijing_minute


def verify_url(session: Session, keys_dir: Path, public_url: str, certificate: Certificate) -> str:
    """The URL the certificate's QR carries: its version's token, signed now."""
    return qr.verify_url(public_url, signing_ring(session, keys_dir).sign(certificate.id, certificate.version))


def signed_pdf(
    session: Session, keys_dir: Path, public_url: str, certificate: Certificate, *, location: str, test_ca: bool
) -> bytes:
    """The certificate on A4 with its QR, signed by the bureau (PAdES) where it is (``location``)."""
    face = CertificateFace.model_validate(certificate.face)
    pdf = render_pdf(face, verify_url(session, keys_dir, public_url, certificate))
    return seal(keys_dir, test_ca=test_ca).sign(pdf, face.title.zh, location)


_WARM_PERMIT = {"permit": "food_business", "name": "食品经营许可", "number": "DCZH2026-WARM-01", "valid_from": "2026-12-07"}
WARM_FACE = CertificateFace.model_validate(
    {"certificate_id": str(uuid.UUID(int=0)), "number": "DCZH2026-WARM", "version": 1, "issued_on": "2026-12-07"}
    | {"industry": "住宿服务", "holder": "东城示例旅店有限公司", "uscc": "91110101MA01ABCD06"}
    | {"permits": [_WARM_PERMIT | {"department": "market", "department_name": "区市场监督管理局"}]}
)
"""A face printed once and thrown away when a worker starts (``warm``)."""

_warmed = threading.Event()
_warming = threading.Lock()


def warm() -> None:
    """Print one certificate nobody asked for, once per process, so that loading WeasyPrint, Pango and the print
    faces is done before the first applicant's certificate (bench/verify.py: the first PDF was the slow one)."""
    with _warming:
        if not _warmed.is_set():
            render_pdf(WARM_FACE, qr.verify_url("https://example.invalid", "A" * TOKEN_CHARS))
            _warmed.set()


def warmed(timeout: float) -> bool:
    """Whether ``warm`` has finished, waiting up to ``timeout`` seconds."""
    return _warmed.wait(timeout)


STANDING = frozenset({"valid", "partial"})
"""States in which a certificate licenses its holder (部分许可: for the items it grants)."""


@dataclass
class Verdict:
    """What the file proves, line by line, and whether it is a certificate in force."""

    signature: SignatureCheck
    shown: VerifyOut | None = None
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_pdf(engine: Engine, pdf: bytes, trust_root: asn1_x509.Certificate, today: date) -> Verdict:
    """The signature, the QR and the records' word on one certificate PDF."""
    verdict = Verdict(signature=check(pdf, trust_root))
    verdict.lines.append(_signature_line(verdict))
    codes = _read_codes(pdf)
    tokens = [t for t in map(qr.token_of, codes) if t]
    if not tokens:
        verdict.problems.append("页面上没有可识别的凭证二维码")
        verdict.lines.append("二维码：未识别到")
        return verdict
    try:
        shown = scan(engine, tokens[0], today)
    except Unverifiable as exc:
        verdict.problems.append(f"二维码无法验证：{exc.message}")
        verdict.lines.append(f"二维码：无法验证（{exc.message}）")
        return verdict
    verdict.shown = shown
    verdict.lines.append(f"二维码：凭证编号 {shown.number}，第 {shown.version} 版，签名密钥 {shown.key_id}")
    verdict.lines.append(f"状态：{shown.state_label}（核验于北京时间 {beijing_minute(shown.checked_at)}）")
    if shown.state == "superseded":
        verdict.problems.append(f"此版已换发，现行为第 {shown.superseded_by_version} 版")
    elif shown.state == "void":
        verdict.problems.append(f"凭证已作废（{'、'.join(shown.void_because)}）")
    elif shown.state not in STANDING:
        verdict.problems.append(f"凭证状态为{shown.state_label}")
    for item in shown.permits:
        verdict.lines.append(f"  {item.name}（{item.department_name}）：{item.state_label}")
    return verdict


def _signature_line(verdict: Verdict) -> str:
    signature = verdict.signature
    if signature.ok:
        return f"电子签名：有效，签名人 {signature.signer}，文件自签名后未被改动"
    if not signature.signed:
        verdict.problems.append("文件没有电子签名")
        return "电子签名：无"
    if not (signature.intact and signature.valid):
        verdict.problems.append("电子签名无效：文件在签名后被改动")
        return "电子签名：无效（文件在签名后被改动）"
    if not signature.trusted:
        verdict.problems.append("签名证书不是受信任的发证机关证书")
        return f"电子签名：签名人 {signature.signer} 不受信任"
    verdict.problems.append("签名之后文件又被追加了内容")
    return "电子签名：签名未覆盖整个文件"


def _read_codes(pdf: bytes) -> list[str]:
    try:
        return qr.read_pdf(pdf)
    except Exception:  # pdfium refuses a file that is no PDF; then there is simply no code to read
        return []
