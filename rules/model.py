"""The rule model: what a rule pack may say, validated strictly (unknown keys are errors).

Every entity names where its facts come from (``source``: a URL or title, or ``inferred``) and
may carry an effective period; rule-bearing entities (permits and their elements) carry a legal
basis. Texts are Chinese first, with an English version where known.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from rules.conditions import Condition, Value

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
"""Ids are lowercase ASCII: they become field names inside the rules engine."""

PackId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,62}$")]


class RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(RuleModel):
    zh: str = Field(min_length=1)
    en: str | None = None

    def in_(self, locale: str) -> str:
        return self.en if locale.startswith("en") and self.en else self.zh


class Effective(RuleModel):
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self

    def in_effect(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


class Sourced(Effective):
    source: str = Field(min_length=1, description="URL or title of the source, or 'inferred'")


PHONE = r"^\+?[0-9][0-9 -]*[0-9]$"
"""A telephone number as dialled: digits, with an optional leading + and spaces or hyphens between groups (010-12345678)."""
WEB = r"^https?://[^\s]+$"
"""An address a browser opens (http or https)."""


class Contact(RuleModel):
    """Where and when a department or the one window is reached, as a 办事指南 gives it (办理地点、办公时间、
    咨询电话、监督投诉电话、网上办理)."""

    address: Text | None = None
    hours: Text | None = None
    phone: str | None = Field(default=None, max_length=40, pattern=PHONE)
    complaints: str | None = Field(default=None, max_length=40, pattern=PHONE, description="监督投诉电话")
    online: str | None = Field(default=None, max_length=300, pattern=WEB, description="网上办理: the online entrance")
    source: str = Field(min_length=1)


class Window(Text):
    """The one window (一窗受理) a department's permits are applied for at: its name, and how it is reached."""

    contact: Contact | None = None


class Remedies(RuleModel):
    """Who hears an objection to the department's decision (救济方式): the 行政复议 body and the court."""

    review_body: Text = Field(description="行政复议机关")
    court: Text | None = Field(default=None, description="the court of 行政诉讼, where the pack knows it")
    source: str = Field(min_length=1)


class Department(Sourced):
    id: Id
    name: Text
    window: Window | None = None
    contact: Contact | None = None
    remedies: Remedies | None = None


class Choice(RuleModel):
    value: str = Field(min_length=1)
    label: Text


class QuestionType(StrEnum):
    boolean = "boolean"
    number = "number"
    choice = "choice"
    multi_choice = "multi_choice"
    """Several options at once (a gym with a pool and a climbing wall); conditions test the set."""

    @property
    def has_options(self) -> bool:
        return self in (QuestionType.choice, QuestionType.multi_choice)


class Question(Sourced):
    id: Id
    text: Text
    help: Text | None = None
    type: QuestionType
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    options: tuple[Choice, ...] = ()
    relevant_when: Condition | None = None
    allow_unknown: bool = False
    order: int = 100

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type.has_options and len(self.options) < 2:
            raise ValueError(f"question '{self.id}' is a choice and needs at least two options")
        if not self.type.has_options and self.options:
            raise ValueError(f"question '{self.id}' has options but is of type {self.type.value}")
        if self.type is not QuestionType.number and (self.min is not None or self.max is not None or self.unit):
            raise ValueError(f"question '{self.id}': min, max and unit apply to numbers only")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"question '{self.id}': max {self.max} is below min {self.min}")
        values = [o.value for o in self.options]
        if len(values) != len(set(values)):
            raise ValueError(f"question '{self.id}' repeats an option value")
        return self


class ScopeItem(Sourced):
    """A business-scope entry (经营范围) an applicant can pick alone or through an industry."""

    id: Id
    name: Text
    implies: dict[Id, Value] = Field(default_factory=dict, description="answers fixed by picking it")
    keywords: tuple[str, ...] = ()


class Figures(RuleModel):
    """Counts a published report gives for one side of the reform; what it does not give stays unset."""

    permits: int | None = Field(default=None, ge=0)
    forms: int | None = Field(default=None, ge=0)
    materials: int | None = Field(default=None, ge=0)
    form_fields: int | None = Field(default=None, ge=0)
    working_days: int | None = Field(default=None, ge=0)


