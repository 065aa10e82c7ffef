"""The rules engine behind one small interface: durable-rules, and a plain-Python oracle of it.

Both take the applicant's facts (scope items, answers, as-of day) and return the names of the
rules that fire. The durable-rules engine is the one the composer uses; the oracle evaluates the
very same compiled conditions in Python and exists so differential tests can prove the two agree
(see research/durable-rules.md for why the engine is kept at arm's length).

durable-rules pitfalls handled here (each found on this machine kind):
- the stock ``Host`` starts two timer threads that crashed the process under concurrent
  requests: ours is a private host whose ``_run`` does nothing;
- the public assert API stores facts and then raises for an unmatched one, leaving actions to a
  background thread: we drive the C binding and the action queue ourselves;
- a sid's working memory lives until deleted, with a cap of 1,024 per ruleset, and creating one
  costs more than a whole run (see ``_fire_one``): a run retracts its facts and leaves its sid empty
  for the next, a failed run deletes its sid, and no more than MAX_IDLE_SIDS wait per ruleset;
- deleting a ruleset does not free its sids' working memories: the kept ones are deleted first;
- ``set_rulesets`` mutates its argument: it is given a fresh definition;
- non-ASCII strings are not matched reliably inside the engine: string values travel hex-encoded;
- numbers in exponent form (1e-05) are not parsed: the composer never produces them;
- size limits (rules per ruleset, tests under one node, tests one fact matches): see MAX_FAN_OUT;
- deleting the state of a sid whose only fact matched no rule reads uninitialised memory
  (valgrind: ``deleteStateNode``) and crashed the process at random: a catch-all rule makes every
  input fact matched.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import durable_rules_engine
from durable import engine as durable_engine
from pydantic_core import to_json

from rules.compile import AS_OF, Compiled, Rule
from rules.conditions import SET_OPS, Literal_, Truth, Value, matching


@dataclass(frozen=True)
class Facts:
    """What an applicant told us, as the rules see it."""

    scope: frozenset[str]
    answers: Mapping[str, Value]
    day: int

    def known(self) -> dict[str, Value]:
        return {**self.answers, AS_OF: self.day}


class Engine(Protocol):
    compiled: Compiled

    def fire(self, facts: Facts) -> frozenset[str]:
        """Names of the rules that hold for these facts."""
        ...


class OracleEngine:
    """The compiled conditions evaluated in plain Python: the test oracle."""

    def __init__(self, compiled: Compiled) -> None:
        self.compiled = compiled
        self._permit_rules = [r for r in compiled.rules if not r.joins_permit]
        self._joined_rules = [r for r in compiled.rules if r.joins_permit]

    def fire(self, facts: Facts) -> frozenset[str]:
        truth = Truth(facts.scope, facts.known())
        fired = {r.name for r in self._permit_rules if matching((r.conjunction,), truth)}
        permits = {name.split("|")[1] for name in fired}
        fired.update(r.name for r in self._joined_rules if r.permit in permits and matching((r.conjunction,), truth))
        return frozenset(fired)


class _QuietHost(durable_engine.Host):  # type: ignore[misc]  # durable-rules ships no types
    """A host of our own with the background dispatch threads switched off."""

    def _run(self) -> None:
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return _no_action


def _no_action(closure: Any) -> None:
    return None


_ruleset_names = itertools.count()
_sid_numbers = itertools.count()
_CATCH_ALL = "input"


MAX_SHARD_RULES = 1500
MAX_FAN_OUT = 48
"""durable-rules refuses a ruleset of more than ~4,000 rules (error 106), loops forever building one
with more than ~500 distinct tests under one node, and fails an assert when more than 64 tests
under one node match the same fact (error 303, after which deleting the sid corrupts memory).
A pack is split into rulesets well below these; within one, no node has more than MAX_FAN_OUT
distinct tests below it, so no fact can match more than that many at once."""


MAX_IDLE_SIDS = 8
"""Empty working memories kept per ruleset. A run on the event loop needs one; threads composing
pages at the same moment need a few more. Each holds about 8 KB per rule (3 MB on the default pack)."""


class EngineError(RuntimeError):
    """durable-rules refused a request it should have taken: a bug, never the applicant's input."""


