"""Notify-and-commit (告知承诺): which permits may be taken on a signed commitment, which the
applicant chose, and the follow-up check each creates."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from composer import explanations, reasons
from composer.case import Case, Rulebook
from composer.memo import memoised
from composer.model import Commitment, CommitmentOut, Locale, Reason
from composer.permits import Required
from composer.reasons import Verdict, permit_name, step
from composer.words import N_, join, say
from composer.workdays import limit
from rules.errors import InputError, Problem
from rules.model import DayUnit

RISK = {
    # The eight categories 国办发〔2020〕42号 excludes from notify-and-commit, in its words.
    "national_security": N_("国家安全"),
    "state_secrets": N_("国家秘密"),
    "public_safety": N_("公共安全"),
    "financial_prudential": N_("金融业审慎监管"),
    "ecological": N_("生态环境保护"),
    "personal_health": N_("直接关系人身健康"),
    "life_property_safety": N_("直接关系生命财产安全"),
    "foreign_affairs": N_("重要涉外"),
}


class Decision(NamedTuple):
    """All a permit's notify-and-commit entry and its reason read of the case."""

    eligible: bool
    chosen: bool
    verdict: Verdict | None
    """Why the permit's condition for it did not hold, when that is why it is not eligible."""
    shown: tuple[Any, ...]
    """What the verdict's text reads of the case besides the verdict."""
    told: explanations.Told
    """The fewest facts that decide the permit's condition for it, where it has one."""


def chosen(case: Case, permits: Required) -> tuple[str, ...]:
    """The permits the applicant takes on commitment, in the permits' order. Raises InputError
    naming every one that cannot be."""
    pack = case.pack
    problems = []
    for index, pid in enumerate(case.commit):
        p = pack.permits.get(pid)
        if p is None:
            message = say("没有编号为“%(permit)s”的许可事项", "zh", permit=pid)
        elif pid not in case.branches:
            message = say("“%(permit)s”不在本次需办理的事项中", "zh", permit=p.name.zh)
        elif not eligible(case, pid):
            message = _not_eligible(case.rules, pid, "zh", *_verdict(case, pid))
        else:
            continue
        problems.append(Problem("not_eligible_for_commitment", message, f"commit[{index}]", pid))
    if problems:
        raise InputError(problems)
    order = [p.id for p, _ in permits]
    return tuple(sorted(dict.fromkeys(case.commit), key=order.index))


def eligible(case: Case, pid: str) -> bool:
    return ("commit", pid, "") in case.hits


CONSEQUENCES = N_("承诺不实的，依法撤销许可，虚假承诺记入信用记录并实施信用惩戒。")
"""What follows a false commitment, as 《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的
指导意见》（国办发〔2020〕42号） sets it out."""


def entry(case: Case, pid: str, taken: tuple[str, ...]) -> tuple[Commitment, Reason]:
    """A required permit's commitment entry, and the reason for it."""
    is_eligible = eligible(case, pid)
    # Only a condition that did not hold is explained, and only then does the reason read the case.
    judged, seen = _verdict(case, pid) if not is_eligible else (None, ())
    nc = case.pack.permits[pid].notify_commit
    limits = [nc.time_limit, nc.follow_up.within if nc.follow_up else None]
    # Calendar days are counted in working days from the as-of date; working days are not.
    on = case.as_of if any(days and days.unit is DayUnit.calendar for days in limits) else None
    told = explanations.decided(case, ("commit", pid)) if pid in case.rules.compiled.commit_dnf else explanations.Told((), ())
    return _entry(case.rules, pid, case.locale, Decision(is_eligible, pid in taken, judged, seen, told), on)


def _verdict(case: Case, pid: str) -> tuple[Verdict | None, tuple[Any, ...]]:
    if pid not in case.rules.compiled.commit_dnf:
        return None, ()
    judged = reasons.verdict(case, ("commit", pid))
    return judged, reasons.shown(case, judged)


@memoised
def _entry(rules: Rulebook, pid: str, locale: Locale, decided: Decision, on: date | None) -> tuple[Commitment, Reason]:
    p = rules.pack.permits[pid]
    name = permit_name(rules, pid, locale)
    if decided.eligible:
        summary = say("“%(permit)s”可以告知承诺", locale, permit=name)
    else:
        summary = _not_eligible(rules, pid, locale, decided.verdict, decided.shown)
    label = say("可以告知承诺", locale) if decided.eligible else say("不适用告知承诺", locale)
    steps = [step("permit", pid, name), step("commitment", pid, label)]
    facts = decided.told.said(rules, decided.eligible, locale)
    explanation = None
    if facts:
        then = say("，可以选择告知承诺。", locale) if decided.eligible else say("，不适用告知承诺。", locale)
        explanation = facts + then
    reason = Reason(kind="commitment", id=pid, included=decided.eligible, chain=steps, summary=summary, explanation=explanation)
    if decided.eligible:
        nc = p.notify_commit
        assert nc.letter is not None
        assert nc.follow_up is not None
        days = nc.time_limit or p.time_limit.committed or p.time_limit.statutory
        return Commitment(
            eligible=True,
            chosen=decided.chosen,
            mode=nc.mode,
            time_limit=limit(days, on, locale),
            letter=nc.letter.in_(locale),
            consequences=say(CONSEQUENCES, locale),
            follow_up=nc.follow_up.text.in_(locale),
            follow_up_within=limit(nc.follow_up.within, on, locale),
        ), reason
    return Commitment(eligible=False, reason=summary), reason


def _not_eligible(rules: Rulebook, pid: str, locale: Locale, judged: Verdict | None, seen: tuple[Any, ...]) -> str:
    nc = rules.pack.permits[pid].notify_commit
    if nc.risk_categories:
        names = join([say(RISK[c.value], locale) for c in nc.risk_categories], locale)
        basis = join(list(dict.fromkeys(b for e in nc.excluded for b in e.basis)), locale)
        return say("涉及%(categories)s，按改革方案不实行告知承诺（依据：%(basis)s）", locale, categories=names, basis=basis)
    if not nc.available:
        return say("该事项不适用告知承诺：%(reason)s", locale, reason=nc.reason.in_(locale) if nc.reason else "")
    assert judged is not None
    if judged.open is not None:
        questions = reasons.question_list(rules, judged.open, locale)
        return say("是否可告知承诺取决于：%(questions)s", locale, questions=questions)
    because = join(reasons.failed_texts(rules, judged, seen, locale), locale)
    return say("本情形不适用告知承诺（%(because)s）", locale, because=because)


def taken(case: Case, pids: tuple[str, ...]) -> list[CommitmentOut]:
    """The items taken on commitment: the letter to sign and the follow-up check each creates."""
    return [_taken(case.rules, pid, case.locale, case.as_of) for pid in pids]


def _taken(rules: Rulebook, pid: str, locale: Locale, as_of: Any) -> CommitmentOut:
    nc = rules.pack.permits[pid].notify_commit
    assert nc.letter is not None
    assert nc.follow_up is not None
    return CommitmentOut(
        permit=pid,
        permit_name=permit_name(rules, pid, locale),
        mode=nc.mode,
        letter=nc.letter.in_(locale),
        follow_up=nc.follow_up.text.in_(locale),
        follow_up_within=limit(nc.follow_up.within, as_of, locale),
        replaces=list(nc.replaces_materials),
        deferred=list(nc.deferred_materials),
    )
