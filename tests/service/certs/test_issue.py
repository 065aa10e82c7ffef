"""Issue, re-issue and recovery at the window: who may, what the face says, and what the audit chain records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from certificates.face import CertificateFace
from certificates.status import CertificateState
from composer import Composer
from service.certs.keys import signing_ring
from service.certs.lifecycle import issue, to_issue
from service.certs.models import Certificate
from service.certs.verify import verify
from service.workflow import audit
from service.workflow.errors import Conflict, Forbidden
from service.workflow.models import Application
from service.workflow.review import record_verification
from tests.service.certs.certcase import MONDAY, Staff, task

Decided = Callable[..., Application]


def _token(session: Session, keys_dir: Path, certificate: Certificate) -> str:
    return signing_ring(session, keys_dir).sign(certificate.id, certificate.version)


def test_the_window_issues_one_certificate_with_every_granted_permit(
    session: Session, keys_dir: Path, decide_all: Decided, issue_for: Callable[..., Certificate]
) -> None:
    application = decide_all()
    certificate = issue_for(application)
    face = CertificateFace.model_validate(certificate.face)
    assert (face.holder, face.uscc, face.version, face.industry) == (
        "东城示例旅店有限公司",
        "91110101MA01ABCD06",
        1,
        "食品销售、住宿服务",
    )
    assert [(p.permit, p.department_name) for p in face.permits] == [
        ("food_business", "区市场监督管理局"),
        ("fire_check", "区消防救援支队"),
        ("hotel_trade", "区公安分局"),
    ]
    food = face.permits[0]
    assert food.valid_to == food.valid_from.replace(year=food.valid_from.year + 5) - timedelta(days=1)  # five years
    assert face.not_licensed == []
    assert len({p.number for p in face.permits}) == 3
    assert [e.action for e in audit.history(session, certificate.id)] == ["issue"]
    assert verify(session, _token(session, keys_dir, certificate), MONDAY).state == CertificateState.valid
    assert keys_dir.is_dir()
    assert [p.stat().st_mode & 0o777 for p in keys_dir.glob("*.pem")] == [0o600]


def test_a_refused_permit_is_listed_as_not_licensed_and_the_certificate_is_partial(
    session: Session, keys_dir: Path, decide_all: Decided, issue_for: Callable[..., Certificate]
) -> None:
    certificate = issue_for(decide_all(reject=("hotel_trade",)))
    face = CertificateFace.model_validate(certificate.face)
    assert [p.permit for p in face.permits] == ["food_business", "fire_check"]
    assert [(n.name, n.reason) for n in face.not_licensed] == [("特种行业许可证（旅馆业）", "不予许可")]
    shown = verify(session, _token(session, keys_dir, certificate), MONDAY)
    assert (shown.state, shown.state_label) == (CertificateState.partial.value, "部分许可")


def test_the_window_lists_each_decided_application_with_a_permit_granted_until_its_certificate_is_issued(
    session: Session, decide_all: Decided, issue_for: Callable[..., Certificate]
) -> None:
    granted = decide_all(reject=("hotel_trade",))
    decide_all(reject=("fire_check", "food_business", "hotel_trade"))  # nothing granted: nothing to issue
    assert [(a.number, request) for a, request in to_issue(session)] == [(granted.number, None)]
    issue_for(granted)
    assert to_issue(session) == []


def test_only_the_window_issues_and_only_once_everything_is_decided(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, decide_all: Decided
) -> None:
    application = decide_all()
    for someone in (staff.applicant, staff.fire, staff.supervisor):
        with pytest.raises(Forbidden):
            issue(session, actor=someone, application_id=application.id, composer=composer, keys_dir=keys_dir)
    assert session.exec(select(Certificate)).all() == []


def test_a_face_change_re_issues_a_new_version_and_the_old_one_says_so(
    session: Session, keys_dir: Path, decide_all: Decided, issue_for: Callable[..., Certificate]
) -> None:
    application = decide_all()
    first = issue_for(application)
    old_token = _token(session, keys_dir, first)
    with pytest.raises(Conflict, match="证面未变化"):
        issue_for(application)
    second = issue_for(application, form_values={"premises_address": "北京市东城区新址 1 号"})
    assert (second.number, second.version) == (first.number, 2)
    assert CertificateFace.model_validate(second.face).permits == CertificateFace.model_validate(first.face).permits
    old = verify(session, old_token, MONDAY)
    assert (old.state_label, old.superseded_by_version, old.holder, old.permits) == ("已换发", 2, None, [])
    new = verify(session, _token(session, keys_dir, second), MONDAY)
    assert (new.state_label, new.address) == ("有效", "北京市东城区新址 1 号")
    assert [e.action for e in audit.history(session, first.id)] == ["issue", "supersede"]
    assert [e.action for e in audit.history(session, second.id)] == ["reissue"]
    assert audit.verify(session)[1] == []


def test_a_revoked_permit_voids_the_certificate_at_once_and_its_recovery_is_recorded(
    session: Session, staff: Staff, keys_dir: Path, decide_all: Decided, issue_for: Callable[..., Certificate]
) -> None:
    application = decide_all()
    certificate = issue_for(application)
    token = _token(session, keys_dir, certificate)
    food = task(session, application, "food_business")
    record_verification(
        session, actor=staff.market, task_id=food.id, passed=False, version=food.version, reason="现场核查与承诺不符"
    )
    shown = verify(session, token, MONDAY)
    assert (shown.state_label, shown.void_because) == ("作废", ["food_business"])
    assert [(i.permit, i.state_label) for i in shown.permits][0] == ("food_business", "已撤销")
    session.refresh(certificate)
    assert certificate.recovered_at is not None
    assert certificate.recovery_reason == "现场核查与承诺不符"
    assert [e.action for e in audit.history(session, certificate.id)] == ["issue", "recover"]
