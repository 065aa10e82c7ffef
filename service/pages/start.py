"""Step 1 of the applicant's journey: choose the business (one or more industries or scope items).

``GET /`` and ``GET /start`` list the default pack's industries and business-scope items, filtered
by ``?q=``. The list is one form: the search button stores what is ticked so far and searches, the
continue button checks the choice through the composer and goes on to the first open question.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from composer import Composer
from service.compose import today
from service.deps import ComposeServiceDep, LangDep, OptionalUser, RegistryDep, SettingsDep
from service.i18n import translations
from service.pages import responses as pages
from service.pages.formdata import FormDataDep
from service.pages.journey import Journey, JourneyBroken, compose, next_url
from service.pages.templating import render

router = APIRouter(tags=["pages"])

MAX_QUERY = 50


def _norm(text: str) -> str:
    return "".join(text.split()).casefold()


def _matches(query: str, *texts: str | None) -> bool:
    return any(query in _norm(t) for t in texts if t)


def catalogue(composer: Composer, lang: str, query: str, chosen: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The industries and scope items in effect today, those matching ``query``, the chosen ones apart."""
    pack = composer.pack
    on = today()
    q = _norm(query)
    industries: list[dict[str, Any]] = []
    scope: list[dict[str, Any]] = []
    selected: list[dict[str, Any]] = []
    for industry in pack.industries.values():
        if not industry.in_effect(on):
            continue
        scope_names = [pack.scope_items[s].name.in_(lang) for s in industry.scope if s in pack.scope_items]
        item: dict[str, Any] = {
            "kind": "industry",
            "id": industry.id,
            "name": industry.name.in_(lang),
            "hint": industry.description.in_(lang) if industry.description else None,
            "scope": scope_names,
        }
        if f"industry:{industry.id}" in chosen:
            selected.append(item)
        elif not q or _matches(
            q,
            industry.name.zh,
            industry.name.en,
            *industry.keywords,
            industry.description.zh if industry.description else None,
            *scope_names,
        ):
            industries.append(item)
    for scope_item in pack.scope_items.values():
        if not scope_item.in_effect(on):
            continue
        item = {"kind": "scope", "id": scope_item.id, "name": scope_item.name.in_(lang), "hint": None, "scope": []}
        if f"scope:{scope_item.id}" in chosen:
            selected.append(item)
        elif not q or _matches(q, scope_item.name.zh, scope_item.name.en, *scope_item.keywords):
            scope.append(item)
    return {"industries": industries, "scope_items": scope, "selected": selected}


BUSINESS_LICENSE_QUESTION = "has_business_license"
"""The question a pack asks when it bundles business registration (市场主体登记) into the one licence."""


def registration_offered(composer: Composer, lang: str) -> str | None:
    """The name of the pack's business-registration permit, when it has one; else the licence is assumed."""
    asks = composer.compiled.asks
    found = next((p for p in composer.pack.permits.values() if BUSINESS_LICENSE_QUESTION in asks[p.id]), None)
    return found.name.in_(lang) if found else None


