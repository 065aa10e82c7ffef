"""Compose latency, engine vs oracle, pack load time and memory over many composes.

    .venv/bin/python bench/compose.py            # everything (about two minutes)
    .venv/bin/python bench/compose.py --quick    # fewer runs, 10,000 composes for memory

Figures are printed; the targets from the issue are printed beside them. Each engine comparison
runs the same inputs in the same process, so the ratio holds on a noisy shared machine.

The same code measures up to ±15 % apart from one process to the next, as string hashes and
addresses are drawn anew. To compare two versions of the composer, run both with them fixed:

    PYTHONHASHSEED=0 setarch -R .venv/bin/python bench/compose.py --quick
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import generated_pack  # noqa: E402
from composer import Composer, ComposeRequest  # noqa: E402
from rules import packs  # noqa: E402
from rules.compile import day  # noqa: E402
from rules.engine import Facts, OracleEngine  # noqa: E402
from rules.errors import InputError  # noqa: E402
from service.cli_serve import collector_thresholds  # noqa: E402

TODAY = date(2026, 11, 26)


def complete_answers(composer: Composer, industries: list[str]) -> dict[str, object]:
    """Answer every open question (first option, yes, 120 ㎡) until the composition is complete."""
    answers: dict[str, object] = {}
    for _ in range(50):
        c = composer.compose(ComposeRequest(pack=composer.pack.id, industries=industries, answers=answers), today=TODAY)
        if c.complete:
            return answers
        for q in c.questions:
            answers[q.id] = q.options[0][0] if q.options else (True if q.type == "boolean" else 120)
    raise RuntimeError("questions never ran out")


def timings(run: Callable[[], object], n: int) -> tuple[float, float]:
    """Median and p99 in milliseconds over n runs, after a warm-up."""
    for _ in range(min(200, n)):
        run()
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


def random_cases(composer: Composer, count: int, seed: int = 11) -> list[ComposeRequest]:
    """Distinct complete cases: 1–3 random industries, every open question answered at random."""
    rng = random.Random(seed)
    industries = list(composer.pack.industries)
    cases: dict[str, ComposeRequest] = {}
    while len(cases) < count:
        chosen = rng.sample(industries, rng.randint(1, 3))
        answers: dict[str, object] = {}
        for _ in range(30):
            try:
                c = composer.compose(ComposeRequest(pack=composer.pack.id, industries=chosen, answers=answers), today=TODAY)
            except InputError:  # industries that contradict each other
                break
            if c.complete:
                request = ComposeRequest(pack=composer.pack.id, industries=chosen, answers=answers)
                cases.setdefault(request.model_dump_json(), request)
                break
            for q in c.questions:
                if q.options:
                    answers[q.id] = rng.choice(q.options)[0]
                elif q.type == "boolean":
                    answers[q.id] = rng.random() < 0.5
                else:
                    answers[q.id] = rng.choice([10, 40, 60, 120, 160, 320, 600])
    return list(cases.values())


def bench_pack(composer: Composer, industries: list[str], n: int, label: str, target_ms: float) -> None:
    answers = complete_answers(composer, industries)
    request = ComposeRequest(pack=composer.pack.id, industries=industries, answers=answers)
    c = composer.compose(request, today=TODAY)
    gc.collect()
    gc.freeze()
    p50, p99 = timings(lambda: composer.compose(request, today=TODAY), n)
    print(
        f"{label}: {industries}, {len(answers)} answers, {len(c.permits)} permits, {len(c.materials)} materials, "
        f"{sum(len(s.fields) for s in c.form.sections)} fields"
    )
    print(f"  compose p50 {p50:.3f} ms  p99 {p99:.3f} ms   (target p99 ≤ {target_ms} ms)")
    j50, j99 = timings(lambda: composer.compose_json(request, today=TODAY), n)
    print(f"  compose_json (what the service sends) p50 {j50:.3f} ms  p99 {j99:.3f} ms")

    # Engine alone, durable-rules vs the plain-Python oracle on the same facts.
    oracle = OracleEngine(composer.compiled)
    known = {k: v for k, v in c.answers.items() if v is not None}
    facts = Facts(frozenset(c.scope), known, day(TODAY))  # type: ignore[arg-type]
    assert composer.engine.fire(facts) == oracle.fire(facts)
    d50, d99 = timings(lambda: composer.engine.fire(facts), n)
    o50, o99 = timings(lambda: oracle.fire(facts), n)
    print(
        f"  engine durable-rules p50 {d50:.3f} ms p99 {d99:.3f} ms | oracle p50 {o50:.3f} ms p99 {o99:.3f} ms "
        f"| durable/oracle {d50 / o50:.1f}x at p50"
    )

    # Every request a different case, on a composer that has never seen it (no shared fragments).
    cases = random_cases(composer, min(n, 300))
    fresh = Composer(composer.pack)
    samples = []
    for request in cases:
        start = time.perf_counter_ns()
        fresh.compose(request, today=TODAY)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    print(
        f"  {len(cases)} distinct cases, each composed once on a fresh composer: p50 {statistics.median(samples):.3f} ms "
        f"p99 {samples[int(len(samples) * 0.99) - 1]:.3f} ms"
    )
    # The memo's pieces are objects the collector walks: a full collection pauses a worker for
    # as long as this, and a worker's memo holds up to 2 × Fragments.LIMIT pieces (composer.memo).
    start = time.perf_counter()
    gc.collect()
    print(
        f"  memo after them: {len(fresh.fragments):,} pieces; a full garbage collection then takes "
        f"{(time.perf_counter() - start) * 1000:.0f} ms over {len(gc.get_objects()):,} tracked objects"
    )


def steady_state(composer: Composer, seen: int = 1000, unseen: int = 300) -> None:
    """What a worker pays for a case it has not composed before, once its memo is full of others' pieces.

    This is what every request of bench/compose_http.py's workload (a) costs the composer. The collector's thresholds are
    ``yiye serve``'s (service/cli_serve.py), and the unseen cases are then composed a second time: every
    piece built, what is left is the path that only finds pieces, so the difference is what building costs.
    """
    cases = random_cases(composer, seen + unseen, seed=29)
    warm = Composer(composer.pack)
    threshold = gc.get_threshold()
    gc.set_threshold(*collector_thresholds())
    try:
        for request in cases[:seen]:
            warm.compose_json(request, today=TODAY)
        new, again = [], []
        for figures in (new, again):
            for request in cases[seen:]:
                start = time.perf_counter_ns()
                warm.compose_json(request, today=TODAY)
                figures.append((time.perf_counter_ns() - start) / 1000)
    finally:
        gc.set_threshold(*threshold)
    building = 1 - statistics.mean(again) / statistics.mean(new)
    print(
        f"{composer.pack.id}, steady state, after {seen:,} other cases (memo {len(warm.fragments):,} pieces):\n"
        f"  {unseen} unseen cases: compose_json mean {statistics.mean(new):,.0f} µs, p50 {statistics.median(new):,.0f}; "
        f"the same cases again, every piece built: mean {statistics.mean(again):,.0f} µs (building is {building:.0%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 500 if args.quick else 3000
    memory_runs = 10_000 if args.quick else 100_000

    start = time.perf_counter()
    dongcheng = Composer.load(packs.DEFAULT_PACK)
    gc.freeze()  # as the service does after loading packs: the pack's objects leave the collector's scans
    print(
        f"{packs.DEFAULT_PACK}: {len(dongcheng.pack.permits)} permits, {len(dongcheng.compiled.rules)} rules, "
        f"loaded and compiled in {time.perf_counter() - start:.3f} s"
    )
    industries = [i for i in ("convenience_store", "restaurant", "bookstore") if i in dongcheng.pack.industries]
    bench_pack(dongcheng, industries or list(dongcheng.pack.industries)[:3], n, "3-industry case", 2.0)

    with tempfile.TemporaryDirectory() as tmp:
        pack_id = generated_pack.write(Path(tmp), permits=2000)
        cache = Path(tmp) / "cache"
        for label in ("first load (YAML parsed)", "next load (parsed pack cached)"):
            start = time.perf_counter()
            loaded = packs.load(pack_id, Path(tmp), cache=cache)
            parsed = time.perf_counter() - start
            big = Composer(loaded)
            total = time.perf_counter() - start
            print(
                f"generated pack, {label}: {len(loaded.permits)} permits, {len(big.compiled.rules)} rules in "
                f"{big.engine.rulesets} rulesets; load {parsed:.2f} s + compile {total - parsed:.2f} s = {total:.2f} s "
                f"(target ≤ 3 s)"
            )
        bench_pack(big, list(loaded.industries)[:3], n, "generated 3-industry case", 10.0)

    answers = complete_answers(dongcheng, industries)
    request = ComposeRequest(pack=dongcheng.pack.id, industries=industries, answers=answers)
    for _ in range(1000):
        dongcheng.compose(request, today=TODAY)
    before = rss_kib()
    for _ in range(memory_runs):
        dongcheng.compose(request, today=TODAY)
    after = rss_kib()
    print(
        f"RSS over {memory_runs:,} composes: {before / 1024:.1f} MiB → {after / 1024:.1f} MiB "
        f"({(after - before) / before * 100:+.2f}%, target growth < 5%)"
    )
    steady_state(dongcheng)  # last: the memory it churns slows what would come after


if __name__ == "__main__":
    main()
