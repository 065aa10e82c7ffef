"""The compose contract's guide: the one form, the materials, commitments, notice, savings and where to go."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from composer.model_base import Out, Span, written_example
from rules.conditions import Value


class FieldOut(Out):
    id: str
    label: str
    type: str
    required: bool
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    options: list[tuple[str, str]] = []
    prefill: Value | None = None
    help: str | None = None
    permits: list[str]


class FormSection(Out):
    id: str
    title: str
    fields: list[FieldOut]


class Sheet(Out):
    """A permit not merged into the one form: its own sheet in the same submission."""

    permit: str
    title: str
    fields: list[FieldOut]


class Form(Out):
    title: str
    sections: list[FormSection]
    sheets: list[Sheet]


class SampleOut(Out):
    """A form the applicant fills in: the 样表 yiye prints, filled in as an example, and/or the official blank template."""

    model_config = written_example({"name": "授权委托书（样表）", "document": "authorization", "url": None})

    name: str
    document: str | None = Field(
        default=None, description="the 样表 yiye prints: GET /documents/samples/{document}.pdf (or .html) on the service"
    )
    url: str | None = Field(default=None, description="the official blank template, where the department publishes one")


class MaterialOut(Out):
    key: str
    name: str
    variants: list[str] = Field(description="the layers or parts merged into this one document")
    permits: list[str]
    status: Literal["submit", "exempt", "internal", "commitment", "deferred"]
    note: str | None = None
    copy_kind: Literal["original", "copy", "original_and_copy"] = Field(default="original", description="材料类型")
    copies: int = Field(default=1, description="份数")
    medium: Literal["paper", "electronic", "either"] = Field(default="either", description="纸质/电子")
    issuer: Literal["applicant", "government"] = Field(
        default="applicant", description="来源 (source): 申请人自备 or 政府部门核发 (issued_by names the issuer where known)"
    )
    issued_by: str | None = None
    held_by: str | None = Field(
        default=None, description="exempt: the government system or department the window fetches it from"
    )
    need: Literal["required", "tolerated", "deferred"] | None = Field(
        default="required",
        description="是否必需: 必要, 容缺 (accepted without it, to follow) or 承诺后补交; none when not handed in",
    )
    instructions: str | None = Field(default=None, description="填报须知")
    sample: SampleOut | None = Field(default=None, description="a blank form or example, where the pack has one")


class CommitmentOut(Out):
    permit: str
    permit_name: str
    mode: Literal["full", "materials"]
    letter: str
    follow_up: str = Field(description="the check the department makes after the decision")
    follow_up_within: Span | None = Field(description="how soon after the decision it is made")
    replaces: list[str]
    deferred: list[str]


class Notice(Out):
    title: str
    intro: str
    refusals: list[str] = Field(default=[], description="what cannot be granted here and why, said before anything else")
    versions: list[str] = Field(default=[], description="permits read in a dated version of their rules, and which")
    steps: list[str]
    closing: str


class Tally(Out):
    permits: int
    forms: int
    materials: int
    form_fields: int
    working_days: int


class PublishedTally(Out):
    """Counts as a published report gives them; null where it gives none."""

    model_config = written_example({"permits": 5, "materials": 53, "form_fields": 313, "working_days": 95})

    permits: int | None = None
    forms: int | None = None
    materials: int | None = None
    form_fields: int | None = None
    working_days: int | None = None


class PublishedOut(Out):
    """A before-and-after figure published for a chosen industry, shown beside the computed one."""

    model_config = written_example(
        {
            "industry": "便利店",
            "before": {"permits": 5, "materials": 53, "form_fields": 313, "working_days": 95},
            "after": {"materials": 10, "form_fields": 98, "working_days": 5},
            "source": "https://fx361.cc/page/2024/0924/24688988.shtml",
            "note": "2024年人大执法检查报告",
        }
    )

    industry: str
    before: PublishedTally
    after: PublishedTally
    source: str
    note: str | None = None


class Savings(Out):
    before: Tally = Field(description="applying for each permit separately, one after another")
    after: Tally = Field(description="one form, deduplicated materials, parallel approval")
    method: str = Field(default="", description="how the computed figures are counted")
    published: list[PublishedOut] = Field(default=[], description="figures published for the chosen industries, with sources")


class WindowOut(Out):
    """The one window an application is made at, and how it is reached."""

    model_config = written_example(
        {
            "name": "东城区政务服务中心“一业一证”综合窗口（区政务服务局）",
            "address": "北京市东城区珠市口东大街12号",
            "hours": "工作日上午9时至下午5时（法定节假日除外）",
            "phone": "12345",
            "complaints": "12345",
            "online": "https://banshi.beijing.gov.cn",
        }
    )

    name: str
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    complaints: str | None = Field(default=None, description="监督投诉电话")
    online: str | None = None


class DepartmentOut(Out):
    """A department deciding some of the permits: how to reach it, and what to do if refused (救济方式)."""

    id: str
    name: str
    permits: list[str]
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    complaints: str | None = Field(default=None, description="监督投诉电话")
    online: str | None = None
    remedies: str = Field(description="行政复议 and 行政诉讼: the bodies and time limits, in words")
    remedies_basis: list[str]