def _page(
    request: Request,
    registry: RegistryDep,
    journey: Journey,
    lang: str,
    query: str,
    *,
    home: bool = False,
    errors: list[dict[str, str]] | None = None,
    ticked: tuple[list[str], list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    composer = registry.get(journey.pack)
    if composer is None:
        _ = translations(lang).gettext
        unavailable = {"title": _("服务暂不可用"), "messages": [_("规则包没有加载，请稍后再试。")]}
        return render(request, "error.html", unavailable, status_code=503)
    industries, scope = ticked if ticked is not None else (journey.industries, journey.scope)
    chosen = {f"industry:{i}" for i in industries} | {f"scope:{s}" for s in scope}
    lists = catalogue(composer, lang, query, chosen)
    # the error summary links to the first checkbox shown (GOV.UK), or to the search box
    first = next(iter(lists["selected"] + lists["industries"]), None)
    target = f"{first['kind']}-{first['id']}" if first else "q"
    errors = [{**e, "field": target} if e.get("field") == "choices" else e for e in (errors or [])]
    context: dict[str, Any] = {
        "home": home,
        "query": query,
        "pack_name": composer.pack.meta.name.in_(lang),
        "errors": errors,
        "has_answers": bool(journey.history),
        "registration": registration_offered(composer, lang),
        **lists,
        "found": len(lists["industries"]) + len(lists["scope_items"]),
        "scope_open": bool(query) and bool(lists["scope_items"]),
    }
    return render(request, "start.html", context, status_code=status_code)


@router.get("/", response_class=Response, responses={200: pages.PAGE})
def home(request: Request, user: OptionalUser, registry: RegistryDep, settings: SettingsDep, lang: LangDep) -> Response:
    """The home page: what the service does, and the first step — choose the business."""
    journey = Journey.load(request, settings.default_pack)
    return _page(request, registry, journey, lang, "", home=True)


@router.get("/start", response_class=Response, responses={200: pages.PAGE, 422: pages.INVALID})
def start_page(
    request: Request, user: OptionalUser, registry: RegistryDep, settings: SettingsDep, lang: LangDep, q: str = ""
) -> Response:
    """Choose the business: search (``?q=``) or browse industries and business-scope items."""
    journey = Journey.load(request, settings.default_pack)
    return _page(request, registry, journey, lang, q.strip()[:MAX_QUERY])


@router.post("/start", **pages.form_post("On to the first question", {400: pages.FORM_ERRORS}))
def choose(
    request: Request,
    user: OptionalUser,
    registry: RegistryDep,
    service: ComposeServiceDep,
    settings: SettingsDep,
    lang: LangDep,
    form: FormDataDep,
) -> Response:
    """Store the chosen businesses (``action=search``: and search) or check them and go on."""
    _ = translations(lang).gettext
    journey = Journey.load(request, settings.default_pack)
    composer = registry.get(journey.pack)
    industries = list(dict.fromkeys(v for v in form.getlist("industry") if isinstance(v, str)))[:20]
    scope = list(dict.fromkeys(v for v in form.getlist("scope") if isinstance(v, str)))[:50]
    query = str(form.get("q") or "").strip()[:MAX_QUERY]

    if form.get("action") == "search":
        if composer is not None:  # keep what is ticked; anything unknown is simply not kept
            journey.choose(
                [i for i in industries if i in composer.pack.industries],
                [s for s in scope if s in composer.pack.scope_items],
            )
            journey.save(request)
        target = "/start" + (f"?{urlencode({'q': query})}" if query else "")
        return RedirectResponse(target, status_code=303)

    errors: list[dict[str, str]] = []
    if composer is not None:
        errors += [
            {"field": "choices", "message": _("没有编号为“%(id)s”的行业，请从列表中选择") % {"id": i[:64]}}
            for i in industries
            if i not in composer.pack.industries
        ]
        errors += [
            {"field": "choices", "message": _("没有编号为“%(id)s”的经营范围，请从列表中选择") % {"id": s[:64]}}
            for s in scope
            if s not in composer.pack.scope_items
        ]
    if not industries and not scope:
        errors.append({"field": "choices", "message": _("请至少选择一个行业或一项经营范围")})
    if not errors:
        previous = (journey.industries, journey.scope)
        journey.choose(industries, scope)
        try:
            composed = compose(service, journey, lang)
        except JourneyBroken as exc:
            journey.choose(*previous)
            errors += [{"field": "choices", "message": _problem_message(p.code, p.message, lang)} for p in exc.problems]
        else:
            journey.save(request)
            return RedirectResponse(next_url(composed.composition, change=bool(journey.history)), status_code=303)
    return _page(request, registry, journey, lang, query, errors=errors, ticked=(industries, scope), status_code=400)


def _problem_message(code: str, message: str, lang: str) -> str:
    """The composer speaks Chinese; in English, say what kind of problem it is."""
    if lang != "en":
        return message
    _ = translations(lang).gettext
    return _("所选的行业或经营范围目前不可办理，请重新选择") if code == "not_in_effect" else _("所选内容有误，请重新选择")
