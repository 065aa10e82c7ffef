"""Static checks a rule author runs before publishing a pack.

``check`` reports everything :func:`rules.packs.load` refuses (YAML syntax, schema, unknown
keys, dangling references, dependency cycles) and, for a pack that loads, what is legal but
cannot be right: permits no business-scope item reaches, conditions that can never hold,
requirement elements and materials their permit excludes, questions never asked, materials,
form fields, departments and scope items nothing uses, missing legal bases, commitments offered
where the action plan excludes them, and industries that lead to no permit. Every problem is
listed (nothing stops at the first), each with a stable ``code``, a Chinese message naming the
entity and the offending key or value, and ``where`` = ``file:line`` of that key.

Conditions are reasoned about in normal form. A conjunction can never hold when the literals
on one key exclude each other — numeric intervals, sets of allowed values, the question's own
min / max / integer / options — or when a scope item it selects ``implies`` an answer it
contradicts. Every literal tests a single key and keys are otherwise independent, so this
per-key reasoning is exact for the condition language; no SAT solver is needed. Reachability
(of permits, elements, materials, commitment terms, industries) also follows relevance: the
composer never asks, and drops the answer to, a question whose ``relevant_when`` is false, so
a branch that tests a question it makes irrelevant can never hold either.

Effective periods are compared only between a permit and the scope items its branches select.

Codes, besides those of loading (``yaml_syntax``, ``schema``, ``unknown_kind``, ``missing_id``,
``duplicate_id``, ``dangling_reference``, ``bad_condition``, ``dependency_cycle``, …):

    contradictory_condition       a branch of a condition whose literals exclude each other
    branch_without_scope          an applies_when branch that selects no scope item
    branch_out_of_effect          an applies_when branch whose scope items end before the permit starts
    question_not_asked            an applies_when branch testing a question it makes irrelevant
    permit_unreachable            no applies_when branch can hold
    element_unreachable           an element whose when cannot hold wherever its permit applies
    material_unreachable          the same for a material ref (of a permit or of an element)
    commit_condition_unreachable  the same for notify_commit.when
    question_unused               a question no condition tests and no field prefills from
    question_never_relevant       a question whose relevant_when cannot hold
    material_unused               a registered material nothing asks for (produced ones: nor uses)
    dependency_material_mismatch  depends_on.uses names a material the other permit does not produce
    missing_dependency            a permit asks for another permit's result without depending on it
    template_without_source       a material's official blank template (sample url) with an 'inferred' source
    field_unused                  a form field no permit, element or application about a certificate asks for
    department_unused             a department with no permit
    scope_item_unused             a scope item in no industry and no condition
    missing_legal_basis           a permit with an empty legal_basis
    refusal_without_legal_basis   a refusal (不予许可/不得经营) that names no law
    refusal_unreachable           a refusal whose when cannot hold wherever its permit applies
    commit_on_excluded_risk       notify-and-commit available despite an excluded risk category
    exclusion_unknown_category    an exclusion from notify-and-commit naming none of the eight categories
    exclusion_without_basis       an exclusion from notify-and-commit that names no basis
    implies_conflict              an industry whose implies and its scope items' implies disagree
    industry_without_permit       an industry whose scope items bring no permit
    scenario_unknown_reference    a scenario naming an industry, scope item, question, permit, … the pack lacks
    half_width_punctuation        a Chinese text citizens read with half-width punctuation (「等, 不含」)

Sources given as ``inferred`` are allowed; :func:`inferred_sources` counts them separately.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rules import packs, yamlsource
from rules.conditions import Condition, Conjunction, Literal_, compare, implied_literals, keys_of, normal_form
from rules.errors import PackError, Problem
from rules.model import (
    ENTITY_KINDS,
    Effective,
    Industry,
    MaterialRef,
    Permit,
    Question,
    QuestionType,
    RiskCategory,
    RuleModel,
    Text,
    entity_id,
)
from rules.packs import PACKS_DIR, Merged, Pack
from rules.typography import full_width, half_width_marks


def check(pack_id: str, root: Path = PACKS_DIR, warnings: list[Problem] | None = None) -> list[Problem]:
    """Every problem of one pack: what loading refuses, or else what the static checks find.

    ``warnings`` collects what is harmless but needless: amends restating the parent's value (``amend_unchanged``).
    """
    try:
        pack, merged = packs.resolve(pack_id, root, warnings)
    except PackError as exc:
        return list(exc.problems)
    return check_pack(pack, merged)


def check_pack(pack: Pack, merged: Merged) -> list[Problem]:
    """The static checks of a loaded pack, in a stable order; ``merged`` is its YAML data (:func:`rules.packs.resolve`)."""
    at = Locator(pack, merged)
    readings = [pack, *(pack.read_on(day) for day in version_days(pack))]
    found = [[problem for one in CHECKS for problem in one(reading, at)] for reading in readings]
    # Something unused is a problem only if no version of any permit uses it; anything else, in any reading.
    unused = [{p for p in problems if p.code in UNUSED} for problems in found]
    kept = set.intersection(*unused)
    return list(dict.fromkeys(p for problems in found for p in problems if p.code not in UNUSED or p in kept))


UNUSED = frozenset({"department_unused", "field_unused", "material_unused", "question_unused", "scope_item_unused"})


def version_days(pack: Pack) -> list[date]:
    """A day in each period a permit's dated version is in force, so every version is checked as it reads."""
    days = {v.valid_from or v.valid_to for p in pack.permits.values() for v in p.versions.values()}
    return sorted(day for day in days if day is not None)