@dataclass(frozen=True)
class _Shard:
    handle: int
    anchors: frozenset[str]
    always: bool
    answers: frozenset[str]
    scope: frozenset[str]
    joined_fields: Mapping[str, frozenset[str]]
    """Per permit, the fields its element, material and commitment rules test."""
    idle: list[str] = field(default_factory=list, compare=False)
    """Sids whose working memory is empty, ready for the next run."""

    def concerns(self, scope: frozenset[str]) -> bool:
        """Can any permit of this shard apply? Each of its branches names a scope item it needs."""
        return self.always or not self.anchors.isdisjoint(scope)


class DurableEngine:
    """durable-rules, driven through its C binding: assert, drain the action queue, retract.

    The applicant's facts are asserted once; each permit found is asserted back as a fact carrying
    those of the facts that the permit's element, material and commitment rules test (forward
    chaining). A permit's rules always share one ruleset; permits are grouped into as few rulesets
    as the engine's limits allow, and a request visits only those its scope reaches.
    """

    def __init__(self, compiled: Compiled) -> None:
        self.compiled = compiled
        host = _QuietHost()
        self._shards: list[_Shard] = []
        tests = {rule.name: _tests(rule) for rule in compiled.rules}
        for group in _shards(compiled, tests):
            name = f"yiye_{compiled.version}_{next(_ruleset_names)}"
            definition = {rule.name: {"all": [{"m": {"$and": tests[rule.name]}}], "run": "noop"} for rule in group}
            definition[_CATCH_ALL] = {"all": [{"m": {"t": "in"}}], "run": "noop"}
            host.set_rulesets({name: definition})
            handle = host.get_ruleset(name)._handle
            permit_rules = [rule for rule in group if rule.kind == "permit"]
            anchors = [{lit.key for lit in rule.conjunction if lit.kind == "scope" and lit.op == "has"} for rule in permit_rules]
            literals = [lit for rule in group for lit in rule.conjunction]
            joined: dict[str, set[str]] = {}
            for rule in group:
                if rule.joins_permit:
                    joined.setdefault(rule.permit, set()).update(f for lit in rule.conjunction for f in _fields(lit))
            shard = _Shard(
                handle,
                frozenset().union(*anchors),
                any(not a for a in anchors),
                answers=frozenset(lit.key for lit in literals if lit.kind == "answer"),
                scope=frozenset(lit.key for lit in literals if lit.kind == "scope"),
                joined_fields={permit: frozenset(fields) for permit, fields in joined.items()},
            )
            self._shards.append(shard)
            # The C ruleset is freed only when no request holds this engine any more (a hot reload
            # swaps engines; freeing one in use crashed durable-rules, jruizgit/rules#136).
            weakref.finalize(self, _free, handle, shard.idle)

    @property
    def rulesets(self) -> int:
        return len(self._shards)

    def fire(self, facts: Facts) -> frozenset[str]:
        answers = {key: _answer_fields(key, value) for key, value in facts.answers.items()}
        fired: list[str] = []
        for shard in self._shards:
            if shard.concerns(facts.scope):
                # Each ruleset sees only the facts its rules test: smaller messages, fewer tests.
                values: dict[str, Any] = {"d": facts.day}
                values.update({"s_" + item: True for item in facts.scope & shard.scope})
                for key in shard.answers.intersection(answers):
                    values.update(answers[key])
                _fire_one(shard, values, fired)
        return frozenset(fired) - {_CATCH_ALL}


