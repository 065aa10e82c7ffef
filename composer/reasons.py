"""Why a line is in a composition or left out: the steps of its chain and the words that explain it.

A reason quotes the business and the answers behind it. Builders here are given those as narrow
values (a branch and its facts, a verdict and what it shows), so a memoised reason built for one
applicant can only be reused for another whose reason reads exactly the same.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from composer.answers import shown as answer_shown
from composer.case import Case, Rulebook
from composer.memo import memoised, typed
from composer.model import Locale, Step
from composer.words import join, say
from rules.compile import AS_OF
from rules.conditions import Conjunction, Literal_, Truth, blocking, evaluate, open_keys
from rules.conditions import Value as Answer

Condition = tuple[str, ...]
"""A condition by name: ("permit", id), ("element", permit, element) or ("commit", permit)."""


class Verdict(NamedTuple):
    """Why a condition does not hold: a function of its literals' truth values alone."""

    open: tuple[str, ...] | None
    """The questions whose answers decide it, when it is undecided."""
    failed: tuple[Literal_, ...]
    """Otherwise the literals that ruled it out; none when only its effective period did."""


@memoised
def step(kind: str, id: str, label: str) -> Step:
    return Step(kind=kind, id=id, label=label)


def permit_name(rules: Rulebook, pid: str, locale: Locale) -> str:
    return rules.pack.permits[pid].name.in_(locale)


def dnf_of(rules: Rulebook, condition: Condition) -> tuple[Conjunction, ...]:
    compiled = rules.compiled
    if condition[0] == "permit":
        return compiled.permit_dnf[condition[1]]
    if condition[0] == "commit":
        return compiled.commit_dnf[condition[1]]
    return compiled.element_dnf[(condition[1], condition[2])]


def verdict(case: Case, condition: Condition) -> Verdict:
    """Why the condition does not hold. Keyed by its literals' truth values, not the answers
    behind them: random numbers still rule a condition out in few ways."""
    return _judge(case.rules, condition, tuple(map(case.truth.__getitem__, case.rules.compiled.literals[condition])))


@memoised
def _judge(rules: Rulebook, condition: Condition, truths: tuple[bool | None, ...]) -> Verdict:
    literals = rules.compiled.literals[condition]
    # A literal's truth is unknown exactly when its question is unanswered; which questions are
    # answered is all a verdict reads of the answers.
    answered = frozenset(lit.key for lit, value in zip(literals, truths, strict=True) if value is not None)
    truth = Truth(frozenset(), dict.fromkeys(answered, True))
    truth.update(zip(literals, truths, strict=True))
    dnf = dnf_of(rules, condition)
    if evaluate(dnf, truth) is None:
        return Verdict(open=tuple(sorted(open_keys(dnf, truth))), failed=())
    return Verdict(open=None, failed=tuple(_failed(dnf, truth)))


def _failed(dnf: tuple[Conjunction, ...], truth: Truth) -> list[Literal_]:
    """What ruled a condition out: the answers that failed the branches whose business was
    chosen, else the scope items that were (or were not) chosen."""
    answers: dict[Literal_, None] = {}
    for conj in dnf:
        if all(truth[lit] is not False for lit in conj if lit.kind == "scope"):
            answers.update((lit, None) for lit in conj if lit.key != AS_OF and truth[lit] is False)
    if answers:
        return list(answers)
    return [lit for lit in blocking(dnf, truth) if lit.key != AS_OF]


def shown(case: Case, found: Verdict) -> tuple[Any, ...]:
    """What a text explaining a verdict reads of the case besides the verdict itself: the answer
    behind each literal that ruled the condition out, or the as-of date when only its period did."""
    if found.open is not None:
        return ()
    if not found.failed:
        return (case.as_of,)
    answers = case.situation.answers
    return tuple(typed(answers.get(lit.key)) if lit.kind == "answer" else None for lit in found.failed)