# --- where: file:line of a key inside an entity ------------------------------------------------


class Locator:
    """``file:line`` of a key inside an entity: where that key was written, in the parent or in an overlay's amend."""

    def __init__(self, pack: Pack, merged: Merged) -> None:
        self._pack = pack
        self._merged = merged

    def __call__(self, kind: str, id_: str, *path: str | int) -> str:
        origin = self._pack.origins.get((kind, id_))
        if origin is None:
            return ""
        raw = self._merged.get(kind, {}).get(id_)
        if not path or raw is None or not isinstance(raw.data, dict) or path[0] not in raw.data:
            return str(origin)  # the entity as a whole: where it was written, or amended last
        file, line = yamlsource.origin_of(raw.data, path)
        return f"{file or origin.file}:{line or origin.line}"


# --- conditions: where they are, and whether they can hold ----------------------------------------


@dataclass(frozen=True)
class Site:
    """One condition of a pack: whose it is, the path to it, a label for people, its normal form."""

    kind: str
    owner: str
    path: tuple[str | int, ...]
    label: str
    dnf: tuple[Conjunction, ...]


def sites(pack: Pack) -> Iterator[Site]:
    """Every condition in the pack: relevance of questions, and all the conditions of permits."""
    for q in pack.questions.values():
        if q.relevant_when is not None:
            yield Site("questions", q.id, ("relevant_when",), f"问题 {q.id} 的 relevant_when", normal_form(q.relevant_when))
    for p in pack.permits.values():
        label = f"许可事项 {p.id}"
        yield Site("permits", p.id, ("applies_when",), f"{label} 的 applies_when", normal_form(p.applies_when))
        commit = p.notify_commit.when
        if commit is not None:
            yield Site("permits", p.id, ("notify_commit", "when"), f"{label} 的 notify_commit.when", normal_form(commit))
        for k, refusal in enumerate(p.refusals):
            what = f"{label} 的不予许可情形 {refusal.id} 的 when"
            yield Site("permits", p.id, ("refusals", k, "when"), what, normal_form(refusal.when))
        for j, ref in enumerate(p.materials):
            if ref.when is not None:
                what = f"{label} 的材料 {ref.material} 的 when"
                yield Site("permits", p.id, ("materials", j, "when"), what, normal_form(ref.when))
        for i, e in enumerate(p.elements):
            if e.when is not None:
                yield Site("permits", p.id, ("elements", i, "when"), f"{label} 的要素 {e.id} 的 when", normal_form(e.when))
            for j, ref in enumerate(e.materials):
                if ref.when is not None:
                    what = f"{label} 的要素 {e.id} 的材料 {ref.material} 的 when"
                    yield Site("permits", p.id, ("elements", i, "materials", j, "when"), what, normal_form(ref.when))


Noted = tuple[Literal_, str]
"""A literal with a note saying where it comes from when it is not written in the condition."""


def conflict(literals: Iterable[Literal_], pack: Pack, implied: Iterable[Noted] = ()) -> str | None:
    """Why these literals can never hold together, in words; None when some input satisfies them all.

    Scope items a literal selects add the answers they ``imply``; ``implied`` adds others (an
    industry's). Literals on different keys never exclude each other, so each key is tried alone.
    """
    noted: list[Noted] = [(lit, "") for lit in literals]
    noted.extend(implied)
    selected = {lit.key: lit for lit, _ in noted if lit.kind == "scope" and lit.op == "has"}
    for lit, _ in noted:
        if lit.kind == "scope" and lit.op == "lacks" and lit.key in selected:
            return f"{show(selected[lit.key])} 与 {show(lit)} 矛盾"
    for scope_id in sorted(selected):
        for qid, value in pack.scope_items[scope_id].implies.items():
            noted.extend((lit, f"经营范围 {scope_id} 隐含") for lit in implied_literals(qid, value))
    by_key: dict[str, dict[Literal_, str]] = {}
    for lit, note in noted:
        if lit.kind == "answer":
            by_key.setdefault(lit.key, {}).setdefault(lit, note)
    for key in sorted(by_key):
        group = list(by_key[key].items())
        question = pack.questions.get(key)
        if not possible([lit for lit, _ in group], question):
            return _explain(group, question)
    return None