def _fire_one(shard: _Shard, values: dict[str, Any], fired: list[str]) -> None:
    # A sid is reused, not created per run: durable-rules' createStateNode allocates and zeroes
    # about 8 KB per rule for a new working memory (3 MB on the default pack), which costs more than
    # the rest of a run and pushes everything else out of the CPU's caches.
    handle, start = shard.handle, len(fired)
    try:
        sid = shard.idle.pop()
    except IndexError:
        sid = f"s{next(_sid_numbers)}"  # created by its first fact
    try:
        # pydantic-core writes the facts faster than json, and with no spaces to parse.
        message = to_json({**values, "sid": sid, "id": "in", "t": "in"}).decode()
        _, state = durable_rules_engine.assert_fact(handle, message)
    except durable_rules_engine.error as exc:
        # Dropping this sid leaks one of the ruleset's 1,024; deleting it would corrupt memory.
        raise EngineError(f"durable-rules refused the facts: {exc}") from exc
    asserted = [{"sid": sid, "id": "in"}]
    try:
        _drain(handle, state, fired)
        # Only permits with element, material or commitment rules: no rule would see the others.
        found = {name.split("|")[1] for name in fired[start:] if name.startswith("permit|")}
        permits = sorted(found & shard.joined_fields.keys())
        if permits:
            # A permit's fact carries only what its own rules test: the engine parses every fact,
            # and echoes it back in each action it reports.
            derived = [{**_only(values, shard.joined_fields[p]), "sid": sid, "id": f"p_{p}", "t": "p", "pid": p} for p in permits]
            asserted.extend({"sid": sid, "id": f"p_{p}"} for p in permits)
            _, state = durable_rules_engine.assert_facts(handle, to_json(derived).decode())
            _drain(handle, state, fired)
        # Retracting by id needs no more than sid and id; it leaves the working memory empty.
        durable_rules_engine.retract_facts(handle, to_json(asserted).decode())
    except BaseException:
        durable_rules_engine.delete_state(handle, sid)
        raise
    if len(shard.idle) < MAX_IDLE_SIDS:
        shard.idle.append(sid)
    else:
        durable_rules_engine.delete_state(handle, sid)


def _free(handle: int, idle: list[str]) -> None:
    """Delete a ruleset's kept working memories, then the ruleset, which would leave them behind."""
    for sid in idle:
        durable_rules_engine.delete_state(handle, sid)
    durable_rules_engine.delete_ruleset(handle)


