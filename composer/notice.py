"""The notice (一次告知单): the words around the permits, materials and commitments of one case."""

from __future__ import annotations

from datetime import date

from composer import wording
from composer.model import CommitmentOut, Locale, MaterialOut, Notice, PermitOut, Savings
from rules.packs import Pack


def notice(
    pack: Pack,
    industries: tuple[str, ...],
    scope: frozenset[str],
    as_of: date,
    locale: Locale,
    permits: list[PermitOut],
    materials: list[MaterialOut],
    commitments: list[CommitmentOut],
    savings: Savings,
) -> Notice:
    """The notice's title, introduction, steps and closing, in the case's locale."""
    what = wording.join(
        [pack.industries[i].name.in_(locale) for i in industries]
        or [pack.scope_items[s].name.in_(locale) for s in sorted(scope)],
        locale,
    )
    if not permits:
        intro, steps = wording.say("notice_nothing", locale), []
    else:
        intro = wording.say("notice_intro", locale, n=len(permits))
        steps = [
            wording.say("step_submit", locale, n=sum(1 for m in materials if m.status == "submit")),
            wording.say("step_parallel", locale, days=savings.after.working_days, before=savings.before.working_days),
        ]
        chains = [f"{d.name} → {p.name}" for p in permits for d in p.depends_on]
        if chains:
            steps.append(wording.say("step_stages", locale, chain=wording.join(chains, locale)))
        if commitments:
            steps.append(wording.say("step_commit", locale, items=wording.join([c.permit_name for c in commitments], locale)))
        steps.append(wording.say("step_certificate", locale))
    closing = wording.say(
        "notice_closing",
        locale,
        pack=pack.meta.name.in_(locale),
        version=pack.version,
        date=as_of.isoformat(),
    )
    return Notice(title=wording.say("notice_title", locale, what=what), intro=intro, steps=steps, closing=closing)
