"""What a change set would change for applicants: every stored composition of its pack composed under both versions.

The compositions are shared out over worker processes (each loads both versions once); the counts say how many
applicants gain or lose a permit, a material, a commitment option or days of time limit, with examples.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer import Composer
from composer.model import ComposeRequest, Composition
from rules.errors import InputError

KINDS = {
    "permit_gained": "新增许可事项",
    "permit_lost": "减少许可事项",
    "material_gained": "新增材料",
    "material_lost": "减少材料",
    "commitment_gained": "新增告知承诺选项",
    "commitment_lost": "失去告知承诺选项",
    "days_longer": "办理时限变长",
    "days_shorter": "办理时限缩短",
}
EXAMPLES = 5
CHUNK = 250

Summary = tuple[frozenset[str], frozenset[str], frozenset[str], dict[str, int]]


@dataclass
class Impact:
    """How many compositions change, by kind of change, with up to five example keys each."""

    total: int = 0
    changed: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, kinds: Iterable[str]) -> None:
        self.total += 1
        found = set(kinds)
        self.changed += bool(found)
        for kind in found:
            self.counts[kind] += 1
            shown = self.examples.setdefault(kind, [])
            if len(shown) < EXAMPLES:
                shown.append(key)


def compare(before: Summary | None, after: Summary | None) -> list[str]:
    """The kinds of change from one composition's summary to the other's (None: it no longer composes)."""
    if before == after or before is None or after is None:
        return [] if before == after else ["permit_lost" if after is None else "permit_gained"]
    kinds = []
    for name, old, new in zip(("permit", "material", "commitment"), before[:3], after[:3], strict=True):
        kinds += [f"{name}_gained"] * bool(new - old) + [f"{name}_lost"] * bool(old - new)
    days = [(before[3][p], after[3][p]) for p in before[3].keys() & after[3].keys()]
    kinds += ["days_longer"] * any(b < a for b, a in days) + ["days_shorter"] * any(b > a for b, a in days)
    return kinds


def summary(composition: Composition) -> Summary:
    return (
        frozenset(p.id for p in composition.permits),
        frozenset(m.key for m in composition.materials if m.status == "submit"),
        frozenset(p.id for p in composition.permits if p.commitment.eligible),
        {p.id: p.effective_limit.working_days for p in composition.permits},
    )


def impact(
    pack_id: str, old_root: Path, new_root: Path, inputs: list[tuple[str, dict[str, Any]]], workers: int = 0, chunk: int = CHUNK
) -> Impact:
    """Compose each (key, ComposeRequest JSON) under both versions of ``pack_id``; count what changes.

    Equal inputs compose equally (the compose contract), so each distinct input is composed once.
    """
    keys: dict[str, list[str]] = {}
    for key, request in inputs:
        keys.setdefault(json.dumps(request, sort_keys=True, ensure_ascii=False), []).append(key)
    distinct = list(keys)
    chunks = [distinct[i : i + chunk] for i in range(0, len(distinct), chunk)]
    workers = min(workers or os.cpu_count() or 1, len(chunks))
    result = Impact()
    with ExitStack() as stack:
        if workers <= 1:
            _start(pack_id, old_root, new_root)
            outcomes: Iterator[list[list[str]]] = map(_compare_chunk, chunks)
        else:
            pool = stack.enter_context(ProcessPoolExecutor(workers, initializer=_start, initargs=(pack_id, old_root, new_root)))
            outcomes = pool.map(_compare_chunk, chunks)
        for part, kinds_of in zip(chunks, outcomes, strict=True):
            for raw, kinds in zip(part, kinds_of, strict=True):
                for key in keys[raw]:
                    result.add(key, kinds)
    return result


_composers: tuple[Composer, Composer] | None = None


def _start(pack_id: str, old_root: Path, new_root: Path) -> None:
    """In each worker process: both versions of the pack, loaded once."""
    global _composers
    _composers = (Composer.load(pack_id, old_root), Composer.load(pack_id, new_root))


def _compare_chunk(chunk: list[str]) -> list[list[str]]:
    assert _composers is not None
    old, new = _composers
    return [compare(_summary_of(old, raw), _summary_of(new, raw)) for raw in chunk]


def _summary_of(composer: Composer, raw: str) -> Summary | None:
    try:
        return summary(composer.compose(ComposeRequest.model_validate_json(raw)))
    except InputError:
        return None
