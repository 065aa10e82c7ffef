"""durable-rules and the plain-Python oracle must fire exactly the same rules, on any input."""

from __future__ import annotations

import functools
import gc
import json
import sys
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import durable_rules_engine
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import generated_pack
from rules import engine as engine_module
from rules import packs
from rules.compile import compile_pack, day
from rules.conditions import All, AnswerLeaf, AnyOf, Not, ScopeLeaf
from rules.engine import DurableEngine, Facts, OracleEngine
from rules.model import NotifyCommit, Permit, Question, QuestionType, ScopeItem, Text, TimeLimit
from rules.packs import Pack

FIXTURES = Path(__file__).parents[1] / "fixtures" / "packs"
REAL_PACKS = packs.available()


def _in_order(values: list[str], chosen: set[str]) -> tuple[str, ...]:
    """A multi-choice answer: the options chosen, in the question's order."""
    return tuple(x for x in values if x in chosen)


def _answers_for(pack: Pack) -> st.SearchStrategy[dict[str, object]]:
    """Random answers drawn from each question's own domain, thresholds included."""
    per_question: dict[str, st.SearchStrategy[object]] = {}
    for q in pack.questions.values():
        if q.type is QuestionType.boolean:
            per_question[q.id] = st.booleans()
        elif q.type is QuestionType.choice:
            per_question[q.id] = st.sampled_from([o.value for o in q.options])
        elif q.type is QuestionType.multi_choice:
            values = [o.value for o in q.options]
            per_question[q.id] = st.sets(st.sampled_from(values)).map(functools.partial(_in_order, values))
        else:
            lo, hi = q.min if q.min is not None else 0, q.max if q.max is not None else 100000
            per_question[q.id] = st.one_of(
                st.integers(int(lo), int(min(hi, 2000))),
                st.sampled_from([10, 30, 50, 150, 200, 300, 500]),
                # As the composer hands them over: at most 4 decimals (see composer.answers.parse_answer).
                st.floats(lo, min(hi, 2000), allow_nan=False).map(lambda x: round(x, 4)),
            )
    return st.fixed_dictionaries({}, optional=per_question)


def _facts_for(pack: Pack) -> st.SearchStrategy[Facts]:
    days = st.dates(date(2018, 1, 1), date(2030, 12, 31)).map(day)
    scope = st.frozensets(st.sampled_from(sorted(pack.scope_items)), max_size=6)
    return st.builds(Facts, scope=scope, answers=_answers_for(pack), day=days)


@pytest.mark.parametrize("pack_id", [*REAL_PACKS])
def test_engines_agree_on_real_packs(pack_id: str) -> None:
    compiled = compile_pack(packs.load(pack_id))
    durable, oracle = DurableEngine(compiled), OracleEngine(compiled)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_facts_for(compiled.pack))
    def agree(facts: Facts) -> None:
        assert durable.fire(facts) == oracle.fire(facts)

    agree()


# --- random conditions over a synthetic pack -------------------------------------------------

_SCOPES = ["s1", "s2", "s3"]
_QUESTIONS = {
    "flag": Question(id="flag", text=Text(zh="是否"), type=QuestionType.boolean, source="test"),
    "area": Question(id="area", text=Text(zh="面积"), type=QuestionType.number, source="test"),
    "kind": Question(
        id="kind",
        text=Text(zh="类别"),
        type=QuestionType.choice,
        source="test",
        options=[{"value": v, "label": {"zh": v}} for v in ("歌舞", "游艺", "net")],
    ),
}

_leaves = st.one_of(
    st.sampled_from(_SCOPES).map(lambda s: ScopeLeaf(scope=s)),
    st.booleans().map(lambda b: AnswerLeaf.model_validate({"answer": "flag", "is": b})),
    st.tuples(st.sampled_from(["gt", "gte", "lt", "lte"]), st.sampled_from([0, 50, 49.5, 150])).map(
        lambda t: AnswerLeaf.model_validate({"answer": "area", t[0]: t[1]})
    ),
    st.sampled_from(["歌舞", "游艺", "net"]).map(lambda v: AnswerLeaf.model_validate({"answer": "kind", "is_not": v})),
    st.lists(st.sampled_from(["歌舞", "游艺", "net"]), min_size=1, max_size=2).map(
        lambda vs: AnswerLeaf.model_validate({"answer": "kind", "in": vs})
    ),
)
_conditions = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda cs: All.model_validate({"all": cs})),
        st.lists(children, min_size=1, max_size=3).map(lambda cs: AnyOf.model_validate({"any": cs})),
        children.map(lambda c: Not.model_validate({"not": c})),
    ),
    max_leaves=6,
)


