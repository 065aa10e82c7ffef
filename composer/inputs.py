"""Reading a compose request against a pack: every id known, every answer of the right type and range.

Problems are collected, not raised one at a time, so an applicant or a calling system learns
everything that is wrong at once. Nothing is composed from a request with any problem.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, TypeVar

from composer.answers import UNKNOWN, agrees, parse_answer, shown
from composer.model import ComposeRequest
from composer.words import N_, say
from rules.compile import AS_OF, Compiled, day
from rules.conditions import Truth, Value, evaluate
from rules.errors import InputError, Problem
from rules.model import Industry, ScopeItem


@dataclass(frozen=True)
class Situation:
    """A request resolved against a pack: what the rules will see, and where each fact came from."""

    as_of: date
    industries: tuple[str, ...]
    scope: frozenset[str]
    scope_from: dict[str, str | None]
    answers: dict[str, Value]
    implied: dict[str, str]
    unknown: frozenset[str]
    ignored: tuple[str, ...]


def resolve(compiled: Compiled, request: ComposeRequest, today: date) -> Situation:
    pack = compiled.pack
    as_of = request.as_of or today
    problems: list[Problem] = []
    if request.pack != pack.id:
        problems.append(Problem("unknown_pack", say("没有名为“%(pack)s”的规则包", "zh", pack=request.pack), "pack", request.pack))
        raise InputError(problems)

    scope_from: dict[str, str | None] = {}
    implied: dict[str, tuple[Value, str]] = {}

    def imply(source: str, values: dict[str, Value], where: str) -> None:
        for qid, value in values.items():
            earlier = implied.get(qid)
            if earlier is not None and isinstance(value, tuple) and isinstance(earlier[0], tuple):
                # Implied options add up: a pool's swimming and a climbing gym's climbing both hold.
                implied[qid] = (_union(compiled, qid, earlier[0], value), earlier[1])
            elif earlier is not None and earlier[0] != value:
                message = say(
                    "“%(question)s”：%(first)s意味着“%(first_value)s”，而%(second)s意味着“%(second_value)s”，二者不能同时选择",
                    "zh",
                    question=_question_name(compiled, qid),
                    first=earlier[1],
                    first_value=earlier[0],
                    second=source,
                    second_value=value,
                )
                problems.append(Problem("contradiction", message, where, qid))
            else:
                implied.setdefault(qid, (value, source))

    for where, industry in _chosen(pack.industries, request.industries, "industries", as_of, problems):
        for scope_id in industry.scope:
            scope_from.setdefault(scope_id, industry.id)
        imply(say("行业“%(industry)s”", "zh", industry=industry.name.zh), industry.implies, where)
    for _, item in _chosen(pack.scope_items, request.scope, "scope", as_of, problems):
        scope_from.setdefault(item.id, None)
    for scope_id in list(scope_from):
        item = pack.scope_items[scope_id]
        if item.implies:  # most imply nothing: spare them the words that name them
            imply(say("经营范围“%(scope)s”", "zh", scope=item.name.zh), item.implies, "scope")
    if not scope_from and not problems:
        problems.append(Problem("nothing_chosen", say("请至少选择一个行业或一项经营范围", "zh"), "industries"))

    answers: dict[str, Value] = {}
    unknown: set[str] = set()
    for qid, raw in request.answers.items():
        where = f"answers.{qid}"
        question = pack.questions.get(qid)
        if question is None:
            problems.append(Problem("unknown_question", say("没有编号为“%(question)s”的问题", "zh", question=qid), where, qid))
            continue
        if not question.in_effect(as_of):
            message = say("问题“%(question)s”在 %(date)s 不再适用", "zh", question=question.text.zh, date=as_of)
            problems.append(Problem("not_in_effect", message, where, qid))
            continue
        if raw is None or raw == UNKNOWN:
            if question.allow_unknown:
                unknown.add(qid)
            else:
                message = say("“%(question)s”必须回答，不能选“不确定”", "zh", question=question.text.zh)
                problems.append(Problem("bad_answer", message, where, qid))
            continue
        value, problem = parse_answer(question, raw)
        if problem is not None:
            problems.append(Problem(problem[0], problem[1], where, qid))
            continue
        earlier = implied.get(qid)
        if earlier is not None and not agrees(value, earlier[0]):
            message = say(
                "“%(question)s”的回答“%(value)s”与%(source)s（“%(implied)s”）矛盾",
                "zh",
                question=question.text.zh,
                value=shown(question, value),
                source=earlier[1],
                implied=shown(question, earlier[0]),
            )
            problems.append(Problem("contradiction", message, where, qid))
            continue
        answers[qid] = value
    if problems:
        raise InputError(problems)

    merged = {qid: value for qid, (value, _) in implied.items()}
    merged.update(answers)
    scope = frozenset(scope_from)
    merged, ignored = _drop_irrelevant(compiled, scope, merged, set(implied), as_of)
    return Situation(
        as_of=as_of,
        industries=tuple(dict.fromkeys(request.industries)),
        scope=scope,
        scope_from=scope_from,
        answers=merged,
        implied={qid: source for qid, (_, source) in implied.items()},
        unknown=frozenset(unknown - set(ignored)),
        ignored=ignored,
    )


class _Wording(NamedTuple):
    """How a request field of catalogue ids names its problems."""

    unknown_code: str
    unknown: str
    not_in_effect: str
    placeholder: str


_WORDING = {
    "industries": _Wording(
        "unknown_industry", N_("没有编号为“%(industry)s”的行业"), N_("行业“%(industry)s”在 %(date)s 不在行业目录中"), "industry"
    ),
    "scope": _Wording(
        "unknown_scope", N_("没有编号为“%(scope)s”的经营范围"), N_("经营范围“%(scope)s”在 %(date)s 不可选"), "scope"
    ),
}

_Entry = TypeVar("_Entry", Industry, ScopeItem)


def _chosen(
    catalogue: Mapping[str, _Entry], ids: Sequence[str], field: str, as_of: date, problems: list[Problem]
) -> Iterator[tuple[str, _Entry]]:
    """The chosen entries in effect on ``as_of``, each with its place; an unknown or out-of-effect one is a problem."""
    wording = _WORDING[field]
    for index, entry_id in enumerate(ids):
        entry = catalogue.get(entry_id)
        where = f"{field}[{index}]"
        if entry is None:
            message = say(wording.unknown, "zh", **{wording.placeholder: entry_id})
            problems.append(Problem(wording.unknown_code, message, where, entry_id))
        elif not entry.in_effect(as_of):
            message = say(wording.not_in_effect, "zh", **{wording.placeholder: entry.name.zh}, date=as_of)
            problems.append(Problem("not_in_effect", message, where, entry_id))
        else:
            yield where, entry


def _union(compiled: Compiled, qid: str, first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    order = {o.value: i for i, o in enumerate(compiled.pack.questions[qid].options)}
    return tuple(sorted({*first, *second}, key=lambda v: order.get(v, len(order))))


def _question_name(compiled: Compiled, qid: str) -> str:
    question = compiled.pack.questions.get(qid)
    return question.text.zh if question else qid


def _drop_irrelevant(
    compiled: Compiled, scope: frozenset[str], answers: dict[str, Value], implied: set[str], as_of: date
) -> tuple[dict[str, Value], tuple[str, ...]]:
    """Answers to questions that other answers made irrelevant do not count (nor are they asked).

    What the chosen industry or scope item implies is a fact of the business, never dropped.
    """
    ignored: list[str] = []
    changed = True
    while changed:
        changed = False
        truth = Truth(scope, {**answers, AS_OF: day(as_of)})
        for qid in list(answers):
            if qid in implied:
                continue
            dnf = compiled.relevance_dnf.get(qid)
            if dnf is not None and evaluate(dnf, truth) is False:
                del answers[qid]
                ignored.append(qid)
                changed = True
                break
    return answers, tuple(sorted(ignored))
