"""Step 4: the notice (告知单) — permits, materials once each, why, commitments, where to go, savings, changes.

Short first, complete below: a summary box, then each permit and material as a card whose first
lines say what most people need (department, time limit and fee; how to hand a material in), the
rest in a ``<details>`` that opens by click or keyboard and is expanded when the page is printed.

Every permit and material has a "为什么? / why?" (a ``<details>`` element, so it needs no
script) telling the fewest facts that decide it; the reason chain (rule, legal basis) is one
level further, behind "依据". The permits that may be taken on commitment are checkboxes;
posting them recomposes, so materials and time limits update. The notice also shows what changed
since the last notice this applicant saw — after adding or removing a business, changing an
answer or choosing commitments.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from composer.model import Composition, Reason
from composer.words import N_
from forms import i18n as forms_i18n
from forms.render import TITLES, names_of
from forms.samples import offered
from rules.errors import InputError
from service.compose import ComposeService
from service.deps import ComposeServiceDep, LangDep, OptionalUser
from service.i18n import translations
from service.pages import responses as pages
from service.pages.changes import Changes, diff
from service.pages.formdata import FormDataDep
from service.pages.journey import CompleteJourney, Journey, try_compose
from service.pages.templating import render

router = APIRouter(tags=["pages"])


STEP_KINDS = {
    "industry": N_("行业"),
    "scope": N_("经营范围"),
    "answer": N_("回答"),
    "permit": N_("事项"),
    "element": N_("条件"),
    "rule": N_("规则"),
    "legal_basis": N_("依据"),
    "material": N_("材料"),
    "commitment": N_("告知承诺"),
}


def chain_view(reason: Reason, lang: str) -> list[dict[str, str]]:
    """A reason's chain as labelled steps. Rule locations lose the server's directories."""
    gettext = translations(lang).gettext
    steps = []
    for step in reason.chain:
        if step.kind == "commitment":
            continue  # its label is the rule's source note, not words for an applicant
        label = step.label
        if step.kind == "rule":
            label = str(PurePosixPath(*PurePosixPath(label).parts[-2:])) if "/" in label else label
        steps.append({"kind": gettext(STEP_KINDS.get(step.kind, step.kind)), "label": label})
    return steps


_RESEARCH_TAG = re.compile(r"\s*\[[^\]]*\]")


def plain_source(source: str) -> str:
    """A pack entry's source as a citizen reads it: its addresses and titles, without research tags
    ("[V-news]") or the parts the pack marks inferred."""
    parts = [_RESEARCH_TAG.sub("", part).strip() for part in source.split(";")]
    return "；".join(part for part in parts if part and "inferred" not in part)


def summary(composition: Composition) -> dict[str, Any]:
    """The notice in one box: what to apply for (licences and filings apart), what to bring, how
    long, and what one application saves; counted from what the page lists below."""
    kinds = [p.kind for p in composition.permits]
    statuses = [m.status for m in composition.materials]
    return {
        "licences": kinds.count("license"),
        "filings": len(kinds) - kinds.count("license"),
        "submit": statuses.count("submit"),
        "deferred": statuses.count("deferred"),
        "held": statuses.count("exempt") + statuses.count("internal"),
        "days": composition.savings.after.working_days,
        "days_serial": composition.savings.before.working_days,
        "forms_saved": composition.savings.before.forms - composition.savings.after.forms,
    }


def notice_context(composition: Composition, lang: str) -> dict[str, Any]:
    """What the notice template needs: the composition, names, reasons and chains by id."""
    reasons = {f"{r.kind}:{r.id}": r for r in composition.reasons}
    chains = {key: chain_view(r, lang) for key, r in reasons.items() if r.included and r.kind in ("permit", "material")}
    left_out = [r for r in composition.reasons if r.kind == "permit" and not r.included]
    return {
        "c": composition,
        "names": names_of(composition),
        "reasons": reasons,
        "chains": chains,
        "eligible": [p for p in composition.permits if p.commitment.eligible],
        "left_out": left_out,
        "scope_sources": {n.scope: plain_source(n.source) for n in composition.scope_notes},
        "names_left_out": {r.id: next(s.label for s in r.chain if s.kind == "permit") for r in left_out},
        "submit_count": sum(1 for m in composition.materials if m.status == "submit"),
        "summary": summary(composition),
        "elements_of": {p.id: [e for e in composition.elements if e.permit == p.id] for p in composition.permits},
        "samples": [(kind, forms_i18n.gettext(TITLES[kind], lang)) for kind in offered(composition)],
        "departments_by_id": {d.id: d for d in composition.departments},
    }


def _changes(service: ComposeService, journey: Journey, composition: Composition, lang: str) -> tuple[Changes | None, bool]:
    """What changed since the last notice shown; and whether the journey's bookkeeping changed."""
    current = journey.input()
    moved = False
    if journey.last != current:
        if journey.last is not None:
            journey.before = journey.last
        journey.last = {k: (list(v) if isinstance(v, list) else dict(v)) for k, v in current.items()}
        moved = True
    if journey.before is None or not moved:
        return None, moved  # said once, on the first notice after the change; not on every reload
    old = try_compose(service, journey, lang, journey.before)
    if old is None:
        return None, moved
    changes = diff(old, composition)
    return (changes or None), moved


