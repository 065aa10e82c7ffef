"""Conditions as data: the YAML shape, its normal form, and a plain-Python (Kleene) evaluator.

A condition in a rule file is a tree of ``all`` / ``any`` / ``not`` over two kinds of leaf:

    scope: food_sales                    # the business-scope item is selected
    answer: area_m2, gt: 150             # a comparison on an answer
    answer: facilities, contains: pool   # a multi-choice answer includes a value (any_of: one of several)

It never holds code. For the engine it is rewritten into disjunctive normal form over
*literals* (a leaf or its complement): each conjunction becomes one durable-rules rule, so the
rule that fires names the branch that matched and its literals are the reason.

The evaluator here is three-valued: an answer the applicant has not given (or answered
"I don't know") makes its literals *unknown*, not false. ``True`` means the condition holds
whatever the open answers turn out to be, ``False`` that it cannot hold, ``None`` that an open
answer decides it. The engine only ever reports conditions that hold; the unknowns drive the
questionnaire and the "left out because…" reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Value = bool | int | float | str | tuple[str, ...]
"""An answer: yes/no, a number, one option, or a multi-choice question's options chosen (each once, in its order)."""

MAX_CONJUNCTIONS = 64
"""A condition whose normal form needs more rules than this is refused: it is unreadable too."""


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ScopeLeaf(_Node):
    scope: str


class AnswerLeaf(_Node):
    answer: str
    is_: Value | None = Field(default=None, alias="is")
    is_not: Value | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    in_: list[Value] | None = Field(default=None, alias="in")
    contains: str | None = None
    any_of: list[str] | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> AnswerLeaf:
        given = [name for name in _OPERATORS if getattr(self, _OPERATORS[name]) is not None]
        if len(given) != 1:
            raise ValueError(
                f"answer '{self.answer}' needs exactly one of {', '.join(_OPERATORS)}; got {', '.join(given) or 'none'}"
            )
        for name in ("in_", "any_of"):
            if getattr(self, name) == []:
                raise ValueError(f"answer '{self.answer}': '{name.rstrip('_')}' needs at least one value")
        return self

    @property
    def operator(self) -> str:
        return next(name for name in _OPERATORS if getattr(self, _OPERATORS[name]) is not None)

    @property
    def operand(self) -> Any:
        return getattr(self, _OPERATORS[self.operator])


_OPERATORS = {
    "is": "is_",
    "is_not": "is_not",
    "gt": "gt",
    "gte": "gte",
    "lt": "lt",
    "lte": "lte",
    "in": "in_",
    "contains": "contains",
    "any_of": "any_of",
}


class All(_Node):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Node):
    any: list[Condition] = Field(min_length=1)


class Not(_Node):
    not_: Condition = Field(alias="not")


def _kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return type(value).__name__
    if not isinstance(value, Mapping):
        return None
    for key, tag in (("all", "All"), ("any", "AnyOf"), ("not", "Not"), ("scope", "ScopeLeaf"), ("answer", "AnswerLeaf")):
        if key in value:
            return tag
    return None


Condition = Annotated[
    Annotated[All, Tag("All")]
    | Annotated[AnyOf, Tag("AnyOf")]
    | Annotated[Not, Tag("Not")]
    | Annotated[ScopeLeaf, Tag("ScopeLeaf")]
    | Annotated[AnswerLeaf, Tag("AnswerLeaf")],
    Discriminator(
        _kind,
        custom_error_type="condition_shape",
        custom_error_message="a condition is one of: all, any, not, scope, answer",
    ),
]

All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


# --- normal form ---------------------------------------------------------------------------

