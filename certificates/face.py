"""The certificate's face (证面): what the printed certificate shows, and nothing more."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

ISSUER = "东城区政务服务和数据管理局"
"""一证准营: the district's government-service bureau issues the certificate; each department answers for its permit."""

ISSUER_LOCATION = "北京市东城区"
"""Where that bureau is: the place its PDF signature names (``YIYE_ISSUER_LOCATION`` says another district's)."""


class _Face(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Title(_Face):
    """The certificate's name (证书名称) as its jurisdiction words it (a rule pack's ``wording.certificate``)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"zh": "综合许可凭证", "en": "comprehensive permit certificate"}]},
    )

    zh: str = Field(min_length=1, max_length=40)
    en: str = Field(min_length=1, max_length=80)


PRINTED_BEFORE = Title(zh="行业综合许可凭证", en="Industry comprehensive licence")
"""The name every certificate was printed with before the face carried its pack's: such faces still read so."""


class SubPermit(_Face):
    """One permit the certificate carries (谁审批、谁负责: the department answers for it)."""

    permit: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    number: str = Field(min_length=1, max_length=40, description="许可证编号")
    department: str = Field(min_length=1, max_length=64)
    department_name: str = Field(min_length=1, max_length=200)
    valid_from: date
    valid_to: date | None = Field(default=None, description="None: no fixed term")
    on_commitment: bool = False


class NotLicensed(_Face):
    """未许可事项: a permit of the application refused or not yet decided, listed so nobody mistakes it for granted."""

    permit: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    department_name: str = Field(min_length=1, max_length=200)
    reason: str = Field(max_length=200, description="不予许可 or 审批中")


STORED: dict[str, bool] = {"stored": True}
"""``model_validate_json(..., context=STORED)``: a face read back from the records, its check digit already checked."""


class CertificateFace(_Face):
    """The comprehensive certificate as printed, version by version, under its jurisdiction's name for it."""

    certificate_id: uuid.UUID
    number: str = Field(min_length=1, max_length=40)
    version: int = Field(ge=1, le=65535)
    holder: str = Field(min_length=1, max_length=200)
    uscc: str = Field(description="统一社会信用代码（GB 32100-2015）")
    legal_representative: str = Field(default="", max_length=100)
    address: str = Field(default="", max_length=300)
    industry: str = Field(min_length=1, max_length=200)
    issued_on: date
    issuer: str = ISSUER
    title: Title = PRINTED_BEFORE
    permits: list[SubPermit] = Field(min_length=1)
    not_licensed: list[NotLicensed] = Field(default_factory=list)

    @field_validator("uscc")
    @classmethod
    def _valid_uscc(cls, value: str, info: ValidationInfo) -> str:
        if info.context is STORED:  # checked when it was issued; a scan reads back what was written
            return value
        try:
            return str(stdnum_uscc.validate(value))
        except ValidationError as exc:
            raise ValueError(f"统一社会信用代码无效：{exc}") from exc

    def same_face(self, other: CertificateFace) -> bool:
        """Whether ``other`` prints the same certificate (number, version and date aside)."""
        fixed = {"certificate_id", "number", "version", "issued_on"}
        return self.model_dump(exclude=fixed) == other.model_dump(exclude=fixed)
