"""The compose contract: what goes in, and the one Composition that comes out.

The API, the CLI ``--json``, the web pages and the PDFs all render this same model. Texts in it
are already in the requested locale (Chinese, or English where the pack has it). Lists are in a
fixed order, so the same input and pack version always serialise to the same bytes.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from composer.model_base import IsoDate, Locale, Out, Span, written_example
from composer.model_guide import (
    CommitmentOut,
    DepartmentOut,
    FieldOut,
    Form,
    FormSection,
    MaterialOut,
    Notice,
    PublishedOut,
    PublishedTally,
    SampleOut,
    Savings,
    Sheet,
    Tally,
    WindowOut,
)
from composer.model_permits import Commitment, Dependency, ElementOut, ElsewhereOut, PermitOut, RefusalOut, VersionOut
from rules.conditions import Value

__all__ = [
    "Commitment",
    "CommitmentOut",
    "ComposeRequest",
    "Composition",
    "DepartmentOut",
    "Dependency",
    "ElementOut",
    "ElsewhereOut",
    "FieldOut",
    "Form",
    "FormSection",
    "IsoDate",
    "Locale",
    "MaterialOut",
    "Notice",
    "Out",
    "PackRef",
    "PermitOut",
    "PublishedOut",
    "PublishedTally",
    "QuestionOut",
    "Reason",
    "RefusalOut",
    "SampleOut",
    "Savings",
    "ScopeNote",
    "Sheet",
    "Span",
    "Step",
    "Tally",
    "VersionOut",
    "WindowOut",
    "WordingOut",
]


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


class WordingOut(Out):
    """What the pack's jurisdiction calls the reform, its one window and the certificate, in the requested locale."""

    reform: str
    window: str
    certificate: str | None = Field(description="the one certificate issued; null where each licence is issued itself")


class PackRef(Out):
    id: str
    name: str
    version: str
    as_of: date
    chain: list[str]
    wording: WordingOut | None = Field(default=None, description="the jurisdiction's own words for the notice")


class Step(Out):
    kind: Literal["industry", "scope", "answer", "permit", "element", "rule", "legal_basis", "material", "commitment"]
    id: str
    label: str


class Reason(Out):
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


class ScopeNote(Out):
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


class QuestionOut(Out):
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


class Composition(Out):
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