def _render_notice(
    request: Request,
    service: ComposeService,
    journey: Journey,
    composition: Composition,
    lang: str,
    *,
    errors: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    changes, moved = _changes(service, journey, composition, lang)
    if moved:
        journey.save(request)
    context = {
        **notice_context(composition, lang),
        "changes": changes,
        "errors": errors or [],
        "draft_id": journey.draft,
    }
    return render(request, "notice.html", context, status_code=status_code)


@router.get("/notice", response_class=Response, responses={200: pages.PAGE, 303: pages.TO_START})
def notice_page(
    request: Request, user: OptionalUser, service: ComposeServiceDep, lang: LangDep, ready: CompleteJourney
) -> Response:
    """The tailored notice for the journey so far (open questions are asked first)."""
    return _render_notice(request, service, ready.journey, ready.composition, lang)


@router.post(
    "/notice/commitments", **pages.form_post("Recomposed: back to the notice, at what changed", {400: pages.FORM_ERRORS})
)
def choose_commitments(
    request: Request, user: OptionalUser, service: ComposeServiceDep, lang: LangDep, ready: CompleteJourney, form: FormDataDep
) -> Response:
    """Take the ticked permits on notify-and-commit; the composer checks each is eligible."""
    gettext = translations(lang).gettext
    journey, composed = ready.journey, ready.composed
    chosen = list(dict.fromkeys(v for v in form.getlist("commit") if isinstance(v, str)))[:20]
    candidate = Journey(**{**journey.__dict__, "commit": chosen})
    try:
        service.compose(candidate.request(lang), source="pages")
    except InputError as exc:
        names = {p.id: p.name for p in composed.composition.permits}
        first = next((p.id for p in composed.composition.permits if p.commitment.eligible), "")
        errors = [
            {
                "field": f"commit-{first}",
                "message": gettext("“%(name)s”不能以告知承诺方式办理，请只选择列出的事项")
                % {"name": names.get(p.subject, p.subject[:64])},
            }
            for p in exc.problems
        ]
        return _render_notice(request, service, journey, composed.composition, lang, errors=errors, status_code=400)
    if chosen and form.get("consent") != "yes":
        errors = [{"field": "consent", "message": gettext("请阅读所选事项的承诺内容，并勾选“我已阅读并承诺”")}]
        return _render_notice(request, service, journey, composed.composition, lang, errors=errors, status_code=400)
    journey.commit = chosen
    journey.save(request)
    return RedirectResponse("/notice#changes", status_code=303)