def possible(literals: Sequence[Literal_], question: Question | None, bounded: bool = True) -> bool:
    """Whether one answer to ``question`` satisfies every literal (all on that question).

    ``bounded`` also applies the question's min, max and integer settings; options and
    true/false always bound choices and yes/no questions.
    """
    if question is None:
        return True
    if question.type is QuestionType.multi_choice:
        return _some_set(literals, {o.value for o in question.options})
    if question.type is not QuestionType.number:
        values: list[Any] = [True, False] if question.type is QuestionType.boolean else [o.value for o in question.options]
        return any(all(compare(v, lit.op, lit.value) for lit in literals) for v in values)
    low = question.min if bounded else None
    high = question.max if bounded else None
    integer = bounded and question.integer
    points = next((lit for lit in literals if lit.op in ("eq", "in")), None)
    if points is not None:
        candidates = [points.value] if points.op == "eq" else list(points.value)
        return any(
            all(compare(v, lit.op, lit.value) for lit in literals)
            and (low is None or v >= low)
            and (high is None or v <= high)
            and (not integer or float(v).is_integer())
            for v in candidates
        )
    low_open = high_open = False
    excluded: set[float] = set()
    for lit in literals:
        if lit.op in ("gt", "gte"):
            strict = lit.op == "gt"
            if low is None or lit.value > low or (lit.value == low and strict):
                low, low_open = lit.value, strict
        elif lit.op in ("lt", "lte"):
            strict = lit.op == "lt"
            if high is None or lit.value < high or (lit.value == high and strict):
                high, high_open = lit.value, strict
        elif lit.op == "neq":
            excluded.add(lit.value)
        elif lit.op == "nin":
            excluded.update(lit.value)
    return _interval_holds(low, low_open, high, high_open, integer, excluded)


def _some_set(literals: Sequence[Literal_], options: set[str]) -> bool:
    """Whether some set of options satisfies every set test: what must be in it, stays out, and one of each any_of."""
    required = {lit.value for lit in literals if lit.op == "contains"}
    excluded = {lit.value for lit in literals if lit.op == "excludes"}
    excluded.update(v for lit in literals if lit.op == "none_of" for v in lit.value)
    groups = [set(lit.value) for lit in literals if lit.op == "any_of"]
    allowed = options - excluded
    return required <= allowed and all(group & allowed for group in groups)


def _interval_holds(
    low: float | None, low_open: bool, high: float | None, high_open: bool, integer: bool, excluded: set[float]
) -> bool:
    if integer:
        first = None if low is None else (math.floor(low) + 1 if low_open and float(low).is_integer() else math.ceil(low))
        last = None if high is None else (math.ceil(high) - 1 if high_open and float(high).is_integer() else math.floor(high))
        if first is None or last is None:
            return True
        if last - first + 1 > len(excluded):
            return first <= last
        return any(n not in excluded for n in range(first, last + 1))
    if low is None or high is None or low < high:
        return True  # an open or non-empty interval holds infinitely many values; excluded is finite
    return low == high and not low_open and not high_open and low not in excluded


def _explain(group: list[Noted], question: Question | None) -> str:
    """The smallest part of a contradictory group worth naming: one literal, a pair, or all."""
    domain = f"（问题 {question.id} 的取值范围：{_domain(question)}）" if question else ""
    for lit, note in group:
        if not possible([lit], question):
            return f"{_noted(lit, note)} 不可能成立{domain}"
    for bounded in (False, True):
        for i, (a, a_note) in enumerate(group):
            for b, b_note in group[i + 1 :]:
                if not possible([a, b], question, bounded):
                    return f"{_noted(a, a_note)} 与 {_noted(b, b_note)} 矛盾" + ("" if not bounded else domain)
    return "、".join(_noted(lit, note) for lit, note in group) + f" 不能同时成立{domain}"


def _domain(question: Question) -> str:
    if question.type is QuestionType.boolean:
        return "true/false"
    if question.type is QuestionType.choice:
        return "/".join(o.value for o in question.options)
    if question.type is QuestionType.multi_choice:
        return "{" + ", ".join(o.value for o in question.options) + "} 的任意子集"
    low = _value(question.min) if question.min is not None else "-∞"
    high = _value(question.max) if question.max is not None else "+∞"
    return f"{low} 至 {high}" + ("，整数" if question.integer else "")


_SET_WORDS = {"contains": "包含", "excludes": "不包含", "any_of": "包含任一", "none_of": "不包含任何"}
_SYMBOLS = {"eq": "=", "neq": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "in": "∈", "nin": "∉"}


def show(lit: Literal_) -> str:
    """A literal as a rule author wrote it, in words: 'area_m2 > 150', '选择经营范围 lodging'."""
    if lit.kind == "scope":
        return f"{'选择' if lit.op == 'has' else '不选择'}经营范围 {lit.key}"
    if lit.op in _SET_WORDS:
        return f"{lit.key} {_SET_WORDS[lit.op]} {_value(lit.value)}"
    return f"{lit.key} {_SYMBOLS[lit.op]} {_value(lit.value)}"


def show_branch(conj: Conjunction) -> str:
    return "[" + ", ".join(show(lit) for lit in conj) + "]"


def _noted(lit: Literal_, note: str) -> str:
    return f"{show(lit)}（{note}）" if note else show(lit)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def _selects(conj: Conjunction) -> bool:
    return any(lit.kind == "scope" and lit.op == "has" for lit in conj)


def out_of_effect(pack: Pack, permit: Permit, conj: Conjunction) -> str | None:
    """Why a branch is never in effect together with its permit, or None when the periods overlap."""
    periods: list[tuple[str, Effective]] = [(f"许可事项 {permit.id}", permit)]
    periods += [(f"经营范围 {lit.key}", pack.scope_items[lit.key]) for lit in conj if lit.kind == "scope" and lit.op == "has"]
    starts = [(e.valid_from, name) for name, e in periods if e.valid_from is not None]
    ends = [(e.valid_to, name) for name, e in periods if e.valid_to is not None]
    if starts and ends:
        start, start_name = max(starts)
        end, end_name = min(ends)
        if start > end:
            return f"{start_name} 自 {start} 起生效，而 {end_name} 于 {end} 已失效"
    return None


