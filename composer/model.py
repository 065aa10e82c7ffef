"""The compose contract: what goes in, and the one Composition that comes out.

The API, the CLI ``--json``, the web pages and the PDFs all render this same model. Texts in it
are already in the requested locale (Chinese, or English where the pack has it). Lists are in a
fixed order, so the same input and pack version always serialise to the same bytes.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidatorFunctionWrapHandler, WrapValidator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from rules.conditions import Value

Locale = Literal["zh", "en"]

_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _full_date(value: object, read: ValidatorFunctionWrapHandler) -> date:
    """Only what the schema's ``format: date`` says: pydantic alone also reads 0, "0" or a midnight datetime as a date."""
    parsed: date = read(value)  # what is no date at all keeps pydantic's own error
    if isinstance(value, date) or (isinstance(value, str) and _FULL_DATE.fullmatch(value)):
        return parsed
    raise PydanticCustomError("date_parsing", "Input should be a date written YYYY-MM-DD")


IsoDate = Annotated[date, WrapValidator(_full_date)]
"""A date as JSON and URLs write it: ``2026-11-26``."""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


def written_example(example: JsonDict) -> ConfigDict:
    """A frozen output model whose OpenAPI example is written out: only some compositions have one to take it from."""
    return ConfigDict(frozen=True, json_schema_extra={"examples": [example]})


class ComposeRequest(BaseModel):
    """One applicant's situation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "pack": "beijing-dongcheng",
                    "as_of": "2026-11-26",
                    "industries": ["convenience_store"],
                    "answers": {
                        "area_m2": 80,
                        "sells_tobacco": True,
                        "sells_bulk_food": True,
                        "food_prep_onsite": False,
                        "is_chain": False,
                    },
                    "commit": ["food_business"],
                    "locale": "zh",
                }
            ],
            # What the composer refuses as nothing_chosen, said where a client reads the contract.
            "anyOf": [
                {"required": ["industries"], "properties": {"industries": {"minItems": 1}}},
                {"required": ["scope"], "properties": {"scope": {"minItems": 1}}},
            ],
        },
    )

    pack: str = Field(default="beijing-dongcheng", max_length=64, description="rule pack id")
    as_of: IsoDate | None = Field(default=None, description="the date the rules are read as of; today if omitted")
    industries: list[str] = Field(default=[], max_length=20, description="industry ids (行业)")
    scope: list[str] = Field(default=[], max_length=50, description="business-scope item ids (经营范围)")
    answers: dict[str, Value | None] = Field(
        default={}, max_length=200, description='question id → answer; null or "unknown" for 不确定'
    )
    commit: list[str] = Field(default=[], max_length=50, description="permits taken on notify-and-commit")
    locale: Locale = "zh"


class WordingOut(_Out):
    """What the pack's jurisdiction calls the reform, its one window and the certificate, in the requested locale."""

    reform: str
    window: str
    certificate: str | None = Field(description="the one certificate issued; null where each licence is issued itself")


class PackRef(_Out):
    id: str
    name: str
    version: str
    as_of: date
    chain: list[str]
    wording: WordingOut | None = Field(default=None, description="the jurisdiction's own words for the notice")


class Span(_Out):
    """A time limit as written in law and as a count of working days from the as-of date."""

    days: int
    unit: Literal["working", "calendar"]
    working_days: int
    text: str


class Commitment(_Out):
    eligible: bool
    chosen: bool = False
    mode: Literal["full", "materials"] | None = None
    reason: str | None = Field(default=None, description="why it is not eligible")
    time_limit: Span | None = Field(default=None, description="for an eligible permit, its time limit when taken on commitment")
    letter: str | None = Field(default=None, description="what the applicant promises")
    consequences: str | None = Field(default=None, description="what follows a false commitment")
    follow_up: str | None = Field(default=None, description="the check the department makes after the decision")
    follow_up_within: Span | None = Field(default=None, description="how soon after the decision it is made")


class Dependency(_Out):
    permit: str
    name: str
    uses: str | None = None
    uses_name: str | None = None


class VersionOut(_Out):
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


class PermitOut(_Out):
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


class RefusalOut(_Out):
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


class ElementOut(_Out):
    id: str
    permit: str
    kind: str
    text: str


class FieldOut(_Out):
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


class FormSection(_Out):
    id: str
    title: str
    fields: list[FieldOut]


class Sheet(_Out):
    """A permit not merged into the one form: its own sheet in the same submission."""

    permit: str
    title: str
    fields: list[FieldOut]


class Form(_Out):
    title: str
    sections: list[FormSection]
    sheets: list[Sheet]


