"""Impact analysis of a change set over many stored compositions: both cores vs one, in the same run.

    .venv/bin/python bench/impact.py             # 100,000 stored compositions (target ≤ 60 s on 2 cores)
    .venv/bin/python bench/impact.py --n 20000

The change set raises a threshold (Beijing's small-catering licence: area ≤ 150 ㎡ → ≤ 120 ㎡). The stored
compositions are the district's industries with complete answers and the area drawn from 5–400 ㎡, as applicants
would give them; the baseline is one process over a sample of the same inputs.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compose import complete_answers  # noqa: E402
from composer import Composer  # noqa: E402
from composer.model import ComposeRequest  # noqa: E402
from rules import packs  # noqa: E402
from service.policy import build, edits, impact  # noqa: E402

PACK = "beijing-dongcheng"
SMALL_FOOD = "beijing/permits/small_food.yaml"


def stored(composer: Composer, n: int) -> list[tuple[str, dict[str, object]]]:
    rng = random.Random(2026)
    industries = sorted(composer.pack.industries)
    complete = {i: complete_answers(composer, [i]) for i in industries}
    out = []
    for k in range(n):
        industry = rng.choice(industries)
        answers = {**complete[industry], "area_m2": rng.randint(5, 400)}
        request = ComposeRequest(pack=PACK, industries=[industry], answers=answers)
        out.append((f"c{k}", request.model_dump(mode="json")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=5_000)
    args = parser.parse_args()
    root = packs.PACKS_DIR
    text = (root / SMALL_FOOD).read_text(encoding="utf-8")
    key = next(f.key for f in edits.permit_fields(text, "small_catering_license") if f.value == "150")
    files = {SMALL_FOOD: edits.apply(text, "small_catering_license", {key: "120"})}
    inputs = stored(Composer.load(PACK, root), args.n)
    distinct = len({str(sorted(raw.items())) for _, raw in inputs})
    with build.built(root, files) as changed:
        started = time.perf_counter()
        one = impact.impact(PACK, root, changed, inputs[: args.sample], workers=1)
        serial = time.perf_counter() - started
        started = time.perf_counter()
        both = impact.impact(PACK, root, changed, inputs, workers=2)
        parallel = time.perf_counter() - started
    print(f"stored compositions: {args.n:,} ({distinct:,} distinct inputs); changed: {both.changed:,}")
    print(f"  {dict(both.counts)}")
    print(f"baseline, 1 process, {args.sample:,} compositions: {serial:.1f} s ({one.changed:,} changed)")
    print(f"2 processes, {args.n:,} compositions: {parallel:.1f} s  (target ≤ 60 s)")
    print(f"per composition vs baseline: {(parallel / args.n) / (serial / args.sample):.2f}×")


if __name__ == "__main__":
    main()
