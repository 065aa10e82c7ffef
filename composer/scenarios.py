"""Running a pack's YAML scenarios, and what no scenario exercises.

A scenario is an applicant's situation and what the rules must make of it (see
``rules.model.Scenario``). ``yiye rules test`` and the pytest suite both run them through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from composer.compose import Composer
from composer.model import ComposeRequest, Composition
from composer.words import N_, say
from rules.errors import InputError
from rules.model import Scenario


@dataclass(frozen=True)
class Outcome:
    scenario: Scenario
    failures: tuple[str, ...]
    fired: frozenset[str] = frozenset()
    composition: Composition | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


SITUATION = {"as_of", "industries", "scope", "answers", "commit"}
"""The fields of a scenario that are the applicant's situation, as a compose request takes them."""


@dataclass(frozen=True)
class Coverage:
    """What the scenarios of a pack never touched."""

    rules: list[str]
    permits: list[str]
    questions: list[str]
    materials: list[str]


def run(composer: Composer, scenario: Scenario, today: date | None = None) -> Outcome:
    """Compose one scenario and compare with what it expects."""
    expect = scenario.expect
    request = ComposeRequest(pack=composer.pack.id, **scenario.model_dump(include=SITUATION))
    try:
        composition = composer.compose(request, today=today)
        fired = composer.fired_rules(request, today=today)
    except InputError as exc:
        codes = [p.code for p in exc.problems]
        if expect.error is not None and expect.error in codes:
            return Outcome(scenario, ())
        if expect.error is None:
            refused = "; ".join(str(p) for p in exc.problems)
            return Outcome(scenario, (say("期望成功，却被拒绝：%(problems)s", "zh", problems=refused),))
        return Outcome(scenario, (say("期望错误 %(expected)s，实际错误 %(codes)s", "zh", expected=expect.error, codes=codes),))
    if expect.error is not None:
        failed = say("期望错误 %(expected)s，实际成功", "zh", expected=expect.error)
        return Outcome(scenario, (failed,), composition=composition)

    permits = [p.id for p in composition.permits]
    materials = {m.key for m in composition.materials}
    fields = {f.id for s in composition.form.sections for f in s.fields} | {
        f.id for s in composition.form.sheets for f in s.fields
    }
    eligible = {p.id for p in composition.permits if p.commitment.eligible}
    questions = {q.id for q in composition.questions}
    failures: list[str] = []

    def compare(label: str, expected: set[str], actual: set[str]) -> None:
        if expected != actual:
            failures.append(
                say(
                    "%(label)s: 期望 %(expected)s, 实际 %(actual)s (多 %(extra)s, 少 %(missing)s)",
                    "zh",
                    label=label,
                    expected=sorted(expected),
                    actual=sorted(actual),
                    extra=sorted(actual - expected),
                    missing=sorted(expected - actual),
                )
            )

    def include(label: str, expected: Sequence[str], actual: set[str]) -> None:
        missing = [x for x in expected if x not in actual]
        if missing:
            failures.append(
                say("%(label)s: 应包含 %(missing)s, 实际 %(actual)s", "zh", label=label, missing=missing, actual=sorted(actual))
            )

    def exclude(label: str, unexpected: Sequence[str], actual: set[str]) -> None:
        present = [x for x in unexpected if x in actual]
        if present:
            failures.append(say("%(label)s: 不应包含 %(present)s", "zh", label=label, present=present))

    if expect.permits is not None:
        compare(N_("许可事项"), set(expect.permits), set(permits))
    include(N_("许可事项"), expect.permits_include, set(permits))
    exclude(N_("许可事项"), expect.permits_exclude, set(permits))
    include(N_("材料"), expect.materials_include, materials)
    exclude(N_("材料"), expect.materials_exclude, materials)
    include(N_("表单字段"), expect.fields_include, fields)
    if expect.commit_eligible is not None:
        compare(N_("可告知承诺"), set(expect.commit_eligible), eligible)
    if expect.refusals is not None:
        compare(N_("不予许可"), set(expect.refusals), {f"{r.permit}.{r.id}" for r in composition.refusals})
    if expect.elsewhere is not None:
        compare(N_("另行办理的关联事项"), set(expect.elsewhere), {e.permit for e in composition.elsewhere})
    read_in = {p.id: p.version.id if p.version else None for p in composition.permits}
    for pid, version in expect.versions.items():
        if pid not in read_in or read_in[pid] != version:
            actual = read_in.get(pid, N_("未要求"))
            wording = "“%(permit)s”的版本: 期望 %(expected)s, 实际 %(actual)s"
            failures.append(say(wording, "zh", permit=pid, expected=version, actual=actual))
    include(N_("待答问题"), expect.questions_include, questions)
    exclude(N_("待答问题"), expect.questions_exclude, questions)
    if expect.complete is not None and expect.complete != composition.complete:
        failures.append(
            say(
                "complete: 期望 %(expected)s, 实际 %(actual)s (待答: %(open)s)",
                "zh",
                expected=expect.complete,
                actual=composition.complete,
                open=sorted(questions),
            )
        )
    return Outcome(scenario, tuple(failures), fired=fired, composition=composition)


def coverage(composer: Composer, outcomes: list[Outcome]) -> Coverage:
    """Rules, permits, questions and materials that no passing scenario exercised."""
    compositions = [o.composition for o in outcomes if o.composition is not None]
    fired = {name for o in outcomes for name in o.fired}
    pack = composer.pack
    told_elsewhere = {e.permit for c in compositions for e in c.elsewhere}
    return Coverage(
        rules=[r.name for r in composer.compiled.rules if r.name not in fired],
        permits=[p for p in pack.permits if p not in {p.id for c in compositions for p in c.permits} | told_elsewhere],
        questions=[q for q in pack.questions if q not in {k for o in outcomes for k in o.scenario.answers}],
        materials=[m for m in pack.materials if m not in {m.key for c in compositions for m in c.materials}],
    )