class Published(RuleModel):
    """A before-and-after figure published for an industry (e.g. a convenience store: 95 → 5 working days)."""

    before: Figures
    after: Figures
    source: str = Field(min_length=1)
    note: Text | None = None


class Industry(Sourced):
    """An entry of the industry catalogue (行业目录): a named bundle of scope items."""

    id: Id
    name: Text
    scope: list[Id] = Field(min_length=1)
    implies: dict[Id, Value] = Field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    description: Text | None = None
    published: tuple[Published, ...] = Field(default=(), description="before-reform baselines published for it")


class ElementKind(StrEnum):
    premises = "premises"
    equipment = "equipment"
    capital = "capital"
    personnel = "personnel"
    management = "management"


class MaterialRef(RuleModel):
    material: Id
    variant: Id | None = None
    when: Condition | None = None
    note: Text | None = None


class Element(Sourced):
    """A requirement element (最小颗粒度): one condition of a permit, with what proves it."""

    id: Id
    kind: ElementKind
    text: Text
    when: Condition | None = None
    fields: tuple[Id, ...] = ()
    materials: tuple[MaterialRef, ...] = ()
    legal_basis: tuple[str, ...] = ()


class Outcome(StrEnum):
    """What a refusal means for the applicant."""

    refuse = "refuse"
    """不予许可: the department must refuse the permit."""
    prohibit = "prohibit"
    """不得经营: the business may not be run here at all."""


class Refusal(Sourced):
    """A situation in which the permit cannot be granted (不予许可/不得经营), with its legal basis."""

    id: Id
    outcome: Outcome = Outcome.refuse
    text: Text = Field(description="the reason, as the notice states it")
    when: Condition
    legal_basis: tuple[str, ...] = ()


class DayUnit(StrEnum):
    working = "working"
    calendar = "calendar"


class Days(RuleModel):
    days: int = Field(ge=0, le=400)
    unit: DayUnit = DayUnit.working


class Pause(StrEnum):
    """Periods 《行政许可法》第四十五条 leaves out of a time limit."""

    hearing = "hearing"
    tender = "tender"
    auction = "auction"
    inspection = "inspection"
    testing = "testing"
    quarantine = "quarantine"
    appraisal = "appraisal"
    expert_review = "expert_review"


class Extension(RuleModel):
    """How far a time limit may be extended, and whose approval that needs (延长, e.g. 《行政许可法》第四十二条)."""

    days: Days
    approval: Text = Field(description="who approves the extension")
    basis: str = Field(min_length=1)
    source: str = Field(min_length=1)


class TimeLimit(RuleModel):
    statutory: Days
    committed: Days | None = None
    extension: Extension | None = None
    not_counted: tuple[Pause, ...] = Field(default=(), description="periods the time limit does not count")
    not_counted_basis: str | None = None
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _based(self) -> TimeLimit:
        if self.not_counted and not self.not_counted_basis:
            raise ValueError("not_counted 须写明依据 not_counted_basis（如《行政许可法》第四十五条）")
        return self


class RiskCategory(StrEnum):
    """The eight categories excluded from notify-and-commit (告知承诺) by 国办发〔2020〕42号, which the action plan follows."""

    national_security = "national_security"
    """国家安全"""
    state_secrets = "state_secrets"
    """国家秘密"""
    public_safety = "public_safety"
    """公共安全"""
    financial_prudential = "financial_prudential"
    """金融业审慎监管"""
    ecological = "ecological"
    """生态环境保护"""
    personal_health = "personal_health"
    """直接关系人身健康"""
    life_property_safety = "life_property_safety"
    """直接关系生命财产安全"""
    foreign_affairs = "foreign_affairs"
    """重要涉外"""


class Exclusion(RuleModel):
    """Why a permit is excluded from notify-and-commit: one of the eight categories, and the basis that puts it there."""

    category: str = Field(description="a RiskCategory; an unknown one is refused by the checks, in Chinese")
    basis: tuple[str, ...] = Field(default=(), description="the rules that exclude it; refused when empty")

    @property
    def known(self) -> RiskCategory | None:
        return RiskCategory(self.category) if self.category in RiskCategory.__members__ else None


class FollowUp(RuleModel):
    text: Text
    within: Days