def _only(values: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    return {field: values[field] for field in fields if field in values}


def _drain(handle: int, state: int, fired: list[str]) -> None:
    result = durable_rules_engine.start_action_for_state(handle, state)
    message = result[1] if result else None
    while message:
        # '{"<rule name>":<the facts it matched>}', one rule per action (durable's serializeResult).
        # Rule names hold no quotes (ids are [a-z0-9_]): the facts echoed back need no parsing.
        fired.append(message[2 : message.index('"', 2)])
        message = durable_rules_engine.complete_and_start_action(handle, state)


def _shards(compiled: Compiled, tests: dict[str, list[dict[str, Any]]]) -> list[list[Rule]]:
    """Permits' rules packed into rulesets under the engine's limits, neighbours by scope together."""
    by_permit: dict[str, list[Rule]] = {}
    for rule in compiled.rules:
        by_permit.setdefault(rule.permit, []).append(rule)

    def anchor(permit: str) -> str:
        scopes = sorted(lit.key for r in by_permit[permit] if r.kind == "permit" for lit in r.conjunction if lit.kind == "scope")
        return scopes[0] if scopes else ""

    groups: list[list[Rule]] = []
    trie: dict[tuple[str, ...], set[str]] = {}
    for permit in sorted(by_permit, key=lambda p: (anchor(p), p)):
        rules = by_permit[permit]
        mine = _branching([tests[rule.name] for rule in rules])
        merged = {node: trie.get(node, set()) | children for node, children in mine.items()}
        if not groups or len(groups[-1]) + len(rules) > MAX_SHARD_RULES or any(len(c) > MAX_FAN_OUT for c in merged.values()):
            groups.append([])
            trie = {}
            merged = mine
        groups[-1].extend(rules)
        trie.update(merged)
    return groups


def _branching(rules: list[list[dict[str, Any]]]) -> dict[tuple[str, ...], set[str]]:
    """For each node of the rules' test network (a path of tests), the distinct tests below it."""
    below: dict[tuple[str, ...], set[str]] = {}
    for tests in rules:
        path: tuple[str, ...] = ()
        for test in tests:
            # _test builds equal tests with their keys in the same order, so repr tells them apart.
            key = repr(test)
            below.setdefault(path, set()).add(key)
            path = (*path, key)
    return below


def _tests(rule: Rule) -> list[dict[str, Any]]:
    head: list[dict[str, Any]] = [{"t": "p"}, {"pid": rule.permit}] if rule.joins_permit else [{"t": "in"}]
    # Chosen scope items first: a request matches only a handful, so few tests under one node can
    # match at once; answers first had every answered question's tests match together.
    ordered = sorted(rule.conjunction, key=lambda lit: (lit.kind != "scope" or lit.op != "has", lit.kind != "scope"))
    return [*head, *(_test(lit) for lit in ordered)]


def _field(lit: Literal_) -> str:
    """The fact field a literal tests."""
    if lit.kind == "scope":
        return "s_" + lit.key
    return "d" if lit.key == AS_OF else "a_" + lit.key


def _option_field(key: str, option: str) -> str:
    """The fact field saying a multi-choice answer includes ``option`` (hex-encoded: see _encode)."""
    return f"a_{key}__{_encode(option)}"


def _fields(lit: Literal_) -> tuple[str, ...]:
    """Every fact field a literal reads: a set test reads the options it names besides the answer."""
    if lit.op in SET_OPS:
        options = lit.value if lit.op in ("any_of", "none_of") else (lit.value,)
        return (_field(lit), *(_option_field(lit.key, option) for option in options))
    return (_field(lit),)


def _answer_fields(key: str, value: Value) -> dict[str, Any]:
    """An answer as fact fields: one value, or for a multi-choice answer its size and one flag per option chosen."""
    if isinstance(value, tuple):
        return {"a_" + key: len(value), **{_option_field(key, option): True for option in value}}
    return {"a_" + key: _encode(value)}


def _test(lit: Literal_) -> dict[str, Any]:
    field = _field(lit)
    if lit.op in SET_OPS:
        options = lit.value if lit.op in ("any_of", "none_of") else (lit.value,)
        flags = [_option_field(lit.key, option) for option in options]
        if lit.op in ("contains", "any_of"):
            return {flags[0]: True} if len(flags) == 1 else {"$or": [{flag: True} for flag in flags]}
        return {"$and": [{"$ex": {field: 1}}, *({"$nex": {flag: 1}} for flag in flags)]}
    if lit.kind == "scope":
        return {field: True} if lit.op == "has" else {"$nex": {field: 1}}
    if lit.op == "eq":
        return {field: _encode(lit.value)}
    if lit.op == "neq":
        return {"$and": [{"$ex": {field: 1}}, {"$neq": {field: _encode(lit.value)}}]}
    if lit.op == "in":
        return {"$or": [{field: _encode(v)} for v in lit.value]}
    if lit.op == "nin":
        return {"$and": [{"$ex": {field: 1}}, *({"$neq": {field: _encode(v)}} for v in lit.value)]}
    return {"$" + lit.op: {field: lit.value}}


def _encode(value: bool | int | float | str) -> bool | int | float | str:
    if isinstance(value, str):
        return "x" + value.encode().hex()
    if isinstance(value, float) and "e" in repr(value):
        # durable-rules cannot parse JSON numbers in exponent form (error 204, then 309 on delete);
        # the composer rounds answers to 4 decimals below 1e12, which never print that way.
        raise ValueError(f"number {value!r} is outside what the rules engine reads")
    return value