class SampleOut(_Out):
    """A form the applicant fills in: the 样表 yiye prints, filled in as an example, and/or the official blank template."""

    model_config = written_example({"name": "授权委托书（样表）", "document": "authorization", "url": None})

    name: str
    document: str | None = Field(
        default=None, description="the 样表 yiye prints: GET /documents/samples/{document}.pdf (or .html) on the service"
    )
    url: str | None = Field(default=None, description="the official blank template, where the department publishes one")


class MaterialOut(_Out):
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
        default="applicant", description="来源: 申请人自备, or 政府部门核发 (issued_by names the body where the pack does)"
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


class CommitmentOut(_Out):
    permit: str
    permit_name: str
    mode: Literal["full", "materials"]
    letter: str
    follow_up: str = Field(description="the check the department makes after the decision")
    follow_up_within: Span | None = Field(description="how soon after the decision it is made")
    replaces: list[str]
    deferred: list[str]


class Notice(_Out):
    title: str
    intro: str
    refusals: list[str] = Field(default=[], description="what cannot be granted here and why, said before anything else")
    versions: list[str] = Field(default=[], description="permits read in a dated version of their rules, and which")
    steps: list[str]
    closing: str


class Tally(_Out):
    permits: int
    forms: int
    materials: int
    form_fields: int
    working_days: int


class PublishedTally(_Out):
    """Counts as a published report gives them; null where it gives none."""

    model_config = written_example({"permits": 5, "materials": 53, "form_fields": 313, "working_days": 95})

    permits: int | None = None
    forms: int | None = None
    materials: int | None = None
    form_fields: int | None = None
    working_days: int | None = None


class PublishedOut(_Out):
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


class Savings(_Out):
    before: Tally = Field(description="applying for each permit separately, one after another")
    after: Tally = Field(description="one form, deduplicated materials, parallel approval")
    method: str = Field(default="", description="how the computed figures are counted")
    published: list[PublishedOut] = Field(default=[], description="figures published for the chosen industries, with sources")


class Step(_Out):
    kind: Literal["industry", "scope", "answer", "permit", "element", "rule", "legal_basis", "material", "commitment"]
    id: str
    label: str


class Reason(_Out):
    kind: Literal["permit", "element", "field", "material", "commitment"]
    id: str
    included: bool
    chain: list[Step] = Field(description="the trace: answers, rule (file:line) and legal basis behind it")
    summary: str
    explanation: str | None = Field(
        default=None,
        description="the fewest of the applicant's facts that decide it, in plain words: for permits, and for elements and "
        "commitments that depend on answers",
    )


class ScopeNote(_Out):
    """A chosen business-scope item that needs no permit of its own here: said, not silently dropped."""

    model_config = written_example(
        {
            "scope": "liquor_retail",
            "name": "酒类经营（零售）",
            "text": "北京市不再单独核发酒类零售许可，酒类零售随食品经营许可一并办理。",
            "source": "北京市商务局关于酒类流通管理的公告",
        }
    )

    scope: str
    name: str
    text: str = Field(description="why it needs no permit of its own")
    source: str = Field(description="where the pack's entry for it comes from")


class WindowOut(_Out):
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


class DepartmentOut(_Out):
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


class QuestionOut(_Out):
    id: str
    text: str
    help: str | None
    type: str
    unit: str | None
    min: float | None
    max: float | None
    options: list[tuple[str, str]]
    allow_unknown: bool
    affects: list[str] = Field(description="permits whose outcome this answer can change")


class ElsewhereOut(_Out):
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


class Composition(_Out):
    pack: PackRef
    industries: list[str]
    scope: list[str]
    answers: dict[str, Value | None] = Field(description="the answers in force, implied ones included")
    refusals: list[RefusalOut] = Field(
        default=[], description="permits that cannot be granted as things stand (不予许可/不得经营), with their legal basis"
    )
    permits: list[PermitOut]
    elements: list[ElementOut]
    form: Form
    materials: list[MaterialOut]
    commitments: list[CommitmentOut]
    notice: Notice
    savings: Savings
    reasons: list[Reason]
    questions: list[QuestionOut]
    scope_notes: list[ScopeNote] = Field(default=[], description="chosen scope items that lead to no permit of their own")
    windows: list[WindowOut] = Field(default=[], description="where the application is made (一窗受理)")
    departments: list[DepartmentOut] = Field(default=[], description="the deciding departments: contacts and 救济方式")
    elsewhere: list[ElsewhereOut] = Field(default=[], description="related matters needed but done outside this bundle")
    complete: bool = Field(description="no open question can change the result")