def _pack_with(conditions: list[object]) -> Pack:
    base = packs.load("mini", FIXTURES)
    template = base.permits["food_business"]
    permits = {}
    for i, condition in enumerate(conditions):
        anchored = All.model_validate({"all": [ScopeLeaf(scope=_SCOPES[i % 3]), condition]})
        permits[f"p{i}"] = Permit(
            id=f"p{i}",
            name=Text(zh=f"事项{i}"),
            department="market",
            legal_basis=["测试"],
            applies_when=anchored,
            time_limit=TimeLimit(statutory={"days": 5}, source="test"),
            notify_commit=NotifyCommit(available=False, reason=Text(zh="测试"), source="test"),
            elements=[template.elements[1].model_copy(update={"when": condition})],
            source="test",
        )
    return Pack(
        meta=base.meta,
        chain=("random",),
        version="random",
        departments=base.departments,
        questions=_QUESTIONS,
        scope_items={s: ScopeItem(id=s, name=Text(zh=s), source="test") for s in _SCOPES},
        industries={},
        permits=permits,
        materials=base.materials,
        fields=base.fields,
        scenarios=[],
        origins={},
        directory=FIXTURES,
    )


_random_facts = st.builds(
    Facts,
    scope=st.frozensets(st.sampled_from(_SCOPES)),
    answers=st.fixed_dictionaries(
        {},
        optional={
            "flag": st.booleans(),
            "area": st.one_of(st.integers(-1, 200), st.sampled_from([49.5, 50.0, 150.0])),
            "kind": st.sampled_from(["歌舞", "游艺", "net"]),
        },
    ),
    day=st.just(20261126),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_conditions, min_size=1, max_size=4), st.lists(_random_facts, min_size=1, max_size=8))
def test_engines_agree_on_random_conditions(conditions: list[object], many: list[Facts]) -> None:
    compiled = compile_pack(_pack_with(conditions))
    durable, oracle = DurableEngine(compiled), OracleEngine(compiled)
    for facts in many:
        assert durable.fire(facts) == oracle.fire(facts)


def _kept_working_memories(engine: DurableEngine) -> list[list[object]]:
    """The facts held by each sid an engine keeps for its next runs."""
    return [json.loads(durable_rules_engine.get_facts(s.handle, sid)) for s in engine._shards for sid in s.idle]


def test_runs_reuse_one_emptied_working_memory() -> None:
    # durable-rules keeps at most 1,024 live sids per ruleset; a leak would fail after that.
    compiled = compile_pack(packs.load("mini", FIXTURES))
    engine = DurableEngine(compiled)
    tobacco = Facts(frozenset({"food_sales"}), {"sells_tobacco": True, "area_m2": 300}, 20261126)
    no_tobacco = Facts(frozenset({"food_sales"}), {"sells_tobacco": False, "area_m2": 20}, 20261126)
    for _ in range(1500):
        assert engine.fire(tobacco) == OracleEngine(compiled).fire(tobacco)
        assert "permit|tobacco||0" not in engine.fire(no_tobacco)  # nothing left over from the run before
    assert _kept_working_memories(engine) == [[]]


def test_runs_at_once_on_threads_each_have_a_working_memory_of_their_own() -> None:
    compiled = compile_pack(packs.load(packs.DEFAULT_PACK))
    durable, oracle = DurableEngine(compiled), OracleEngine(compiled)
    many = _facts_for(compiled.pack)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch between the engine's calls, mid-run

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(many, min_size=32, max_size=32))
    def agree(batch: list[Facts]) -> None:
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(durable.fire, batch)) == [oracle.fire(facts) for facts in batch]

    try:
        agree()
    finally:
        sys.setswitchinterval(interval)
    assert 1 < sum(len(s.idle) for s in durable._shards) <= engine_module.MAX_IDLE_SIDS * durable.rulesets
    assert all(facts == [] for facts in _kept_working_memories(durable))


