"""The compose contract's permits: each one needed, refused or done elsewhere, its commitment and versions."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from composer.model_base import Out, Span, written_example


class Commitment(Out):
    eligible: bool
    chosen: bool = False
    mode: Literal["full", "materials"] | None = None
    reason: str | None = Field(default=None, description="why it is not eligible")
    time_limit: Span | None = Field(default=None, description="for an eligible permit, its time limit when taken on commitment")
    letter: str | None = Field(default=None, description="what the applicant promises")
    consequences: str | None = Field(default=None, description="what follows a false commitment")
    follow_up: str | None = Field(default=None, description="the check the department makes after the decision")
    follow_up_within: Span | None = Field(default=None, description="how soon after the decision it is made")


class Dependency(Out):
    permit: str
    name: str
    uses: str | None = None
    uses_name: str | None = None


class VersionOut(Out):
    """The dated version of a permit read on the as-of day, when it is not the permit's current text."""

    model_config = written_example(
        {
            "id": "pre2025",
            "valid_from": None,
            "valid_to": "2025-01-19",
            "text": "按2025年1月19日前施行的规定办理",
            "source": "《公共场所卫生管理条例》（2019修订）第二条",
        }
    )

    id: str
    valid_from: date | None
    valid_to: date | None
    text: str = Field(description="the period in words")
    source: str


class PermitOut(Out):
    id: str
    name: str
    kind: str
    department: str
    department_name: str
    legal_basis: list[str]
    statutory_limit: Span
    committed_limit: Span | None
    effective_limit: Span = Field(description="the limit that applies with the applicant's choices")
    validity_years: int | None
    validity_source: str | None = Field(default=None, description="where the validity period comes from")
    fee_yuan: float
    fee_basis: str | None = Field(default=None, description="the rule that sets the fee")
    time_limit_notes: list[str] = Field(
        default=[], description="how the time limit may be extended and which periods it does not count, with their basis"
    )
    inspection: bool
    mergeable: bool
    commitment: Commitment
    depends_on: list[Dependency]
    stage: int = Field(description="1 for permits decided first; n+1 for those needing a stage-n result")
    conditions: list[str] = Field(description="the requirement elements, in words")
    related: bool = Field(default=False, description="a related matter (关联事项) in the bundle, not a sector permit")
    version: VersionOut | None = Field(
        default=None, description="the dated version read on the as-of day, if not the current text"
    )


class RefusalOut(Out):
    """A permit that cannot be granted here (不予许可), or a business that may not be run here (不得经营)."""

    model_config = written_example(
        {
            "permit": "internet_service_license",
            "permit_name": "网络文化经营许可",
            "id": "near_school",
            "outcome": "prohibit",
            "reason": "中小学校周围200米范围内不得设立互联网上网服务营业场所",
            "because": "您经营网吧，经营场所距最近的中小学校 150 米",
            "legal_basis": ["《互联网上网服务营业场所管理条例》第九条"],
            "rule": "beijing-dongcheng/permits.yaml:88",
        }
    )

    permit: str
    permit_name: str
    id: str
    outcome: Literal["refuse", "prohibit"]
    reason: str
    because: str = Field(description="the business and answers that make it hold")
    legal_basis: list[str]
    rule: str = Field(description="where the pack says it: file:line")


class ElementOut(Out):
    id: str
    permit: str
    kind: str
    text: str


class ElsewhereOut(Out):
    """A related matter (关联事项) the case needs that this jurisdiction's bundle leaves to be done elsewhere."""

    model_config = written_example(
        {
            "permit": "seal_filing",
            "name": "公章刻制备案",
            "department_name": "县（市、区）公安局",
            "statutory_limit": {"days": 1, "unit": "working", "working_days": 1, "text": "1个工作日"},
            "elsewhere": "在企业开办“一网通办”平台或公章刻制企业办理",
            "legal_basis": ["《国务院关于取消一批行政许可事项的决定》（国发〔2020〕13号）"],
        }
    )

    permit: str
    name: str
    department_name: str
    statutory_limit: Span
    elsewhere: str = Field(description="where it is done")
    legal_basis: list[str]
