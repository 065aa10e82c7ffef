"""Read-only catalogue: packs, industries, business-scope items, permits and materials."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query

from composer import Composer
from composer.model import IsoDate, Locale
from rules.model import Effective, Industry, Material, MaterialRef, Permit, ScopeItem, Text
from rules.packs import Pack
from service.api.schemas import (
    ConditionPublic,
    Counts,
    Days,
    DepartmentPublic,
    DependencyPublic,
    ExclusionPublic,
    FollowUpPublic,
    IndustryList,
    IndustryPublic,
    MaterialList,
    MaterialPublic,
    MaterialRefPublic,
    NotifyCommitPublic,
    PackDetail,
    PackList,
    PackStamp,
    PackSummary,
    PermitDetail,
    PermitList,
    PermitSummary,
    ScopeItemList,
    ScopeItemPublic,
    VariantPublic,
)
from service.deps import PackDep, RegistryDep, SettingsDep
from service.errors import NOT_FOUND_PACK, VALIDATION, NotFound, error_response

router = APIRouter(prefix="/packs", tags=["catalogue"])

LocaleQuery = Annotated[Locale, Query(description="language of the texts: zh (default) or en")]
SearchQuery = Annotated[str | None, Query(max_length=50, description="search names, ids and keywords (case-insensitive)")]
AsOfQuery = Annotated[IsoDate | None, Query(description="only entries in effect on this date")]

NOT_FOUND_PERMIT = error_response(
    "No rule pack, or no permit, with this id",
    (
        "unknown_pack",
        {
            "errors": [
                {"code": "unknown_pack", "message": "没有名为 'nowhere' 的规则包", "where": "path.pack_id", "subject": "nowhere"}
            ]
        },
    ),
    (
        "unknown_permit",
        {
            "errors": [
                {
                    "code": "unknown_permit",
                    "message": "没有编号为 'nothing' 的许可事项",
                    "where": "path.permit_id",
                    "subject": "nothing",
                }
            ]
        },
    ),
)


def _t(text: Text | None, locale: str) -> str | None:
    return text.in_(locale) if text is not None else None


def _in_effect(entity: Effective, as_of: date | None) -> bool:
    return as_of is None or entity.in_effect(as_of)


def _matches(q: str | None, *texts: str | None) -> bool:
    if not q:
        return True
    needle = q.strip().casefold()
    return any(needle in t.casefold() for t in texts if t)


def _summary(pack: Pack, default: str, locale: str) -> PackSummary:
    return PackSummary(
        id=pack.id,
        name=pack.meta.name.in_(locale),
        version=pack.version,
        parent=pack.meta.parent,
        chain=list(pack.chain),
        description=_t(pack.meta.description, locale),
        default=pack.id == default,
        counts=Counts(
            industries=len(pack.industries),
            scope_items=len(pack.scope_items),
            permits=len(pack.permits),
            materials=len(pack.materials),
            questions=len(pack.questions),
            departments=len(pack.departments),
        ),
    )


def _stamp(composer: Composer) -> PackStamp:
    return PackStamp(id=composer.pack.id, version=composer.pack.version)


@router.get("", response_model=PackList, responses={422: VALIDATION})
def list_packs(registry: RegistryDep, settings: SettingsDep, locale: LocaleQuery = "zh") -> PackList:
    """List the rule packs this service composes with."""
    packs = [_summary(c.pack, settings.default_pack, locale) for c in (registry.get(i) for i in registry.ids()) if c]
    return PackList(default=settings.default_pack, packs=packs)


@router.get("/{pack_id}", response_model=PackDetail, responses={404: NOT_FOUND_PACK, 422: VALIDATION})
def read_pack(composer: PackDep, settings: SettingsDep, locale: LocaleQuery = "zh") -> PackDetail:
    """Read one rule pack: name, version, parents, sizes and departments."""
    pack = composer.pack
    departments = [
        DepartmentPublic(id=d.id, name=d.name.in_(locale), window=_t(d.window, locale)) for d in pack.departments.values()
    ]
    return PackDetail(**_summary(pack, settings.default_pack, locale).model_dump(), departments=departments)


_Entry = TypeVar("_Entry", Industry, ScopeItem)


def _catalogue_entry(entry: Industry | ScopeItem, locale: str) -> dict[str, Any]:
    """What an industry and a business-scope item both show: names, keywords, implied answers, dates."""
    return {
        "id": entry.id,
        "name": entry.name.in_(locale),
        "keywords": list(entry.keywords),
        "implies": dict(entry.implies),
        "valid_from": entry.valid_from,
        "valid_to": entry.valid_to,
    }


def _searched(entries: Iterable[_Entry], q: str | None, as_of: date | None) -> list[_Entry]:
    """The catalogue entries in effect on ``as_of`` whose id, names or keywords contain ``q``."""
    return [e for e in entries if _in_effect(e, as_of) and _matches(q, e.id, e.name.zh, e.name.en, *e.keywords)]


@router.get("/{pack_id}/industries", response_model=IndustryList, responses={404: NOT_FOUND_PACK, 422: VALIDATION})
def list_industries(
    composer: PackDep, q: SearchQuery = None, as_of: AsOfQuery = None, locale: LocaleQuery = "zh"
) -> IndustryList:
    """List the industries (行业), optionally searched by name or keyword."""
    items = [
        IndustryPublic(**_catalogue_entry(i, locale), scope=list(i.scope), description=_t(i.description, locale))
        for i in _searched(composer.pack.industries.values(), q, as_of)
    ]
    return IndustryList(pack=_stamp(composer), count=len(items), items=items)


@router.get("/{pack_id}/scope-items", response_model=ScopeItemList, responses={404: NOT_FOUND_PACK, 422: VALIDATION})
def list_scope_items(
    composer: PackDep, q: SearchQuery = None, as_of: AsOfQuery = None, locale: LocaleQuery = "zh"
) -> ScopeItemList:
    """List the business-scope items (经营范围), optionally searched."""
    items = [ScopeItemPublic(**_catalogue_entry(s, locale)) for s in _searched(composer.pack.scope_items.values(), q, as_of)]
    return ScopeItemList(pack=_stamp(composer), count=len(items), items=items)


def _permit_summary(pack: Pack, p: Permit, locale: str) -> dict[str, Any]:
    department = pack.departments.get(p.department)
    return {
        "id": p.id,
        "name": p.name.in_(locale),
        "kind": p.kind.value,
        "department": p.department,
        "department_name": department.name.in_(locale) if department else p.department,
        "mergeable": p.mergeable,
        "notify_commit": p.notify_commit.available and not p.notify_commit.risk_categories,
        "valid_from": p.valid_from,
        "valid_to": p.valid_to,
    }


@router.get("/{pack_id}/permits", response_model=PermitList, responses={404: NOT_FOUND_PACK, 422: VALIDATION})
def list_permits(composer: PackDep, q: SearchQuery = None, as_of: AsOfQuery = None, locale: LocaleQuery = "zh") -> PermitList:
    """List the permits (行政许可事项), optionally searched by name."""
    pack = composer.pack
    items = [
        PermitSummary(**_permit_summary(pack, p, locale))
        for p in pack.permits.values()
        if _in_effect(p, as_of) and _matches(q, p.id, p.name.zh, p.name.en)
    ]
    return PermitList(pack=_stamp(composer), count=len(items), items=items)


def _material_ref(pack: Pack, ref: MaterialRef, locale: str) -> MaterialRefPublic:
    material = pack.materials[ref.material]
    variant = next((v for v in material.variants if v.id == ref.variant), None)
    return MaterialRefPublic(
        key=ref.material,
        name=material.name.in_(locale),
        variant=ref.variant,
        variant_name=variant.name.in_(locale) if variant else None,
        conditional=ref.when is not None,
        note=_t(ref.note, locale),
    )


def _days(days: Any) -> Days | None:
    return Days(days=days.days, unit=days.unit.value) if days is not None else None


@router.get("/{pack_id}/permits/{permit_id}", response_model=PermitDetail, responses={404: NOT_FOUND_PERMIT, 422: VALIDATION})
def read_permit(composer: PackDep, permit_id: str, locale: LocaleQuery = "zh") -> PermitDetail:
    """Read one permit's notice details: department, legal basis, time limits, conditions, materials."""
    pack = composer.pack
    p = pack.permits.get(pack.permit_id(permit_id))  # an id merged into another permit's versions still leads to it
    if p is None:
        raise NotFound("unknown_permit", f"没有编号为 '{permit_id[:64]}' 的许可事项", "path.permit_id", permit_id[:64])
    department = pack.departments.get(p.department)
    nc = p.notify_commit
    return PermitDetail(
        **_permit_summary(pack, p, locale),
        department_window=_t(department.window, locale) if department else None,
        legal_basis=list(p.legal_basis),
        applies_when=p.applies_when.model_dump(mode="json", by_alias=True, exclude_none=True),
        statutory_limit=_days(p.time_limit.statutory),
        committed_limit=_days(p.time_limit.committed),
        validity_years=p.validity_years,
        fee_yuan=p.fee_yuan,
        inspection=p.inspection,
        depends_on=[
            DependencyPublic(
                permit=d.permit,
                name=pack.permits[d.permit].name.in_(locale),
                uses=d.uses,
                uses_name=pack.materials[d.uses].name.in_(locale) if d.uses else None,
            )
            for d in p.depends_on
        ],
        notify_commit_detail=NotifyCommitPublic(
            available=nc.available and not nc.risk_categories,
            mode=nc.mode,
            conditional=nc.when is not None,
            risk_categories=[c.value for c in nc.risk_categories],
            exclusions=[ExclusionPublic(category=e.category, basis=list(e.basis)) for e in nc.excluded],
            reason=_t(nc.reason, locale),
            time_limit=_days(nc.time_limit),
            letter=_t(nc.letter, locale),
            follow_up=FollowUpPublic(text=nc.follow_up.text.in_(locale), within=_days(nc.follow_up.within))
            if nc.follow_up
            else None,
            deferred_materials=list(nc.deferred_materials),
            replaces_materials=list(nc.replaces_materials),
        ),
        conditions=[
            ConditionPublic(
                id=e.id,
                kind=e.kind.value,
                text=e.text.in_(locale),
                conditional=e.when is not None,
                legal_basis=list(e.legal_basis),
                fields=list(e.fields),
                materials=[_material_ref(pack, r, locale) for r in e.materials],
            )
            for e in p.elements
        ],
        materials=[_material_ref(pack, r, locale) for r in p.materials],
        fields=list(p.fields),
        source=p.source,
    )


def _material(m: Material, locale: str) -> MaterialPublic:
    return MaterialPublic(
        key=m.key,
        name=m.name.in_(locale),
        variants=[VariantPublic(id=v.id, name=v.name.in_(locale)) for v in m.variants],
        government_holds=m.government_holds,
        produced_by=m.produced_by,
        commit_substitutable=m.commit_substitutable,
        valid_from=m.valid_from,
        valid_to=m.valid_to,
    )


@router.get("/{pack_id}/materials", response_model=MaterialList, responses={404: NOT_FOUND_PACK, 422: VALIDATION})
def list_materials(composer: PackDep, q: SearchQuery = None, as_of: AsOfQuery = None, locale: LocaleQuery = "zh") -> MaterialList:
    """List the materials registry (申请材料), optionally searched."""
    items = [
        _material(m, locale)
        for m in composer.pack.materials.values()
        if _in_effect(m, as_of) and _matches(q, m.key, m.name.zh, m.name.en)
    ]
    return MaterialList(pack=_stamp(composer), count=len(items), items=items)