def test_reloaded_engines_run_side_by_side_and_old_ones_are_freed(monkeypatch: pytest.MonkeyPatch) -> None:
    freed: list[int] = []

    def free(handle: int, idle: list[str]) -> None:
        freed.append(handle)
        real_free(handle, idle)

    real_free = engine_module._free
    monkeypatch.setattr(engine_module, "_free", free)
    compiled = compile_pack(packs.load("mini", FIXTURES))
    old = DurableEngine(compiled)
    new = DurableEngine(compiled)
    facts = Facts(frozenset({"lodging"}), {}, 20261126)
    assert old.fire(facts) == new.fire(facts)
    old_handles = [shard.handle for shard in old._shards]
    gone = weakref.ref(old)
    del old
    gc.collect()
    assert gone() is None
    assert freed == old_handles  # its C rulesets deleted with it, the new engine's kept
    assert "permit|hotel_trade||0" in new.fire(facts)


def test_numbers_the_engine_cannot_read_are_refused_not_crashed_on() -> None:
    engine = DurableEngine(compile_pack(packs.load("mini", FIXTURES)))
    with pytest.raises(ValueError, match="outside"):
        engine.fire(Facts(frozenset({"food_sales"}), {"area_m2": 1e-05}, 20261126))
    assert "permit|food_business||0" in engine.fire(Facts(frozenset({"food_sales"}), {"area_m2": 0.0001}, 20261126))


def test_effective_period_is_part_of_the_rule() -> None:
    pack = packs.load("mini", FIXTURES)
    dated = pack.permits["tobacco"].model_copy(update={"valid_to": date(2025, 1, 19)})
    compiled = compile_pack(Pack(**{**pack.__dict__, "permits": {**pack.permits, "tobacco": dated}}))
    engine = DurableEngine(compiled)
    scope, answers = frozenset({"food_sales"}), {"sells_tobacco": True}
    assert "permit|tobacco||0" in engine.fire(Facts(scope, answers, day(date(2025, 1, 19))))
    assert "permit|tobacco||0" not in engine.fire(Facts(scope, answers, day(date(2025, 1, 20))))


@pytest.mark.parametrize("pack_id", [*REAL_PACKS])
def test_sharded_engine_agrees_with_the_oracle(pack_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Large packs are split into several rulesets; force many small ones here.
    monkeypatch.setattr(engine_module, "MAX_SHARD_RULES", 25)
    compiled = compile_pack(packs.load(pack_id))
    durable, oracle = DurableEngine(compiled), OracleEngine(compiled)
    assert durable.rulesets > 3

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_facts_for(compiled.pack))
    def agree(facts: Facts) -> None:
        assert durable.fire(facts) == oracle.fire(facts)

    agree()


def test_a_large_pack_is_split_within_the_engines_limits(tmp_path: Path) -> None:
    # A fact may match at most 64 tests under one node of durable-rules' network (error 303,
    # then memory corruption); every ruleset keeps each node's branching below that.
    compiled = compile_pack(packs.load(generated_pack.write(tmp_path, permits=400), tmp_path))
    tests = {rule.name: engine_module._tests(rule) for rule in compiled.rules}
    groups = engine_module._shards(compiled, tests)
    assert len(groups) > 1
    for group in groups:
        assert len(group) <= engine_module.MAX_SHARD_RULES
        assert (
            max(len(below) for below in engine_module._branching([tests[rule.name] for rule in group]).values())
            <= engine_module.MAX_FAN_OUT
        )
    pack = compiled.pack
    everything = Facts(
        frozenset(pack.scope_items),
        {
            q.id: (True if q.type is QuestionType.boolean else q.options[0].value if q.options else 120)
            for q in pack.questions.values()
        },
        20261126,
    )
    assert DurableEngine(compiled).fire(everything) == OracleEngine(compiled).fire(everything)