RELEVANCE_BUDGET = 2000
"""How many relevance branches one search may try before giving the benefit of the doubt."""


def never_holds(pack: Pack, literals: Sequence[Literal_], implied: Sequence[Noted] = ()) -> str | None:
    """Why these literals can never hold together, counting relevance; None when some input satisfies them.

    Besides :func:`conflict`: an answer only counts while its question is relevant (the composer
    drops answers to questions whose ``relevant_when`` is false, and never asks them), so every
    question the literals test must have a relevant_when branch that can hold alongside them —
    and so on for the questions those branches test.
    """
    why = conflict(literals, pack, implied)
    if why:
        return why
    pending = sorted({lit.key for lit in literals if lit.kind == "answer"})
    failed = _irrelevant(pack, tuple(literals), implied, pending, frozenset(), [RELEVANCE_BUDGET])
    if failed is None:
        return None
    chain, why = failed
    return f"问题 {' → '.join(chain)} 在此情形下不相关，不会被问到，其回答也不计：{chain[-1]} 的 relevant_when 不成立（{why}）"


def _irrelevant(
    pack: Pack, literals: Conjunction, implied: Sequence[Noted], pending: list[str], done: frozenset[str], budget: list[int]
) -> tuple[list[str], str] | None:
    """None when every pending question can be relevant; else the chain of questions that cannot, and why."""
    while pending and (pending[0] in done or _relevance(pack, pending[0]) is None):
        done, pending = done | {pending[0]}, pending[1:]
    if not pending:
        return None
    qid, rest = pending[0], pending[1:]
    first: tuple[list[str], str] | None = None
    for branch in _relevance(pack, qid) or ():
        budget[0] -= 1
        if budget[0] < 0:
            return None
        joined = literals + branch
        why = conflict(joined, pack, implied)
        if why is not None:
            failed = [qid], why
        else:
            more = [lit.key for lit in branch if lit.kind == "answer" and lit.key not in done and lit.key != qid]
            deeper = _irrelevant(pack, joined, implied, rest + more, done | {qid}, budget)
            if deeper is None:
                return None
            failed = ([qid, *deeper[0]], deeper[1]) if deeper[0][0] in more else deeper
        first = first or failed
    return first


def _relevance(pack: Pack, qid: str) -> tuple[Conjunction, ...] | None:
    question = pack.questions.get(qid)
    return normal_form(question.relevant_when) if question and question.relevant_when is not None else None


def reachable(pack: Pack, permit: Permit) -> list[Conjunction]:
    """The branches of a permit's applies_when that some choice of scope items and answers makes hold."""
    return [
        conj
        for conj in normal_form(permit.applies_when)
        if _selects(conj) and never_holds(pack, conj) is None and out_of_effect(pack, permit, conj) is None
    ]


def _narrow(pack: Pack, contexts: list[Conjunction], condition: Condition | None) -> list[Conjunction]:
    """The contexts that ``condition`` can hold in, each joined with the branch that holds."""
    if condition is None:
        return contexts
    return [ctx + branch for ctx in contexts for branch in normal_form(condition) if never_holds(pack, ctx + branch) is None]


def _first_conflict(pack: Pack, contexts: list[Conjunction], condition: Condition) -> str:
    for ctx in contexts:
        for branch in normal_form(condition):
            why = never_holds(pack, ctx + branch)
            if why:
                return why
    return ""


# --- the checks ---------------------------------------------------------------------------------

Check = Callable[[Pack, Locator], list[Problem]]


def contradictory_conditions(pack: Pack, at: Locator) -> list[Problem]:
    """A branch of any condition whose literals (or the answers its scope items imply) exclude each other."""
    problems = []
    for site in sites(pack):
        for conj in site.dnf:
            why = conflict(conj, pack)
            if why:
                problems.append(
                    Problem(
                        "contradictory_condition",
                        f"{site.label} 的分支 {show_branch(conj)} 永远不成立：{why}",
                        at(site.kind, site.owner, *site.path),
                        site.owner,
                    )
                )
    return problems


def unreachable_permits(pack: Pack, at: Locator) -> list[Problem]:
    """A permit is reached only by branches that select a scope item, can hold, and are in effect."""
    problems = []
    for p in pack.permits.values():
        where = at("permits", p.id, "applies_when")
        for conj in normal_form(p.applies_when):
            if not _selects(conj):
                problems.append(
                    Problem(
                        "branch_without_scope",
                        f"许可事项 {p.id} 的 applies_when 分支 {show_branch(conj)} 没有选中任何经营范围（scope 条件），"
                        "许可事项必须由经营范围触发",
                        where,
                        p.id,
                    )
                )
            elif why := out_of_effect(pack, p, conj):
                problems.append(
                    Problem(
                        "branch_out_of_effect",
                        f"许可事项 {p.id} 的 applies_when 分支 {show_branch(conj)} 永远不在有效期内：{why}",
                        where,
                        p.id,
                    )
                )
            elif conflict(conj, pack) is None and (why := never_holds(pack, conj)):
                problems.append(
                    Problem(
                        "question_not_asked",
                        f"许可事项 {p.id} 的 applies_when 分支 {show_branch(conj)} 永远不成立：{why}",
                        where,
                        p.id,
                    )
                )
        if not reachable(pack, p):
            problems.append(
                Problem(
                    "permit_unreachable",
                    f"许可事项 {p.id} 的 applies_when 没有一个分支能成立，任何行业或经营范围都不会触发它",
                    where,
                    p.id,
                )
            )
    return problems


