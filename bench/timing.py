"""What the workflow benchmarks share: percentiles, a timed loop, and a line of figures against a baseline."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def p50_p99(seconds: list[float]) -> tuple[float, float]:
    """The median and the 99th percentile, in milliseconds."""
    if len(seconds) == 1:
        return seconds[0] * 1000, seconds[0] * 1000
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def timed(call: Callable[[int], object], runs: int) -> list[float]:
    """Seconds per call of ``call(i)`` for i in 0..runs-1."""
    took = []
    for i in range(runs):
        started = time.perf_counter()
        call(i)
        took.append(time.perf_counter() - started)
    return took


def report(label: str, seconds: list[float], baseline_p50_ms: float, target_ms: float | None = None) -> tuple[float, float]:
    """Print one line: p50, p99, the p50's ratio to the baseline, and the target when there is one."""
    p50, p99 = p50_p99(seconds)
    verdict = "" if target_ms is None else ("  ok" if p99 <= target_ms else f"  OVER {target_ms:.0f} ms")
    print(f"  {label:<44} p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  ×{p50 / baseline_p50_ms:7.1f} baseline{verdict}")
    return p50, p99