Op = Literal["has", "lacks", "eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "contains", "excludes", "any_of", "none_of"]

SET_OPS: frozenset[Op] = frozenset({"contains", "excludes", "any_of", "none_of"})
"""The operators on a multi-choice answer (a set of options); every other one compares a single value."""

_NEGATE: dict[Op, Op] = {
    "has": "lacks",
    "lacks": "has",
    "eq": "neq",
    "neq": "eq",
    "gt": "lte",
    "lte": "gt",
    "lt": "gte",
    "gte": "lt",
    "in": "nin",
    "nin": "in",
    "contains": "excludes",
    "excludes": "contains",
    "any_of": "none_of",
    "none_of": "any_of",
}

_ANSWER_OPS: dict[str, Op] = {
    "is": "eq",
    "is_not": "neq",
    "gt": "gt",
    "gte": "gte",
    "lt": "lt",
    "lte": "lte",
    "in": "in",
    "contains": "contains",
    "any_of": "any_of",
}
"""The normal form's operator for each way a pack's YAML compares an answer."""


@dataclass(frozen=True, order=True)
class Literal_:
    """One test on one input: a scope item selected or not, or a comparison on an answer."""

    kind: Literal["scope", "answer"]
    key: str
    op: Op
    value: Any = None
    _hash: int = field(init=False, repr=False, compare=False)
    """Computed once: literals key many memo lookups."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.kind, self.key, self.op, self.value)))

    def __hash__(self) -> int:
        return self._hash

    def negated(self) -> Literal_:
        return Literal_(self.kind, self.key, _NEGATE[self.op], self.value)

    def evaluate(self, scope: frozenset[str], answers: Mapping[str, Value]) -> bool | None:
        """True, False, or None when the answer is not known."""
        if self.kind == "scope":
            return (self.key in scope) == (self.op == "has")
        if self.key not in answers:
            return None
        return compare(answers[self.key], self.op, self.value)


def implied_literals(key: str, value: Value) -> tuple[Literal_, ...]:
    """What an ``implies`` entry says as literals: the answer is ``value``; a multi-choice answer includes each of them."""
    if isinstance(value, tuple):
        return tuple(Literal_("answer", key, "contains", option) for option in value)
    return (Literal_("answer", key, "eq", value),)


def compare(given: Value, op: Op, value: Any) -> bool:
    if op in SET_OPS:
        # A set test on a single answer never holds, nor a single-value test on a set (rule checks forbid both).
        chosen = given if isinstance(given, tuple) else ()
        if op == "contains":
            return isinstance(given, tuple) and value in chosen
        if op == "excludes":
            return isinstance(given, tuple) and value not in chosen
        if op == "any_of":
            return isinstance(given, tuple) and any(v in chosen for v in value)
        return isinstance(given, tuple) and not any(v in chosen for v in value)  # none_of
    if isinstance(given, tuple):
        return False
    if op == "eq":
        return _same(given, value)
    if op == "neq":
        return not _same(given, value)
    if op == "in":
        return any(_same(given, v) for v in value)
    if op == "nin":
        return not any(_same(given, v) for v in value)
    if isinstance(given, bool) or not isinstance(given, int | float):
        return False  # an ordering test on a non-number never holds (and rule checks forbid it)
    if op == "gt":
        return bool(given > value)
    if op == "gte":
        return bool(given >= value)
    if op == "lt":
        return bool(given < value)
    return bool(given <= value)  # lte


def _same(a: Any, b: Any) -> bool:
    # True == 1 in Python; an answer of 1 must not satisfy "is: true".
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


Conjunction = tuple[Literal_, ...]


def normal_form(condition: Condition) -> tuple[Conjunction, ...]:
    """Disjunctive normal form: a tuple of conjunctions, each a sorted tuple of literals.

    Examples:
        >>> c = AnyOf.model_validate({"any": [{"scope": "a"}, {"all": [{"scope": "b"}, {"answer": "x", "gt": 1}]}]})
        >>> [[(lit.key, lit.op) for lit in conj] for conj in normal_form(c)]
        [[('a', 'has')], [('b', 'has'), ('x', 'gt')]]
    """
    dnf = _dnf(condition, negate=False)
    unique: dict[Conjunction, None] = {}
    for conj in dnf:
        unique.setdefault(_sorted(conj), None)
    return tuple(unique)


def _sorted(conj: tuple[Literal_, ...]) -> Conjunction:
    # Scope items first: they are always known and rule most branches out, so evaluating a
    # branch usually stops at its first literal. Values are compared as text, as one key may be
    # compared with values of different types (a pack error reported elsewhere, not a crash here).
    return tuple(sorted(set(conj), key=lambda lit: (lit.kind != "scope", lit.key, lit.op, repr(lit.value))))


def _dnf(node: Condition, negate: bool) -> list[tuple[Literal_, ...]]:
    if isinstance(node, ScopeLeaf):
        lit = Literal_("scope", node.scope, "has")
        return [(lit.negated() if negate else lit,)]
    if isinstance(node, AnswerLeaf):
        op = _ANSWER_OPS[node.operator]
        value = tuple(node.operand) if op in ("in", "any_of") else node.operand
        lit = Literal_("answer", node.answer, op, value)
        return [(lit.negated() if negate else lit,)]
    if isinstance(node, Not):
        return _dnf(node.not_, not negate)
    children = node.all if isinstance(node, All) else node.any
    conjunctive = isinstance(node, All) != negate  # De Morgan
    parts = [_dnf(child, negate) for child in children]
    if not conjunctive:
        return [conj for part in parts for conj in part]
    product: list[tuple[Literal_, ...]] = [()]
    for part in parts:
        product = [left + right for left in product for right in part]
        if len(product) > MAX_CONJUNCTIONS:
            raise ValueError(f"condition expands to more than {MAX_CONJUNCTIONS} rules; split it")
    return product


class Truth(dict[Literal_, bool | None]):
    """The value of each literal for one applicant's facts, each computed once: ``truth[lit]``.

    A composition asks about the same literals many times (permits, elements, reasons, questions);
    a dict lookup that computes only on a miss is the cheapest way to answer.
    """

    __slots__ = ("answers", "scope")

    def __init__(self, scope: frozenset[str], answers: Mapping[str, Value]) -> None:
        super().__init__()
        self.scope = scope
        self.answers = answers

    def __missing__(self, lit: Literal_) -> bool | None:
        value = self[lit] = lit.evaluate(self.scope, self.answers)
        return value


def evaluate(dnf: Sequence[Conjunction], truth: Truth) -> bool | None:
    """Kleene value of a normal-form condition: True, False, or None (an open answer decides)."""
    result: bool | None = False
    for conj in dnf:
        value = _conjunction(conj, truth)
        if value is True:
            return True
        if value is None:
            result = None
    return result


def _conjunction(conj: Conjunction, truth: Truth) -> bool | None:
    result: bool | None = True
    for lit in conj:
        value = truth[lit]
        if value is False:
            return False
        if value is None:
            result = None
    return result


def matching(dnf: Sequence[Conjunction], truth: Truth) -> list[int]:
    """Indexes of the conjunctions that hold: what the oracle expects the engine to fire."""
    return [i for i, conj in enumerate(dnf) if _conjunction(conj, truth) is True]


def open_keys(dnf: Sequence[Conjunction], truth: Truth) -> set[str]:
    """The unanswered questions that could still make an undecided condition hold."""
    keys: set[str] = set()
    for conj in dnf:
        value = _conjunction(conj, truth)
        if value is True:
            return set()  # it holds already, and more answers cannot undo that
        if value is None:
            keys.update(lit.key for lit in conj if lit.kind == "answer" and lit.key not in truth.answers)
    return keys


def blocking(dnf: Sequence[Conjunction], truth: Truth) -> list[Literal_]:
    """For a condition that is False: the literals that failed (scope items and answers), per branch."""
    found: dict[Literal_, None] = {}
    for conj in dnf:
        for lit in conj:
            if truth[lit] is False:
                found.setdefault(lit, None)
    return list(found)


def keys_of(dnf: Iterable[Conjunction], kind: str) -> set[str]:
    return {lit.key for conj in dnf for lit in conj if lit.kind == kind}