def unreachable_parts(pack: Pack, at: Locator) -> list[Problem]:
    """Elements, material refs and commitment conditions that cannot hold wherever their permit applies."""
    problems = []
    for p in pack.permits.values():
        contexts = reachable(pack, p)
        if not contexts:
            continue  # permit_unreachable already says so
        commit = p.notify_commit.when
        if commit is not None and not _narrow(pack, contexts, commit):
            problems.append(
                _unreachable(pack, at, p, "commit_condition_unreachable", "告知承诺", commit, contexts, ("notify_commit", "when"))
            )
        for k, refusal in enumerate(p.refusals):
            if not _narrow(pack, contexts, refusal.when):
                problems.append(
                    _unreachable(
                        pack,
                        at,
                        p,
                        "refusal_unreachable",
                        f"不予许可情形 {refusal.id}",
                        refusal.when,
                        contexts,
                        ("refusals", k, "when"),
                    )
                )
        for j, ref in enumerate(p.materials):
            if ref.when is not None and not _narrow(pack, contexts, ref.when):
                problems.append(
                    _unreachable(
                        pack, at, p, "material_unreachable", f"材料 {ref.material}", ref.when, contexts, ("materials", j, "when")
                    )
                )
        for i, e in enumerate(p.elements):
            inner = _narrow(pack, contexts, e.when)
            if e.when is not None and not inner:
                problems.append(
                    _unreachable(pack, at, p, "element_unreachable", f"要素 {e.id}", e.when, contexts, ("elements", i, "when"))
                )
                continue
            for j, ref in enumerate(e.materials):
                if ref.when is not None and not _narrow(pack, inner, ref.when):
                    problems.append(
                        _unreachable(
                            pack,
                            at,
                            p,
                            "material_unreachable",
                            f"要素 {e.id} 的材料 {ref.material}",
                            ref.when,
                            inner,
                            ("elements", i, "materials", j, "when"),
                        )
                    )
    return problems


def _unreachable(
    pack: Pack,
    at: Locator,
    permit: Permit,
    code: str,
    what: str,
    condition: Condition,
    contexts: list[Conjunction],
    path: tuple[str | int, ...],
) -> Problem:
    why = _first_conflict(pack, contexts, condition)
    return Problem(
        code,
        f"许可事项 {permit.id} 的{what} 的 when 在该事项适用的任何情形下都不能成立，永远不会生效（例如：{why}）",
        at("permits", permit.id, *path),
        permit.id,
    )


def unused_questions(pack: Pack, at: Locator) -> list[Problem]:
    """A question no condition tests and no form field prefills from is never asked."""
    used = {f.prefill_from for f in pack.fields.values() if f.prefill_from}
    for site in sites(pack):
        used |= keys_of(site.dnf, "answer") - ({site.owner} if site.kind == "questions" else set())
    return [
        Problem(
            "question_unused",
            f"问题 {q.id} 没有被任何条件引用，也没有表单字段的 prefill_from 用到它，永远不会被问到",
            at("questions", q.id),
            q.id,
        )
        for q in pack.questions.values()
        if q.id not in used
    ]


def never_relevant_questions(pack: Pack, at: Locator) -> list[Problem]:
    """A question whose relevant_when can never hold is never asked."""
    problems = []
    for q in pack.questions.values():
        if q.relevant_when is None:
            continue
        dnf = normal_form(q.relevant_when)
        reasons = [never_holds(pack, conj) for conj in dnf]
        if all(reasons):
            problems.append(
                Problem(
                    "question_never_relevant",
                    f"问题 {q.id} 的 relevant_when 永远不成立，它永远不会被问到（{reasons[0]}）",
                    at("questions", q.id, "relevant_when"),
                    q.id,
                )
            )
    return problems


def unused_materials(pack: Pack, at: Locator) -> list[Problem]:
    """A registered material that no permit or element asks for (or, if produced, uses) is never required."""
    asked = {ref.material for p in pack.permits.values() for ref in p.materials}
    asked |= {ref.material for p in pack.permits.values() for e in p.elements for ref in e.materials}
    uses = {dep.uses for p in pack.permits.values() for dep in p.depends_on if dep.uses}
    return [
        Problem("material_unused", f"材料 {m.key} 在材料目录中，但没有任何许可事项或要素要求它", at("materials", m.key), m.key)
        for m in pack.materials.values()
        if m.key not in asked and not (m.produced_by and m.key in uses)
    ]


