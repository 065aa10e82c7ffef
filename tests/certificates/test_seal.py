"""The bureau's PAdES signature on the certificate PDF: valid against the CA a checker trusts, broken by any edit."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest

from certificates import qr
from certificates.render import render_pdf
from certificates.seal import Seal, check, make_test_ca
from certificates.tokens import TOKEN_CHARS
from tests.certificates.facecase import face
from tests.fixtures.qrscan import scan_pdf

URL = qr.verify_url("https://yiye.dongcheng.gov.cn", "A" * TOKEN_CHARS)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Seal, bytes]:
    folder = tmp_path_factory.mktemp("seal")
    make_test_ca(folder)
    seal = Seal.load(folder)
    return seal, seal.sign(render_pdf(face(), URL), face().title.zh, "北京市东城区")


def test_a_signed_certificate_validates_against_the_test_ca_and_still_reads(signed: tuple[Seal, bytes]) -> None:
    seal, pdf = signed
    result = check(pdf, seal.trust_root)
    assert result.ok, result
    assert "东城区政务服务和数据管理局" in result.signer
    assert "东城示例旅店有限公司" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert scan_pdf(pdf) == [URL]


def test_a_changed_byte_breaks_the_signature(signed: tuple[Seal, bytes]) -> None:
    seal, pdf = signed
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root: Any = reader.trailer["/Root"]
    byte_range = root["/AcroForm"]["/Fields"][0].get_object()["/V"]["/ByteRange"]
    inside = byte_range[0] + byte_range[1] // 2  # a byte of the signed content, before the signature itself
    tampered = bytearray(pdf)
    tampered[inside] ^= 0x01
    result = check(bytes(tampered), seal.trust_root)
    assert result.signed
    assert not result.intact
    assert not result.ok


def test_a_signature_by_another_ca_is_not_trusted(signed: tuple[Seal, bytes], tmp_path: Path) -> None:
    _, pdf = signed
    make_test_ca(tmp_path)
    result = check(pdf, Seal.load(tmp_path).trust_root)
    assert result.intact
    assert not result.trusted
    assert not result.ok


def test_an_unsigned_or_broken_pdf_proves_nothing(signed: tuple[Seal, bytes]) -> None:
    seal, _ = signed
    assert check(render_pdf(face(), URL), seal.trust_root) == check(b"not a pdf at all", seal.trust_root)
    assert not check(b"%PDF-1.7\n garbage", seal.trust_root).ok


def test_bytes_appended_after_signing_leave_the_signature_short_of_the_whole_file(signed: tuple[Seal, bytes]) -> None:
    seal, pdf = signed
    result = check(pdf + b"\n% appended\n", seal.trust_root)
    assert not result.ok
