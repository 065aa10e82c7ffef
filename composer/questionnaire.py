"""Which questions are still worth asking: only those whose answer can change the result.

A question is open when it is unanswered and appears in a condition that is still undecided:
first the conditions that decide which permits are needed, then, for the permits already
needed, their conditional elements, materials and notify-and-commit eligibility. A question an
earlier answer made irrelevant (its ``relevant_when`` is false) is never asked; one whose
relevance is itself undecided waits until the question that gates it is answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from composer.inputs import Situation
from composer.model import Composition, Locale, QuestionOut
from rules.compile import AS_OF, Compiled, day
from rules.conditions import Truth, Value, evaluate, open_keys
from rules.model import Question, QuestionType


def open_questions(
    compiled: Compiled,
    situation: Situation,
    truth: Truth,
    undecided: Mapping[str, Iterable[str]],
    required: set[str],
    hits: set[tuple[str, str, str]],
    locale: Locale,
) -> list[QuestionOut]:
    """``undecided`` is, for each permit the scope reaches that is neither required nor ruled out,
    in the scope's order, the questions that decide it: composing has worked them out already."""
    pack = compiled.pack
    affects: dict[str, dict[str, None]] = {}
    tier: dict[str, int] = {}

    def consider(keys: Iterable[str], permit: str, level: int) -> None:
        for key in keys:
            affects.setdefault(key, {}).setdefault(permit, None)
            tier[key] = min(tier.get(key, level), level)

    for pid, keys in undecided.items():
        consider(keys, pid, 0)
    # A condition whose questions are all answered has none open: skip it without evaluating.
    answered = truth.answers.keys()
    for pid in sorted(required):
        if answered >= compiled.follow_up_asks[pid]:
            continue
        if pid in compiled.commit_dnf and ("commit", pid, "") not in hits:
            consider(open_keys(compiled.commit_dnf[pid], truth), pid, 1)
        for dnf in compiled.follow_ups.get(pid, ()):
            consider(open_keys(dnf, truth), pid, 1)

    asked: dict[str, tuple[int, dict[str, None]]] = {}
    pending = list(affects)
    while pending:
        qid = pending.pop()
        if qid in asked or qid in situation.unknown or qid not in pack.questions:
            continue
        question = pack.questions[qid]
        if not question.in_effect(situation.as_of):
            continue
        gate = compiled.relevance_dnf.get(qid)
        relevance = evaluate(gate, truth) if gate is not None else True
        if relevance is False:
            continue
        if relevance is None and gate is not None:
            # Ask what decides the relevance first; this question comes back once it is answered.
            for gate_key in open_keys(gate, truth):
                if gate_key not in affects:
                    affects[gate_key] = dict(affects[qid])
                    tier[gate_key] = tier[qid]
                    pending.append(gate_key)
            continue
        asked[qid] = (tier[qid], affects[qid])

    position = {qid: i for i, qid in enumerate(pack.questions)}
    ordered = sorted(asked, key=lambda q: (asked[q][0], pack.questions[q].order, position[q]))
    return [worded(pack.questions[qid], locale, sorted(asked[qid][1])) for qid in ordered]


def worded(question: Question, locale: str, affects: list[str]) -> QuestionOut:
    """The question as the applicant reads it in ``locale``, with the permits its answer can change."""
    return QuestionOut.model_construct(
        id=question.id,
        text=question.text.in_(locale),
        help=question.help.in_(locale) if question.help else None,
        type=question.type.value,
        unit=question.unit,
        min=question.min,
        max=question.max,
        options=[(o.value, o.label.in_(locale)) for o in question.options],
        allow_unknown=question.allow_unknown,
        affects=affects,
    )


def decided_by(compiled: Compiled, composition: Composition, qid: str, permits: Iterable[str]) -> list[str]:
    """Of ``permits``, those whose need this question's answer can still change: the need is open
    without it, and flipping the answer flips a test of a branch the other answers leave alive."""
    answers: dict[str, Value] = {k: v for k, v in composition.answers.items() if v is not None and k != qid}
    answers[AS_OF] = day(composition.pack.as_of)
    truth = Truth(frozenset(composition.scope), answers)
    values = _told_apart(compiled, qid)
    found = []
    for pid in permits:
        dnf = compiled.permit_dnf.get(pid)
        if dnf is None or evaluate(dnf, truth) is not None:
            continue  # decided whatever this answer says (a permit already needed, or ruled out)
        for conj in dnf:
            alive = all(truth[lit] is not False for lit in conj if lit.key != qid)
            if alive and any(len({lit.evaluate(truth.scope, {qid: v}) for v in values}) > 1 for lit in conj if lit.key == qid):
                found.append(pid)
                break
    return found


def _told_apart(compiled: Compiled, qid: str) -> list[Value]:
    """Answers to a question that between them meet every test the rules make of it."""
    question = compiled.pack.questions[qid]
    if question.type is QuestionType.boolean:
        return [True, False]
    if question.type is QuestionType.choice:
        return [option.value for option in question.options]
    tested = {
        lit.value for dnf in compiled.permit_dnf.values() for conj in dnf for lit in conj if lit.key == qid and lit.op in _ORDER
    }
    return sorted({near for value in tested for near in (value - 1, value, value + 1)})


_ORDER = frozenset({"gt", "gte", "lt", "lte"})
