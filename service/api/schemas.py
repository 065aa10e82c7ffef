"""What the catalogue routes send: a pack's entities, in one language, with their ids.

Texts come from the rule pack already in the asked-for locale (Chinese, or English where the
pack has it). Lists come in pack order, so the same pack version always gives the same bytes.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from composer.model import ComposeRequest, QuestionOut
from service.errors import examples


def example_of(model: type[BaseModel]) -> dict[str, Any]:
    """The first example a model declares (to build the examples of models that contain it)."""
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    examples = extra["examples"]
    assert isinstance(examples, list)
    assert isinstance(examples[0], dict)
    return examples[0]


class PackStamp(BaseModel):
    """The pack and version an answer was read from."""

    model_config = examples({"id": "beijing-dongcheng", "version": "3f2a9c0d1b7e4a65"})

    id: str
    version: str = Field(description="content hash of the pack and its parents")


class Counts(BaseModel):
    model_config = examples(
        {"industries": 12, "scope_items": 30, "permits": 18, "materials": 40, "questions": 25, "departments": 8}
    )

    industries: int
    scope_items: int
    permits: int
    materials: int
    questions: int
    departments: int


class PackSummary(BaseModel):
    """A rule pack this service can compose with."""

    model_config = examples(
        {
            "id": "beijing-dongcheng",
            "name": "北京市东城区",
            "version": "3f2a9c0d1b7e4a65",
            "parent": "beijing",
            "chain": ["cn", "beijing", "beijing-dongcheng"],
            "description": "东城区“一业一证”改革规则包",
            "default": True,
            "counts": example_of(Counts),
        }
    )

    id: str
    name: str
    version: str
    parent: str | None
    chain: list[str] = Field(description="the pack and its ancestors, root first")
    description: str | None
    default: bool = Field(description="used when a request names no pack")
    counts: Counts


class PackList(BaseModel):
    model_config = examples({"default": "beijing-dongcheng", "packs": [example_of(PackSummary)]})

    default: str
    packs: list[PackSummary]


class DepartmentPublic(BaseModel):
    model_config = examples({"id": "market", "name": "区市场监督管理局", "window": "东城区政务服务中心 2 层"})

    id: str
    name: str
    window: str | None


class PackDetail(PackSummary):
    """A rule pack with its departments."""

    model_config = examples(
        {
            **example_of(PackSummary),
            "departments": [example_of(DepartmentPublic)],
        }
    )

    departments: list[DepartmentPublic]


class Effective(BaseModel):
    valid_from: date | None = None
    valid_to: date | None = None


class IndustryPublic(Effective):
    """An industry of the catalogue (行业): a named bundle of business-scope items."""

    model_config = examples(
        {
            "id": "convenience_store",
            "name": "便利店",
            "scope": ["food_sales"],
            "keywords": ["超市", "小卖部"],
            "description": "销售预包装食品和日用品的零售门店",
            "implies": {},
            "valid_from": None,
            "valid_to": None,
        }
    )

    id: str
    name: str
    scope: list[str] = Field(description="business-scope item ids it stands for")
    keywords: list[str]
    description: str | None
    implies: dict[str, Any] = Field(description="answers fixed by choosing it")


class ScopeItemPublic(Effective):
    """A business-scope item (经营范围)."""

    model_config = examples(
        {"id": "food_sales", "name": "食品销售", "keywords": ["预包装食品"], "implies": {}, "valid_from": None, "valid_to": None}
    )

    id: str
    name: str
    keywords: list[str]
    implies: dict[str, Any]


class PermitSummary(Effective):
    """A permit (行政许可事项) in a list."""

    model_config = examples(
        {
            "id": "food_business",
            "name": "食品经营许可",
            "kind": "license",
            "department": "market",
            "department_name": "区市场监督管理局",
            "mergeable": True,
            "notify_commit": True,
            "valid_from": None,
            "valid_to": None,
        }
    )

    id: str
    name: str
    kind: Literal["license", "filing", "inspection"]
    department: str
    department_name: str
    mergeable: bool = Field(description="merged into the one form (else a separate sheet)")
    notify_commit: bool = Field(description="can be granted on a signed commitment (告知承诺)")


class Days(BaseModel):
    model_config = examples({"days": 20, "unit": "working"})

    days: int
    unit: Literal["working", "calendar"]


class FollowUpPublic(BaseModel):
    model_config = examples({"text": "许可后现场核查", "within": {"days": 30, "unit": "working"}})

    text: str
    within: Days


class ExclusionPublic(BaseModel):
    """One category of 国办发〔2020〕42号 that excludes a permit from notify-and-commit, with the basis for it."""

    model_config = examples({"category": "public_safety", "basis": ["国办发〔2020〕42号", "《娱乐场所管理条例》第九条"]})

    category: str
    basis: list[str]


class NotifyCommitPublic(BaseModel):
    """Whether and how a permit can be granted on a signed commitment."""

    model_config = examples(
        {
            "available": True,
            "mode": "full",
            "conditional": True,
            "risk_categories": [],
            "reason": None,
            "time_limit": {"days": 1, "unit": "working"},
            "letter": "本人承诺经营场所符合食品安全要求。",
            "follow_up": example_of(FollowUpPublic),
            "deferred_materials": ["floor_plan"],
            "replaces_materials": [],
        }
    )

    available: bool
    mode: Literal["full", "materials"]
    conditional: bool = Field(description="available only when its condition holds for the applicant")
    risk_categories: list[str] = Field(description="excluded categories of the action plan, if any")
    exclusions: list[ExclusionPublic] = Field(default=[], description="each excluded category with its basis")
    reason: str | None = Field(description="why it is not available")
    time_limit: Days | None
    letter: str | None
    follow_up: FollowUpPublic | None
    deferred_materials: list[str]
    replaces_materials: list[str]


class DependencyPublic(BaseModel):
    model_config = examples(
        {"permit": "fire_check", "name": "公众聚集场所消防安全检查", "uses": "fire_opinion", "uses_name": "消防安全检查意见书"}
    )

    permit: str
    name: str
    uses: str | None
    uses_name: str | None


class MaterialRefPublic(BaseModel):
    model_config = examples(
        {
            "key": "floor_plan",
            "name": "经营场所平面布局图",
            "variant": "food_layout",
            "variant_name": "食品设备布局",
            "conditional": False,
            "note": None,
        }
    )

    key: str
    name: str
    variant: str | None
    variant_name: str | None
    conditional: bool = Field(description="needed only in some situations")
    note: str | None


class ConditionPublic(BaseModel):
    """A requirement element (申请条件) of a permit."""

    model_config = examples(
        {
            "id": "manager",
            "kind": "personnel",
            "text": "配备食品安全管理人员",
            "conditional": False,
            "legal_basis": [],
            "fields": ["food_safety_manager"],
            "materials": [],
        }
    )

    id: str
    kind: Literal["premises", "equipment", "capital", "personnel", "management"]
    text: str
    conditional: bool
    legal_basis: list[str]
    fields: list[str]
    materials: list[MaterialRefPublic]


class PermitDetail(PermitSummary):
    """Everything the notice says about one permit: department, legal basis, time limits, conditions, materials."""

    model_config = examples(
        {
            **example_of(PermitSummary),
            "department_window": "东城区政务服务中心 2 层",
            "legal_basis": ["《中华人民共和国食品安全法》第三十五条"],
            "applies_when": {"scope": "food_sales"},
            "statutory_limit": {"days": 20, "unit": "working"},
            "committed_limit": {"days": 10, "unit": "working"},
            "validity_years": 5,
            "fee_yuan": 0,
            "inspection": True,
            "depends_on": [],
            "notify_commit_detail": example_of(NotifyCommitPublic),
            "conditions": [example_of(ConditionPublic)],
            "materials": [example_of(MaterialRefPublic)],
            "fields": ["applicant_name", "uscc", "premises_area"],
            "source": "https://www.beijing.gov.cn/…",
        }
    )

    department_window: str | None
    legal_basis: list[str] = Field(description="设定依据, highest level first")
    applies_when: dict[str, Any] = Field(description="the condition (as data) under which the permit is needed")
    statutory_limit: Days = Field(description="法定时限")
    committed_limit: Days | None = Field(description="承诺时限")
    validity_years: int | None
    fee_yuan: float
    inspection: bool = Field(description="an on-site inspection is part of the approval")
    depends_on: list[DependencyPublic]
    notify_commit_detail: NotifyCommitPublic
    conditions: list[ConditionPublic]
    materials: list[MaterialRefPublic] = Field(description="materials of the permit itself (conditions carry their own)")
    fields: list[str] = Field(description="form field ids of the permit itself")
    source: str


class VariantPublic(BaseModel):
    model_config = examples({"id": "food_layout", "name": "食品设备布局"})

    id: str
    name: str


class MaterialPublic(Effective):
    """A material (申请材料) of the registry, with the variants that merge into one document."""

    model_config = examples(
        {
            "key": "floor_plan",
            "name": "经营场所平面布局图",
            "variants": [example_of(VariantPublic)],
            "government_holds": False,
            "produced_by": None,
            "commit_substitutable": False,
            "valid_from": None,
            "valid_to": None,
        }
    )

    key: str
    name: str
    variants: list[VariantPublic]
    government_holds: bool = Field(description="exempt: the government already holds it")
    produced_by: str | None = Field(description="the permit whose result this is")
    commit_substitutable: bool


def _listing_example(item: type[BaseModel]) -> ConfigDict:
    return examples(
        {
            "pack": example_of(PackStamp),
            "count": 1,
            "items": [example_of(item)],
        }
    )


_Item = TypeVar("_Item", bound=BaseModel)


class _Listing(BaseModel, Generic[_Item]):
    """A catalogue listing: the pack it comes from, how many, and the entries."""

    pack: PackStamp
    count: int
    items: list[_Item]


class IndustryList(_Listing[IndustryPublic]):
    model_config = _listing_example(IndustryPublic)


class ScopeItemList(_Listing[ScopeItemPublic]):
    model_config = _listing_example(ScopeItemPublic)


class PermitList(_Listing[PermitSummary]):
    model_config = _listing_example(PermitSummary)


class MaterialList(_Listing[MaterialPublic]):
    model_config = _listing_example(MaterialPublic)


class QuestionsResponse(BaseModel):
    """The questions still open for a request, most decisive first; none when complete."""

    model_config = examples(
        {
            "pack": {"id": "beijing-dongcheng", "version": "3f2a9c0d1b7e4a65", "as_of": "2026-11-26"},
            "permits": ["food_business"],
            "questions": [
                {
                    "id": "sells_tobacco",
                    "text": "是否销售卷烟？",
                    "help": None,
                    "type": "boolean",
                    "unit": None,
                    "min": None,
                    "max": None,
                    "options": [],
                    "allow_unknown": False,
                    "affects": ["tobacco"],
                }
            ],
            "complete": False,
        }
    )

    pack: PackAsOf
    permits: list[str] = Field(description="permits needed on the answers so far")
    questions: list[QuestionOut]
    complete: bool


class PackAsOf(PackStamp):
    model_config = examples({"id": "beijing-dongcheng", "version": "3f2a9c0d1b7e4a65", "as_of": "2026-11-26"})

    as_of: date


QuestionsResponse.model_rebuild()

COMPOSE_EXAMPLE = example_of(ComposeRequest)