def produced_materials(pack: Pack, at: Locator) -> list[Problem]:
    """A result one permit produces ties two permits: the one using it must depend on the producer."""
    problems = []
    for p in pack.permits.values():
        depends = {dep.permit for dep in p.depends_on}
        for i, dep in enumerate(p.depends_on):
            material = pack.materials[dep.uses] if dep.uses else None
            if material is not None and material.produced_by != dep.permit:
                made = f"由 {material.produced_by} 出具" if material.produced_by else "没有 produced_by"
                problems.append(
                    Problem(
                        "dependency_material_mismatch",
                        f"许可事项 {p.id} 依赖 {dep.permit} 并使用材料 {material.key}，但该材料{made}",
                        at("permits", p.id, "depends_on", i),
                        p.id,
                    )
                )
        refs: list[tuple[tuple[str | int, ...], MaterialRef]] = [(("materials", j), ref) for j, ref in enumerate(p.materials)]
        refs += [(("elements", i, "materials", j), ref) for i, e in enumerate(p.elements) for j, ref in enumerate(e.materials)]
        for path, ref in refs:
            producer = pack.materials[ref.material].produced_by
            if producer and producer != p.id and producer not in depends:
                problems.append(
                    Problem(
                        "missing_dependency",
                        f"许可事项 {p.id} 要求材料 {ref.material}，它由许可事项 {producer} 出具，但 depends_on 中没有 {producer}",
                        at("permits", p.id, *path),
                        p.id,
                    )
                )
    return problems


def holders_of_submitted_materials(pack: Pack, at: Locator) -> list[Problem]:
    """Only what the government holds is fetched from a holder: a holder on a material to submit contradicts it."""
    return [
        Problem(
            "holder_not_exempt",
            f"材料 {m.key} 写明了持有部门或系统（held_by），但没有标为政府已持有（government_holds）",
            at("materials", m.key, "held_by"),
            m.key,
        )
        for m in pack.materials.values()
        if m.held_by is not None and not m.government_holds
    ]


def unsourced_templates(pack: Pack, at: Locator) -> list[Problem]:
    """An official blank template is the department's own: its address must come with where it was published."""
    return [
        Problem(
            "template_without_source",
            f"材料 {m.key} 的样表给出了官方模板地址（url），但来源为 inferred：请写明公布该模板的办事指南或网页",
            at("materials", m.key, "sample", "source"),
            m.key,
        )
        for m in pack.materials.values()
        if m.sample is not None and m.sample.url is not None and m.sample.source.strip() == INFERRED
    ]


def unused_fields(pack: Pack, at: Locator) -> list[Problem]:
    """A form field in the dictionary that no permit, element or application about a certificate asks for."""
    used = {fid for p in pack.permits.values() for fid in p.fields}
    used |= {fid for p in pack.permits.values() for e in p.elements for fid in e.fields}
    used |= {fid for entry in pack.lifecycle.values() for fid in entry.fields}
    used |= {fid for entry in pack.lifecycle.values() for extra in entry.permits.values() for fid in extra.fields}
    return [
        Problem("field_unused", f"表单字段 {f.id} 没有被任何许可事项、要素或证后申请使用", at("fields", f.id), f.id)
        for f in pack.fields.values()
        if f.id not in used
    ]


def unused_departments(pack: Pack, at: Locator) -> list[Problem]:
    """A department no permit belongs to."""
    used = {p.department for p in pack.permits.values()}
    return [
        Problem("department_unused", f"部门 {d.id} 没有任何许可事项", at("departments", d.id), d.id)
        for d in pack.departments.values()
        if d.id not in used
    ]


def unused_scope_items(pack: Pack, at: Locator) -> list[Problem]:
    """A scope item in no industry and tested by no condition."""
    used = {s for ind in pack.industries.values() for s in ind.scope}
    for site in sites(pack):
        used |= keys_of(site.dnf, "scope")
    return [
        Problem("scope_item_unused", f"经营范围 {s.id} 不属于任何行业，也没有被任何条件引用", at("scope_items", s.id), s.id)
        for s in pack.scope_items.values()
        if s.id not in used
    ]


def missing_legal_basis(pack: Pack, at: Locator) -> list[Problem]:
    """Every permit names the law it rests on."""
    return [
        Problem(
            "missing_legal_basis",
            f"许可事项 {p.id} 的 legal_basis 为空，须写明设定依据",
            at("permits", p.id, "legal_basis"),
            p.id,
        )
        for p in pack.permits.values()
        if not any(basis.strip() for basis in p.legal_basis)
    ]


def refusals_without_legal_basis(pack: Pack, at: Locator) -> list[Problem]:
    """A refusal takes away what the applicant asks for: it must name the law that says so."""
    return [
        Problem(
            "refusal_without_legal_basis",
            f"许可事项 {p.id} 的不予许可情形 {r.id} 没有写明法律依据（legal_basis），不予许可必须有法定依据",
            at("permits", p.id, "refusals", k),
            p.id,
        )
        for p in pack.permits.values()
        for k, r in enumerate(p.refusals)
        if not any(basis.strip() for basis in r.legal_basis)
    ]


def commitments_on_excluded_risks(pack: Pack, at: Locator) -> list[Problem]:
    """Notify-and-commit is not offered for a permit in a risk category the action plan excludes."""
    return [
        Problem(
            "commit_on_excluded_risk",
            f"许可事项 {p.id} 的 notify_commit.available 为 true，但其风险类别 "
            f"{', '.join(r.value for r in p.notify_commit.risk_categories)} 不得实行告知承诺",
            at("permits", p.id, "notify_commit", "available"),
            p.id,
        )
        for p in pack.permits.values()
        if p.notify_commit.available and p.notify_commit.risk_categories
    ]