class NotifyCommit(RuleModel):
    """Whether and how the permit can be granted on a signed commitment (告知承诺)."""

    available: bool
    mode: Literal["full", "materials"] = "full"
    when: Condition | None = None
    excluded: tuple[Exclusion, ...] = Field(default=(), description="the excluded categories it falls in, each with its basis")
    reason: Text | None = Field(default=None, description="why it is not available, in words")
    time_limit: Days | None = None
    letter: Text | None = None
    follow_up: FollowUp | None = None
    deferred_materials: tuple[Id, ...] = ()
    replaces_materials: tuple[Id, ...] = ()
    source: str = Field(min_length=1)

    @property
    def risk_categories(self) -> tuple[RiskCategory, ...]:
        """The excluded categories it falls in (an unknown one is the checks' to refuse)."""
        return tuple(c for c in (e.known for e in self.excluded) if c is not None)

    @model_validator(mode="after")
    def _complete(self) -> NotifyCommit:
        if self.available and not self.excluded:
            missing = [n for n in ("letter", "follow_up") if getattr(self, n) is None]
            if missing:
                raise ValueError(f"notify-and-commit is available but {', '.join(missing)} is missing")
            if self.mode == "materials" and not self.replaces_materials:
                raise ValueError("mode 'materials' needs replaces_materials")
        if not self.available and self.reason is None and not self.excluded:
            raise ValueError("notify-and-commit is not available: give a reason or the excluded categories")
        return self


class Dependency(RuleModel):
    permit: Id
    uses: Id | None = Field(default=None, description="the material the other permit produces")


class PermitKind(StrEnum):
    license = "license"
    filing = "filing"
    inspection = "inspection"


class Related(RuleModel):
    """A related matter (关联事项): not a sector permit, but an item a bundle may include (营业执照, 涉税, 公章刻制…)."""

    bundled: bool = Field(description="handled in this jurisdiction's bundle; if not, the notice tells it as done elsewhere")
    elsewhere: Text | None = Field(default=None, description="where it is done when it is not bundled")
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _told(self) -> Related:
        if not self.bundled and self.elsewhere is None:
            raise ValueError("关联事项不在本地套餐中时，须写明另行办理之处 elsewhere")
        return self


class PermitVersion(Sourced):
    """A dated version of a permit: only the fields a change in law or practice altered, each replaced whole."""

    name: Text | None = None
    kind: PermitKind | None = None
    department: Id | None = None
    legal_basis: list[str] | None = None
    applies_when: Condition | None = None
    time_limit: TimeLimit | None = None
    validity_years: int | None = Field(default=None, ge=1, le=30)
    fee_yuan: float | None = Field(default=None, ge=0)
    inspection: bool | None = None
    notify_commit: NotifyCommit | None = None
    fields: tuple[Id, ...] | None = None
    materials: tuple[MaterialRef, ...] | None = None
    elements: tuple[Element, ...] | None = None
    refusals: tuple[Refusal, ...] | None = None

    @model_validator(mode="after")
    def _dated(self) -> PermitVersion:
        if self.valid_from is None and self.valid_to is None:
            raise ValueError("版本须写明 valid_from 或 valid_to")
        return self


