"""A permit's terms as the notice words them: the dated version it reads in, and how its time limit may stretch."""

from __future__ import annotations

from datetime import date

from composer.model import Locale, VersionOut
from composer.words import N_, day, join, say
from composer.workdays import limit
from rules.model import Permit

PAUSES = {
    # 《行政许可法》第四十五条, in its words.
    "hearing": N_("听证"),
    "tender": N_("招标"),
    "auction": N_("拍卖"),
    "inspection": N_("检验"),
    "testing": N_("检测"),
    "quarantine": N_("检疫"),
    "appraisal": N_("鉴定"),
    "expert_review": N_("专家评审"),
}


def time_limit_notes(p: Permit, on: date | None, locale: Locale) -> list[str]:
    """An extension the time limit allows and the periods it does not count, each with its basis."""
    notes, tl = [], p.time_limit
    if tl.extension:
        extension = tl.extension
        notes.append(
            say(
                "经%(approval)s批准，可延长%(days)s（%(basis)s）",
                locale,
                approval=extension.approval.in_(locale),
                days=limit(extension.days, on, locale).text,
                basis=extension.basis,
            )
        )
    if tl.not_counted:
        periods = join([say(PAUSES[pause.value], locale) for pause in tl.not_counted], locale)
        notes.append(say("%(periods)s所需时间不计入办理时限（%(basis)s）", locale, periods=periods, basis=tl.not_counted_basis))
    return notes


def version(p: Permit, locale: Locale) -> VersionOut | None:
    """The dated version the permit reads in, if not its current text, with its period in words."""
    vid = next((vid for vid, v in p.versions.items() if (v.valid_from, v.valid_to) == (p.valid_from, p.valid_to)), None)
    if vid is None:
        return None
    v = p.versions[vid]
    start, end = (day(d, locale) if d else "" for d in (v.valid_from, v.valid_to))
    if v.valid_from and v.valid_to:
        text = say("按%(start)s至%(end)s施行的规定办理", locale, start=start, end=end)
    elif v.valid_to:
        text = say("按%(end)s前施行的规定办理", locale, end=end)
    else:
        text = say("按%(start)s起施行的规定办理", locale, start=start)
    return VersionOut(id=vid, valid_from=v.valid_from, valid_to=v.valid_to, text=text, source=v.source)