def exclusions_without_category_or_basis(pack: Pack, at: Locator) -> list[Problem]:
    """An exclusion from notify-and-commit names one of the eight categories, and the basis that puts the permit there."""
    allowed = "、".join(RiskCategory)
    problems = []
    for p in pack.permits.values():
        for k, e in enumerate(p.notify_commit.excluded):
            path = ("notify_commit", "excluded", k)
            if e.known is None:
                message = (
                    f"许可事项 {p.id} 的告知承诺排除类别 '{e.category}' 不在国办发〔2020〕42号所列八类之中（可用：{allowed}）"
                )
                problems.append(Problem("exclusion_unknown_category", message, at("permits", p.id, *path, "category"), p.id))
            if not any(b.strip() for b in e.basis):
                message = f"许可事项 {p.id} 的告知承诺排除类别 '{e.category}' 未写明依据（basis）"
                problems.append(Problem("exclusion_without_basis", message, at("permits", p.id, *path), p.id))
    return problems


def _industry_implies(industry: Industry) -> list[Noted]:
    return [(lit, f"行业 {industry.id} 隐含") for qid, value in industry.implies.items() for lit in implied_literals(qid, value)]


def _industry_selection(industry: Industry) -> list[Literal_]:
    return [Literal_("scope", s, "has") for s in industry.scope]


def conflicting_implies(pack: Pack, at: Locator) -> list[Problem]:
    """An industry whose own implies and its scope items' implies fix one answer to two values."""
    problems = []
    for ind in pack.industries.values():
        why = conflict(_industry_selection(ind), pack, _industry_implies(ind))
        if why:
            problems.append(
                Problem(
                    "implies_conflict",
                    f"行业 {ind.id} 隐含的回答互相矛盾：{why}",
                    at("industries", ind.id, "implies" if ind.implies else "scope"),
                    ind.id,
                )
            )
    return problems


def industries_without_permits(pack: Pack, at: Locator) -> list[Problem]:
    """An industry whose scope items, picked together, can bring no permit at all."""
    branches = [conj for p in pack.permits.values() for conj in reachable(pack, p)]
    problems = []
    for ind in pack.industries.values():
        selection, implied = _industry_selection(ind), _industry_implies(ind)
        if conflict(selection, pack, implied):
            continue  # implies_conflict already says so
        scope = set(ind.scope)
        if not any(_triggered(pack, conj, scope, selection, implied) for conj in branches):
            problems.append(
                Problem(
                    "industry_without_permit",
                    f"行业 {ind.id} 的经营范围 {', '.join(ind.scope)} 不会触发任何许可事项",
                    at("industries", ind.id, "scope"),
                    ind.id,
                )
            )
    return problems


def _triggered(pack: Pack, conj: Conjunction, scope: set[str], selection: list[Literal_], implied: list[Noted]) -> bool:
    for lit in conj:
        if lit.kind == "scope" and (lit.key in scope) != (lit.op == "has"):
            return False
    return never_holds(pack, [*conj, *selection], implied) is None


_EXPECT_REFS: dict[str, str] = {
    "permits": "permits",
    "permits_include": "permits",
    "permits_exclude": "permits",
    "commit_eligible": "permits",
    "materials_include": "materials",
    "materials_exclude": "materials",
    "fields_include": "fields",
    "questions_include": "questions",
    "questions_exclude": "questions",
}
_KIND_NAMES = {
    "industries": "行业",
    "scope_items": "经营范围",
    "permits": "许可事项",
    "materials": "材料",
    "fields": "表单字段",
    "questions": "问题",
}


def scenario_references(pack: Pack, at: Locator) -> list[Problem]:
    """Every id a scenario names (inputs and expectations) exists in the pack — overlays can withdraw them."""
    problems = []
    # A scenario that expects the input to be refused as unknown names the unknown id on purpose.
    refused = {
        "unknown_industry": "industries",
        "unknown_scope": "scope_items",
        "unknown_question": "questions",
        "not_eligible_for_commitment": "permits",
    }
    for s in pack.scenarios:
        named: list[tuple[tuple[str, ...], str, Sequence[str] | None]] = [
            (("industries",), "industries", s.industries),
            (("scope",), "scope_items", s.scope),
            (("answers",), "questions", list(s.answers)),
            (("commit",), "permits", s.commit),
        ]
        named += [(("expect", name), kind, getattr(s.expect, name)) for name, kind in _EXPECT_REFS.items()]
        for path, kind, ids in named:
            if refused.get(s.expect.error or "") == kind:
                continue
            for i, id_ in enumerate(ids or ()):
                if id_ not in getattr(pack, kind):
                    key = id_ if path == ("answers",) else i
                    problems.append(
                        Problem(
                            "scenario_unknown_reference",
                            f"情形 '{s.name}' 的 {'.'.join(path)} 引用了本规则包中没有的{_KIND_NAMES[kind]} '{id_}'",
                            at("scenarios", s.name, *path, key),
                            s.name,
                        )
                    )
    return problems