def failed_texts(rules: Rulebook, found: Verdict, seen: tuple[Any, ...], locale: Locale) -> list[str]:
    """What ruled a condition out, test by test, from a verdict and what ``shown`` read of the case."""
    if not found.failed:
        return []
    return [literal_text(rules, lit, value[1] if value else None, locale) for lit, value in zip(found.failed, seen, strict=True)]


def ruled_out(rules: Rulebook, found: Verdict, seen: tuple[Any, ...], locale: Locale) -> list[Step]:
    """``failed_texts`` as steps."""
    texts = failed_texts(rules, found, seen, locale)
    return [step(lit.kind, lit.key, text) for lit, text in zip(found.failed, texts, strict=True)]


def in_force(seen: tuple[Any, ...], locale: Locale) -> str:
    """A condition ruled out by its effective period alone: the day whose rules were applied."""
    return say("按 %(date)s 有效的规定", locale, date=seen[0].isoformat())


def literal_text(rules: Rulebook, lit: Literal_, value: Answer | None, locale: Locale) -> str:
    """One test as a reason reads it; ``value`` is the answer to the literal's question."""
    pack = rules.pack
    if lit.kind == "scope":
        name = pack.scope_items[lit.key].name.in_(locale)
        if lit.op == "lacks":
            return say("选择了经营范围“%(scope)s”", locale, scope=name)
        return say("未选择经营范围“%(scope)s”", locale, scope=name)
    question = pack.questions[lit.key]
    return say(
        "“%(question)s”为“%(value)s”",
        locale,
        question=question.text.in_(locale),
        value=answer_shown(question, value, locale) if value is not None else say("不确定", locale),
    )


def because_steps(rules: Rulebook, conj: Conjunction, facts: tuple[Any, ...], locale: Locale) -> list[Step]:
    """The business and answers behind a branch that holds, as steps."""
    steps = []
    for lit, fact in scope_first(conj, facts):
        if lit.kind == "scope" and lit.op == "has":
            if fact:
                steps.append(step("industry", fact, rules.pack.industries[fact].name.in_(locale)))
            steps.append(step("scope", lit.key, rules.pack.scope_items[lit.key].name.in_(locale)))
        elif lit.kind == "answer" and lit.key != AS_OF:
            steps.append(step("answer", lit.key, literal_text(rules, lit, fact[1], locale)))
    return steps


def because_text(rules: Rulebook, conj: Conjunction, facts: tuple[Any, ...], locale: Locale) -> str:
    """The business and answers behind a branch that holds, as a sentence."""
    parts = []
    for lit, fact in scope_first(conj, facts):
        if lit.kind == "scope" and lit.op == "has":
            scope = rules.pack.scope_items[lit.key].name.in_(locale)
            if fact:
                industry = rules.pack.industries[fact].name.in_(locale)
                parts.append(say("经营范围“%(scope)s”（来自行业“%(industry)s”）", locale, scope=scope, industry=industry))
            else:
                parts.append(say("经营范围“%(scope)s”", locale, scope=scope))
        elif lit.kind == "answer" and lit.key != AS_OF:
            parts.append(literal_text(rules, lit, fact[1], locale))
    return say("且", locale).join(parts) or say("该事项的基本条件", locale)


def question_text(rules: Rulebook, qid: str, locale: Locale) -> str:
    return rules.pack.questions[qid].text.in_(locale)


def question_list(rules: Rulebook, keys: tuple[str, ...], locale: Locale) -> str:
    return join([say("“%(text)s”", locale, text=question_text(rules, k, locale)) for k in keys], locale)


def open_steps(rules: Rulebook, keys: tuple[str, ...], locale: Locale) -> list[Step]:
    """The steps naming the questions an undecided condition waits on."""
    return [step("answer", k, question_text(rules, k, locale)) for k in keys]


def scope_first(conj: Conjunction, facts: tuple[Any, ...]) -> list[tuple[Literal_, Any]]:
    """A branch read as a reason: the business first, then the answers."""
    return sorted(zip(conj, facts, strict=True), key=lambda pair: pair[0].kind != "scope")
