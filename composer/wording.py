"""The composer's own sentences, in Chinese and English.

Rule content (names, conditions, legal basis) is pack data with its own zh/en texts; these are
the few fixed phrases the composer wraps around it.
"""

from __future__ import annotations

from typing import Any

from composer.model import Locale

_PHRASES: dict[str, tuple[str, str]] = {
    "days_working": ("{n}个工作日", "{n} working days"),
    "days_calendar": ("{n}日（自然日）", "{n} calendar days"),
    "on_the_spot": ("当场办结", "decided on the spot"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "unknown": ("不确定", "not sure"),
    "form_title": ("一业一证 统一申请表", "One-industry-one-license application form"),
    "notice_title": ("一业一证 一次告知单（{what}）", "One-industry-one-license notice ({what})"),
    "notice_intro": (
        "根据您选择的经营项目和回答，您需要办理以下 {n} 项许可。区政务服务局一窗受理，各部门并联审批，"
        "办结后发放一张综合许可凭证。",
        "From the business you chose and your answers, you need the {n} permits below. The district "
        "government-services bureau accepts them at one window, the departments decide in parallel, "
        "and you receive one comprehensive license certificate.",
    ),
    "notice_nothing": (
        "根据您选择的经营项目和回答，本规则包中没有需要办理的许可事项。",
        "From the business you chose and your answers, no permit in this rule pack is needed.",
    ),
    "step_submit": (
        "填写一张统一申请表，一次提交材料清单中需提交的 {n} 份材料。",
        "Fill in one application form and hand in the {n} materials marked to submit, once.",
    ),
    "step_parallel": (
        "各部门同时审批，全部事项预计 {days} 个工作日内办结（分别申请需 {before} 个工作日）。",
        "The departments decide at the same time: all items within about {days} working days "
        "({before} when applied for one after another).",
    ),
    "step_stages": (
        "有前置关系的事项依次办理：{chain}。",
        "Items that need another item's result follow it: {chain}.",
    ),
    "step_commit": (
        "选择告知承诺的事项（{items}），签署告知承诺书后即可办结，之后部门按承诺进行核查。",
        "Items taken on commitment ({items}) are decided once you sign the commitment letter; the "
        "departments check the commitments afterwards.",
    ),
    "step_certificate": (
        "领取综合许可凭证，扫描二维码可查看每项许可的实时状态。",
        "Collect the comprehensive certificate; its QR code shows the live status of each permit.",
    ),
    "notice_closing": (
        "本告知单依据规则包 {pack}（版本 {version}），按 {date} 有效的规定生成。",
        "This notice follows rule pack {pack} (version {version}) as in force on {date}.",
    ),
    "status_exempt": ("政府部门已持有，免于提交", "held by the government already: not to be submitted"),
    "status_internal": ("由“{permit}”的结果内部流转，无需提交", "passed on internally from '{permit}': not to be submitted"),
    "status_commitment": ("以告知承诺书代替", "replaced by the signed commitment"),
    "status_deferred": ("承诺后于核查时提交", "handed in at the follow-up check, after the commitment"),
    "commit_not_available": ("该事项不适用告知承诺：{reason}", "notify-and-commit does not apply: {reason}"),
    "commit_risk": (
        "涉及{categories}，按改革方案不实行告知承诺",
        "it touches {categories}, which the plan excludes from notify-and-commit",
    ),
    "commit_condition": ("本情形不适用告知承诺（{because}）", "not for this case ({because})"),
    "commit_undecided": ("是否可告知承诺取决于：{questions}", "whether it can be taken on commitment depends on: {questions}"),
    "commit_not_in_case": ("“{permit}”不在本次需办理的事项中", "'{permit}' is not among the permits this case needs"),
    "commit_unknown_permit": ("没有编号为“{permit}”的许可事项", "there is no permit '{permit}'"),
    "why_permit": ("需办理“{permit}”：{because}。依据：{basis}", "'{permit}' is needed: {because}. Legal basis: {basis}"),
    "why_not_permit": ("无需办理“{permit}”：{because}", "'{permit}' is not needed: {because}"),
    "why_open_permit": ("是否需办理“{permit}”取决于：{questions}", "whether '{permit}' is needed depends on: {questions}"),
    "why_element": ("“{permit}”的条件：{element}{because}", "a condition of '{permit}': {element}{because}"),
    "why_not_element": (
        "“{permit}”的条件“{element}”未列入：{because}",
        "the condition '{element}' of '{permit}' is not listed: {because}",
    ),
    "why_field": ("“{field}”由 {needs} 使用，只填一次", "'{field}' serves {needs}, asked once"),
    "why_material": ("“{material}”：{needs}需要{status}", "'{material}': needed by {needs}{status}"),
    "why_material_shared": ("“{material}”：{needs}共用一份{status}", "'{material}': one copy serves {needs}{status}"),
    "depends_on": ("取决于{questions}", "depends on {questions}"),
    "commit_yes": ("可以告知承诺", "may be taken on commitment"),
    "commit_no": ("不适用告知承诺", "not on commitment"),
    "parenthesised": ("（{text}）", " ({text})"),
    "then_note": ("；{note}", "; {note}"),
    "quoted": ("“{text}”", "'{text}'"),
    "why_commit": ("“{permit}”可以告知承诺", "'{permit}' can be taken on commitment"),
    "because_scope": ("经营范围“{scope}”", "business scope '{scope}'"),
    "because_scope_from": ("经营范围“{scope}”（来自行业“{industry}”）", "business scope '{scope}' (from industry '{industry}')"),
    "because_scope_missing": ("未选择经营范围“{scope}”", "business scope '{scope}' not chosen"),
    "because_scope_chosen": ("选择了经营范围“{scope}”", "business scope '{scope}' chosen"),
    "because_answer": ("“{question}”为“{value}”", "'{question}' is '{value}'"),
    "because_always": ("该事项的基本条件", "a basic condition of the permit"),
    "because_period": ("按 {date} 有效的规定", "under the rules in force on {date}"),
    "and": ("且", " and "),
    "list_sep": ("、", ", "),
}


def say(key: str, locale: Locale, **values: Any) -> str:
    zh, en = _PHRASES[key]
    return (en if locale == "en" else zh).format(**values)


def join(items: list[str], locale: Locale) -> str:
    return say("list_sep", locale).join(items)
