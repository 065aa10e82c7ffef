"""The notice (一次告知单): the words around the permits, materials and commitments of one case."""

from __future__ import annotations

from datetime import date

from composer.model import CommitmentOut, Locale, MaterialOut, Notice, PermitOut, RefusalOut, Savings, WordingOut
from composer.words import join, say
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
    refusals: list[RefusalOut],
) -> Notice:
    """The notice's title, introduction, steps and closing, in the case's locale."""
    what = join(
        [pack.industries[i].name.in_(locale) for i in industries]
        or [pack.scope_items[s].name.in_(locale) for s in sorted(scope)],
        locale,
    )
    words = pack.meta.wording
    window = words.window.in_(locale) if words.window else ""
    certificate = words.certificate.in_(locale) if words.certificate else None
    if not permits:
        intro, steps = say("根据您选择的经营项目和回答，本规则包中没有需要办理的许可事项。", locale), []
    else:
        # What the window and the certificate are called is the jurisdiction's own (the pack's wording).
        if certificate:
            one = "%(window)s一窗受理，各部门并联审批，办结后发放一张%(certificate)s。"
            issued = say(one, locale, window=window, certificate=certificate)
        else:
            issued = say("%(window)s一窗受理，各部门并联审批，办结后各项证照一次发放。", locale, window=window)
        intro = say("根据您选择的经营项目和回答，您需要办理以下 %(n)s 项许可。", locale, n=len(permits)) + issued
        steps = [
            say(
                "填写一张统一申请表，一次提交材料清单中需提交的 %(n)s 份材料。",
                locale,
                n=sum(1 for m in materials if m.status == "submit"),
            ),
            say(
                "各部门同时审批，全部事项预计 %(days)s 个工作日内办结（分别申请需 %(before)s 个工作日）。",
                locale,
                days=savings.after.working_days,
                before=savings.before.working_days,
            ),
        ]
        chains = [f"{d.name} → {p.name}" for p in permits for d in p.depends_on]
        if chains:
            steps.append(say("有前置关系的事项依次办理：%(chain)s。", locale, chain=join(chains, locale)))
        if commitments:
            steps.append(
                say(
                    "选择告知承诺的事项（%(items)s），签署告知承诺书后即可办结，之后部门按承诺进行核查。",
                    locale,
                    items=join([c.permit_name for c in commitments], locale),
                )
            )
        if certificate:
            steps.append(say("领取%(certificate)s，扫描二维码可查看每项许可的实时状态。", locale, certificate=certificate))
        else:
            steps.append(say("一次领取各项证照。", locale))
    closing = say(
        # The version hash is for the one technical line of a page and a printed footer, not these words.
        "本告知单依据%(pack)s的规定，按 %(date)s 有效的规定生成。",
        locale,
        pack=pack.meta.name.in_(locale),
        date=as_of.isoformat(),
    )
    return Notice(
        title=say("%(reform)s 一次告知单（%(what)s）", locale, reform=_reform(pack, locale), what=what),
        intro=intro,
        refusals=[refused(r, locale) for r in refusals],
        versions=[say("“%(permit)s”%(version)s。", locale, permit=p.name, version=p.version.text) for p in permits if p.version],
        steps=steps,
        closing=closing,
    )


def wording_out(pack: Pack, locale: Locale) -> WordingOut:
    """The pack's wording as the composition carries it."""
    words = pack.meta.wording
    return WordingOut(
        reform=_reform(pack, locale),
        window=words.window.in_(locale) if words.window else "",
        certificate=words.certificate.in_(locale) if words.certificate else None,
    )


def _reform(pack: Pack, locale: Locale) -> str:
    reform = pack.meta.wording.reform
    return reform.in_(locale) if reform else ""


def refused(refusal: RefusalOut, locale: Locale) -> str:
    """One refusal as the notice states it: outcome, permit, reason, the applicant's facts, legal basis."""
    outcome = say("不得经营", locale) if refusal.outcome == "prohibit" else say("不予许可", locale)
    return say(
        "%(outcome)s：“%(permit)s”——%(reason)s（您的情况：%(because)s）。依据：%(basis)s。",
        locale,
        outcome=outcome,
        permit=refusal.permit_name,
        reason=refusal.reason,
        because=refusal.because,
        basis=join(refusal.legal_basis, locale),
    )
