"""``yiye certificates verify FILE.pdf``: the signature, the printed QR and the records, each able to fail it alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from service.certs.documents import signed_pdf
from service.certs.models import Certificate
from service.cli import app
from service.workflow.models import Application
from service.workflow.review import record_verification
from tests.service.certs.certcase import Staff, task

runner = CliRunner()
PUBLIC = "https://yiye.example.gov.cn"


@pytest.fixture
def issued_pdf(
    session: Session,
    keys_dir: Path,
    decide_all: Callable[..., Application],
    issue_for: Callable[..., Certificate],
    tmp_path: Path,
) -> tuple[Application, Path]:
    application = decide_all()
    certificate = issue_for(application)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(signed_pdf(session, keys_dir, PUBLIC, certificate, location="北京市东城区", test_ca=True))
    return application, path


def _verify(db_url: str, keys_dir: Path, pdf: Path, trust: str = "pades/ca.pem") -> tuple[int, str]:
    """``yiye certificates verify`` on ``pdf``, trusting the CA at ``trust`` under ``keys_dir``: exit code and output."""
    done = runner.invoke(app, ["certificates", "verify", str(pdf), "--database-url", db_url, "--trust", str(keys_dir / trust)])
    return done.exit_code, done.output


def test_a_genuine_current_certificate_passes(db_url: str, keys_dir: Path, issued_pdf: tuple[Application, Path]) -> None:
    code, output = _verify(db_url, keys_dir, issued_pdf[1])
    assert code == 0, output
    assert "电子签名：有效" in output
    checked = re.search(r"状态：有效（核验于北京时间 (\d{4}-\d\d-\d\d \d\d:\d\d)）", output)
    assert checked, output
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs(datetime.fromisoformat(checked.group(1)) - now) < timedelta(minutes=2)
    assert "结论：凭证真实有效" in output


def test_another_cas_trust_root_fails_it(
    db_url: str, keys_dir: Path, issued_pdf: tuple[Application, Path], tmp_path: Path
) -> None:
    from certificates.seal import make_test_ca

    make_test_ca(tmp_path / "other")
    code, output = _verify(db_url, keys_dir, issued_pdf[1], trust=str(tmp_path / "other/ca.pem"))
    assert code == 1
    assert "不受信任" in output


def test_a_changed_byte_fails_on_the_signature(db_url: str, keys_dir: Path, issued_pdf: tuple[Application, Path]) -> None:
    pdf = issued_pdf[1]
    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x01
    pdf.write_bytes(bytes(data))
    code, output = _verify(db_url, keys_dir, pdf)
    assert code == 1
    assert "文件在签名后被改动" in output


def test_a_void_certificate_fails_on_the_records(
    db_url: str, session: Session, staff: Staff, keys_dir: Path, issued_pdf: tuple[Application, Path]
) -> None:
    application, pdf = issued_pdf
    food = task(session, application, "food_business")
    record_verification(session, actor=staff.market, task_id=food.id, passed=False, version=food.version, reason="承诺不实")
    code, output = _verify(db_url, keys_dir, pdf)
    assert code == 1
    assert "电子签名：有效" in output
    assert "状态：作废" in output
    assert "凭证已作废（food_business）" in output


def test_a_superseded_version_fails_and_names_the_current_one(
    db_url: str, keys_dir: Path, issue_for: Callable[..., Certificate], issued_pdf: tuple[Application, Path]
) -> None:
    application, pdf = issued_pdf
    issue_for(application, form_values={"premises_address": "北京市东城区新址 1 号"})
    code, output = _verify(db_url, keys_dir, pdf)
    assert code == 1
    assert "此版已换发，现行为第 2 版" in output


def test_a_file_that_is_no_pdf_fails_calmly(
    db_url: str, keys_dir: Path, issued_pdf: tuple[Application, Path], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    code, output = _verify(db_url, keys_dir, junk)
    assert code == 1
    assert "文件没有电子签名" in output
    assert "没有可识别的凭证二维码" in output
