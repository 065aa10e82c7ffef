"""The fewest facts of a case that decide a condition, and those facts said as one sentence a person reads."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from composer.answers import shown as answer_shown
from composer.case import Case, Rulebook
from composer.deciding import deciding
from composer.memo import memoised
from composer.model import Locale
from composer.reasons import Condition, dnf_of, literal_text, scope_first
from composer.words import N_, say
from rules.compile import AS_OF
from rules.conditions import Literal_
from rules.model import QuestionType


def told(case: Case, condition: Condition) -> tuple[Literal_, ...] | None:
    """The fewest facts of the case that decide the condition (see ``composer.deciding``)."""
    return _told(case.rules, condition, tuple(map(case.truth.__getitem__, case.rules.compiled.literals[condition])))


@memoised
def _told(rules: Rulebook, condition: Condition, truths: tuple[bool | None, ...]) -> tuple[Literal_, ...] | None:
    known = dict(zip(rules.compiled.literals[condition], truths, strict=True))
    facts = {lit: value for lit, value in known.items() if value is not None and lit.key != AS_OF}
    dated = {lit: value for lit, value in known.items() if value is not None and lit.key == AS_OF}
    return deciding(dnf_of(rules, condition), facts, dated)


class Told(NamedTuple):
    """The fewest facts that decide a condition (``composer.deciding``), with what they read of the case."""

    literals: tuple[Literal_, ...]
    facts: tuple[Any, ...]

    def said(self, rules: Rulebook, holds: bool, locale: Locale) -> str | None:
        """Those facts as a sentence, or None when none are needed (or the condition is still open)."""
        return facts_text(rules, self.literals, holds, self.facts, locale) if self.literals else None


def decided(case: Case, condition: Condition) -> Told:
    """The fewest facts of the case that decide ``condition``."""
    literals = told(case, condition) or ()
    return Told(literals, case.facts(literals))


def facts_text(rules: Rulebook, lits: tuple[Literal_, ...], holds: bool, facts: tuple[Any, ...], locale: Locale) -> str:
    """Told facts as one sentence a person reads: "您经营便利店，并且销售卷烟、雪茄烟"."""
    clauses: list[str] = []
    for lit, fact in scope_first(lits, facts):
        text = _fact_text(rules, lit if holds else lit.negated(), fact, locale)
        # One subject for the sentence: "您经营便利店，并且销售卷烟", not "…，并且您销售卷烟".
        if clauses and clauses[-1].startswith("您") and text.startswith("您"):
            text = text[1:]
        clauses.append(text)
    return say("，并且", locale).join(dict.fromkeys(clauses))


def _fact_text(rules: Rulebook, lit: Literal_, fact: Any, locale: Locale) -> str:
    """One fact, as the literal that holds says it; ``fact`` is the industry behind a scope item or the typed answer."""
    pack = rules.pack
    if lit.kind == "scope":
        if lit.op == "lacks":
            return say("您未选择经营范围“%(scope)s”", locale, scope=pack.scope_items[lit.key].name.in_(locale))
        if fact:
            return say("您经营%(industry)s", locale, industry=pack.industries[fact].name.in_(locale))
        return say("您选择了经营范围“%(scope)s”", locale, scope=pack.scope_items[lit.key].name.in_(locale))
    question, value = pack.questions[lit.key], fact[1]
    if locale == "zh" and question.type is QuestionType.boolean and isinstance(value, bool):
        statement = _statement(question.text.zh, value)
        if statement:
            return statement
    if question.type is QuestionType.number and lit.op in _RELATIONS and isinstance(value, int | float):
        return say(
            "%(subject)s %(value)s，%(relation)s %(threshold)s",
            locale,
            subject=_subject(question.text.zh) if locale == "zh" else say("“%(text)s”", locale, text=question.text.in_(locale)),
            value=answer_shown(question, value, locale),
            relation=say(_RELATIONS[lit.op], locale),
            threshold=answer_shown(question, lit.value, locale),
        )
    return literal_text(rules, lit, value, locale)


_RELATIONS = {"gt": N_("超过"), "gte": N_("不少于"), "lt": N_("少于"), "lte": N_("不超过")}

_VERBS = (("已经", "已经", "尚未"), ("已", "已", "尚未"), ("为", "是", "不是"), ("设有", "设有", "没有"), ("有", "有", "没有"))
"""Verbs a yes/no question's answer says otherwise than bare or after "不" (不已经取得 → 尚未取得)."""

_ASIDE = re.compile(r"（[^）]*）")


def _statement(question: str, yes: bool) -> str | None:
    """A yes/no question as the statement its answer makes: 是否销售卷烟、雪茄烟？ → 您销售卷烟、雪茄烟."""
    head, found, rest = question.partition("是否")
    if not found:
        return None
    rest = _ASIDE.sub("", rest.split("？")[0]).strip()
    verb = "" if yes else "不"
    for word, affirmed, denied in _VERBS:
        if rest.startswith(word):
            verb, rest = (affirmed if yes else denied), rest[len(word) :]
            break
    return f"{head or '您'}{verb}{rest}"


def _subject(question: str) -> str:
    """What a number question asks about: 经营场所使用面积是多少平方米？ → 经营场所使用面积."""
    return re.split(r"是多少|有多少|多少|？", question, maxsplit=1)[0]