def half_width_punctuation(pack: Pack, at: Locator) -> list[Problem]:
    """Chinese texts citizens read (names, questions, conditions, reasons, legal bases) use full-width punctuation."""
    problems = []
    for kind in ENTITY_KINDS:
        if kind == "scenarios":
            continue  # scenario names are the rule author's, not the citizen's
        for entity in getattr(pack, kind).values():
            owner = entity_id(kind, entity)
            for path, text in chinese_texts(entity):
                marks = half_width_marks(text)
                if marks:
                    shown = "、".join(f"“{text[i]}”" for i in marks)
                    problems.append(
                        Problem(
                            "half_width_punctuation",
                            f"{_KIND_LABELS[kind]} {owner} 的中文文字使用了半角标点 {shown}，应改为全角：“{full_width(text)}”",
                            at(kind, owner, *path),
                            owner,
                        )
                    )
    return problems


def chinese_texts(model: RuleModel, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every Chinese text of an entity citizens read, with its path: each ``zh``, and each legal basis."""
    if isinstance(model, Text):
        yield (*path, "zh"), model.zh
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(model, Text) and name in ("zh", "en"):
            continue  # a Text's own words are said above; a window's contact is read on
        if name == "legal_basis":
            yield from (((*path, name, i), basis) for i, basis in enumerate(value))
        elif isinstance(value, RuleModel):
            yield from chinese_texts(value, (*path, name))
        elif isinstance(value, tuple | list):
            for i, item in enumerate(value):
                if isinstance(item, RuleModel):
                    yield from chinese_texts(item, (*path, name, i))


_KIND_LABELS = {
    "departments": "部门",
    "questions": "问题",
    "scope_items": "经营范围",
    "industries": "行业",
    "permits": "许可事项",
    "materials": "材料",
    "fields": "表单字段",
}


CHECKS: tuple[Check, ...] = (
    contradictory_conditions,
    unreachable_permits,
    unreachable_parts,
    unused_questions,
    never_relevant_questions,
    unused_materials,
    produced_materials,
    holders_of_submitted_materials,
    unsourced_templates,
    unused_fields,
    unused_departments,
    unused_scope_items,
    missing_legal_basis,
    refusals_without_legal_basis,
    commitments_on_excluded_risks,
    exclusions_without_category_or_basis,
    conflicting_implies,
    industries_without_permits,
    scenario_references,
    half_width_punctuation,
)
"""The static checks, run in this order on a pack that loads."""


# --- not problems: what rests on inferred sources ------------------------------------------------

INFERRED = "inferred"


def inferred_sources(pack: Pack) -> dict[str, tuple[int, int]]:
    """For permits (with a legal basis), their elements, time limits, commitment terms and refusals: (inferred, total)."""
    permits = [p for p in pack.permits.values() if p.legal_basis]
    # A dated version's own facts count as much as the permit's (what it replaces is not counted twice).
    versions = [v for p in permits for v in p.versions.values()]
    elements = [e for p in permits for e in p.elements] + [e for v in versions for e in v.elements or ()]
    refusals = [r for p in permits for r in p.refusals] + [r for v in versions for r in v.refusals or ()]
    limits = [p.time_limit for p in permits] + [v.time_limit for v in versions if v.time_limit]
    commits = [p.notify_commit for p in permits] + [v.notify_commit for v in versions if v.notify_commit]
    return {
        "permits": (sum(p.source == INFERRED for p in [*permits, *versions]), len(permits) + len(versions)),
        "elements": (sum(e.source == INFERRED for e in elements), len(elements)),
        "time_limits": (sum(t.source == INFERRED for t in limits), len(limits)),
        "notify_commit": (sum(n.source == INFERRED for n in commits), len(commits)),
        "refusals": (sum(r.source == INFERRED for r in refusals), len(refusals)),
    }


_INFERRED_LABELS = {
    "permits": "许可事项",
    "elements": "要素",
    "time_limits": "时限",
    "notify_commit": "告知承诺",
    "refusals": "不予许可",
}


def inferred_summary(pack: Pack) -> str:
    """One line for the author: how much of the pack rests on 'inferred' rather than a cited source, and the share."""
    counts = inferred_sources(pack)
    parts = [f"{_INFERRED_LABELS[kind]} {n}/{total}" for kind, (n, total) in counts.items()]
    inferred, total = sum(n for n, _ in counts.values()), sum(t for _, t in counts.values())
    share = f"{inferred / total:.0%}" if total else "0%"
    return f"来源为 inferred（推定，未引用原文）的：{'，'.join(parts)}；合计 {inferred}/{total}（{share}）"


def contact_summary(pack: Pack) -> str:
    """One line for the author: how many deciding departments carry a sourced contact; the notice sends the rest to the window."""
    deciding = {p.department for p in pack.permits.values()}
    departments = [d for d in pack.departments.values() if d.id in deciding]
    reached = sum(d.contact is not None for d in departments)
    return (
        f"审批部门联系方式（地址、办公时间、咨询电话、网上入口）：有来源的 {reached}/{len(departments)}；"
        "其余由告知单请申请人向受理窗口咨询"
    )


__all__ = [
    "CHECKS",
    "Locator",
    "check",
    "check_pack",
    "conflict",
    "contact_summary",
    "inferred_sources",
    "inferred_summary",
    "possible",
]
