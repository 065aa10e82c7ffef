"""The certificate's face: what it accepts and refuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from certificates.face import CertificateFace
from tests.certificates.facecase import face


def test_a_valid_face_round_trips() -> None:
    printed = face()
    assert CertificateFace.model_validate(printed.model_dump()) == printed


@pytest.mark.parametrize("uscc", ["91110101MA01ABCD07", "9111010", "ABCDEFGHIJKLMNOPQR", ""])
def test_a_wrong_unified_social_credit_code_is_refused_by_name(uscc: str) -> None:
    data = face().model_dump()
    data["uscc"] = uscc
    with pytest.raises(ValidationError) as info:
        CertificateFace.model_validate(data)
    (error,) = info.value.errors()
    assert error["loc"] == ("uscc",)
    assert "统一社会信用代码" in error["msg"]


def test_a_certificate_without_permits_is_refused() -> None:
    data = face().model_dump()
    data["permits"] = []
    with pytest.raises(ValidationError, match="permits"):
        CertificateFace.model_validate(data)


def test_a_changed_address_is_another_face_but_a_new_number_is_not() -> None:
    assert not face().same_face(face(address="北京市东城区另一条胡同 1 号"))
    assert face().same_face(face(number="DCZH2026-ZZZZ-ZZZZ-ZZZZ", version=2))