class Permit(Sourced):
    id: Id
    name: Text
    kind: PermitKind = PermitKind.license
    department: Id
    legal_basis: list[str]
    applies_when: Condition
    time_limit: TimeLimit
    validity_years: int | None = Field(default=None, ge=1, le=30)
    validity_source: str | None = Field(default=None, description="where the validity period comes from")
    fee_yuan: float = Field(default=0, ge=0)
    fee_basis: str = Field(
        default="《中华人民共和国行政许可法》第五十八条", description="the rule that sets the fee (by default, none is charged)"
    )
    inspection: bool = False
    mergeable: bool = True
    depends_on: tuple[Dependency, ...] = ()
    notify_commit: NotifyCommit
    fields: tuple[Id, ...] = ()
    materials: tuple[MaterialRef, ...] = ()
    elements: tuple[Element, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    order: int = 100
    related: Related | None = Field(default=None, description="set for a related matter (关联事项), not a sector permit")
    versions: dict[Id, PermitVersion] = Field(
        default_factory=dict, description="dated versions of the same permit, read instead of these fields while in force"
    )
    formerly: tuple[Id, ...] = Field(default=(), description="ids this permit had before its versions were merged into it")

    def in_effect(self, on: date) -> bool:
        return super().in_effect(on) or any(v.in_effect(on) for v in self.versions.values())

    def version_on(self, on: date) -> str | None:
        """The id of the version in force on a day, or None when the permit's own fields are."""
        return next((vid for vid, v in self.versions.items() if v.in_effect(on)), None)

    def read_on(self, day: date) -> Permit:
        """The permit as it reads on a day: the version in force, if any, laid over its own fields."""
        vid = self.version_on(day)
        if vid is None:
            return self
        version = self.versions[vid]
        changed = {name: getattr(version, name) for name in version.model_fields_set}
        return self.model_copy(update={**changed, "valid_from": version.valid_from, "valid_to": version.valid_to})


class Variant(RuleModel):
    id: Id
    name: Text


SampleDocument = Literal["authorization"]
"""The 样表 forms/ prints for a material (the one form and the commitment letter have theirs without pack data)."""


class Sample(RuleModel):
    """A form the applicant fills in: a filled-in example yiye prints (样表), the official blank template, or both."""

    name: Text
    document: SampleDocument | None = Field(default=None, description="the 样表 forms/ prints, filled in as an example")
    url: str | None = Field(default=None, max_length=300, pattern=WEB, description="the official blank template")
    source: str = Field(min_length=1, description="where the template, or what the example follows, comes from")

    @model_validator(mode="after")
    def _something_to_open(self) -> Sample:
        if self.document is None and self.url is None:
            raise ValueError("a sample needs a document yiye prints (document) or the official template's address (url)")
        return self


class Holder(RuleModel):
    """Which government system or department holds an exempt material, so the window fetches it (免于提交)."""

    name: Text
    source: str = Field(min_length=1)


class Material(Sourced):
    key: Id
    name: Text
    variants: tuple[Variant, ...] = ()
    government_holds: bool = Field(default=False, description="exempt: the government already holds it")
    held_by: Holder | None = Field(default=None, description="the system or department holding it, where exempt")
    produced_by: Id | None = Field(default=None, description="a permit whose result this is")
    commit_substitutable: bool = False
    copy_kind: Literal["original", "copy", "original_and_copy"] = Field(
        default="original", description="材料类型：原件，复印件 or both"
    )
    copies: int = Field(default=1, ge=1, le=20, description="份数")
    medium: Literal["paper", "electronic", "either"] = Field(
        default="either", description="纸质/电子: 一网通办 takes either unless the pack says otherwise"
    )
    issued_by: Text | None = Field(default=None, description="来源: the body that issues it; none when the applicant makes it")
    tolerated: bool = Field(default=False, description="容缺: the application is accepted without it, to follow later")
    instructions: Text | None = Field(default=None, description="填报须知")
    sample: Sample | None = None


class FieldType(StrEnum):
    text = "text"
    textarea = "textarea"
    number = "number"
    date = "date"
    boolean = "boolean"
    choice = "choice"
    uscc = "uscc"
    id_number = "id_number"
    phone = "phone"
    email = "email"


class Section(StrEnum):
    applicant = "applicant"
    premises = "premises"
    equipment = "equipment"
    capital = "capital"
    personnel = "personnel"
    management = "management"
    other = "other"


class FormField(Sourced):
    id: Id
    label: Text
    section: Section
    type: FieldType
    required: bool = True
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = Field(default=None, ge=1, le=10000)
    options: tuple[Choice, ...] = ()
    prefill_from: Id | None = Field(default=None, description="a question whose answer fills it")
    help: Text | None = None
    order: int = 100

    @model_validator(mode="after")
    def _shape(self) -> FormField:
        if (self.type is FieldType.choice) != bool(self.options):
            raise ValueError(f"field '{self.id}': options go with type choice, and only with it")
        return self


class Expect(RuleModel):
    permits: list[Id] | None = None
    permits_include: tuple[Id, ...] = ()
    permits_exclude: tuple[Id, ...] = ()
    materials_include: tuple[Id, ...] = ()
    materials_exclude: tuple[Id, ...] = ()
    fields_include: tuple[Id, ...] = ()
    commit_eligible: list[Id] | None = None
    refusals: list[str] | None = Field(default=None, description="the refusals that hold, each as permit.refusal")
    elsewhere: list[Id] | None = Field(default=None, description="the related matters told as done outside the bundle")
    versions: dict[Id, Id | None] = Field(
        default_factory=dict, description="permit → the dated version it reads in (null: its current text)"
    )
    questions_include: tuple[Id, ...] = ()
    questions_exclude: tuple[Id, ...] = ()
    complete: bool | None = None
    error: str | None = Field(default=None, description="the error code the input must be refused with")


class Scenario(RuleModel):
    name: str = Field(min_length=1)
    as_of: date | None = None
    industries: tuple[Id, ...] = ()
    scope: tuple[Id, ...] = ()
    answers: dict[str, Value | None] = {}
    commit: tuple[Id, ...] = ()
    expect: Expect


# --- after issue (全生命周期): what a change, an extension, a suspension or a cancellation asks for ---


class LifecycleKind(StrEnum):
    """The applications a holder makes about a certificate after it is issued."""

    change = "change"
    extension = "extension"
    suspension = "suspension"
    resumption = "resumption"
    cancellation = "cancellation"


class LifecycleAsk(RuleModel):
    """What one permit's department asks for on top of the lifecycle entry's own list."""

    fields: tuple[Id, ...] = ()
    materials: tuple[MaterialRef, ...] = ()


class Lifecycle(Sourced):
    """One lifecycle application type (变更, 延续, 歇业, 复业, 注销): its form fields, materials and time limit."""

    id: LifecycleKind
    name: Text
    legal_basis: list[str] = Field(min_length=1)
    fields: tuple[Id, ...] = Field(default=(), description="form-field dictionary ids asked again, filled from the certificate")
    materials: tuple[MaterialRef, ...] = ()
    permits: dict[Id, LifecycleAsk] = Field(default_factory=dict, description="per-permit additions")
    time_limit: Days = Field(description="the department's time to decide, from acceptance")


class Wording(RuleModel):
    """What a jurisdiction calls the reform, its one window and the certificate; a child pack overrides what it names."""

    reform: Text | None = None
    window: Text | None = Field(default=None, description="who accepts the application at one window")
    certificate: Text | None = Field(default=None, description="the one certificate issued; null: each licence is issued itself")
    source: str | None = None

    def over(self, parent: Wording) -> Wording:
        """This wording laid over a parent's: only the keys written here change."""
        return parent.model_copy(update={name: getattr(self, name) for name in self.model_fields_set})


NATIONAL_WORDING = Wording(
    reform=Text(zh="一业一证", en="One-industry-one-license"),
    window=Text(zh="政务服务中心综合窗口", en="The government service centre"),
    certificate=Text(zh="行业综合许可证", en="industry comprehensive license"),
    source="research domain.md §1（上海、哈尔滨：行业综合许可证；山东 DB37/T 4280—2020 行业综合许可）",
)
"""The words a pack chain starts from, which a pack's ``wording`` overrides key by key."""


class PackMeta(RuleModel):
    id: PackId
    name: Text
    parent: PackId | None = None
    description: Text | None = None
    wording: Wording = Field(default_factory=Wording, description="this pack's words; after loading, its chain's")
    withdraw: dict[str, list[Id]] = Field(default_factory=dict, description="parent entities removed")
    amend: dict[str, dict[Id, dict[str, object]]] = Field(
        default_factory=dict, description="parent entities with the fields named changed (mappings merged key by key)"
    )


ENTITY_KINDS: dict[str, type[RuleModel]] = {
    "departments": Department,
    "questions": Question,
    "scope_items": ScopeItem,
    "industries": Industry,
    "permits": Permit,
    "materials": Material,
    "fields": FormField,
    "scenarios": Scenario,
    "lifecycle": Lifecycle,
}
"""The top-level keys an entity file may hold, and the model of each entry."""


ID_FIELDS = {"materials": "key", "scenarios": "name"}
"""The field that names an entry, where it is not ``id``."""


def entity_id(kind: str, entity: RuleModel) -> str:
    return str(getattr(entity, ID_FIELDS.get(kind, "id")))
