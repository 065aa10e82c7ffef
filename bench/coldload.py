"""Cold load of the generated 2,000-permit pack with no parsed-pack cache, each run in a fresh process.

    .venv/bin/python bench/coldload.py            # 5 runs of each
    .venv/bin/python bench/coldload.py --runs 3

A run does what a ``yiye serve`` worker does before it can answer: import the registry, then load,
check and compile every pack under the root (``PackRegistry.load_all`` without a cache), and ends
with the full garbage collection the load defers. Beside it in the same run: the load as yiye did it
before (PyYAML's node loader, the collector running throughout), and the plain
``yaml.load(CSafeLoader)`` of the same files, which keeps no line numbers. Wall and CPU time are
both printed, with the load average: on a shared machine the wall time is the CPU time plus the
wait for a core.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import generated_pack  # noqa: E402

TARGET_S = 3.0
KINDS = {
    "serve": "registry load_all (event reader, gc held)",
    "nodes": "registry load_all as before (node loader, gc on)",
    "safe_load": "yaml.load CSafeLoader only (baseline)",
}


def child(kind: str, root: Path) -> dict[str, float]:
    """One cold load in this (fresh) process: seconds of wall and CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    if kind == "safe_load":
        import yaml

        for path in sorted(root.rglob("*.yaml")):
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    from rules import packs, yamlsource
    from service.registry import PackRegistry

    if kind == "nodes":
        yamlsource._CParser = None  # type: ignore[attr-defined,assignment]  # every file through the node loader
        packs.collector_paused = contextlib.nullcontext  # type: ignore[assignment]
    imported_wall, imported_cpu = time.perf_counter(), time.process_time()
    registry = PackRegistry(root, cache=None)
    registry.load_all()
    assert not registry.failures, registry.failures
    gc.collect()  # the collection held during the load, paid here rather than at the first requests
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "import_wall": imported_wall - wall,
        "import_cpu": imported_cpu - cpu,
        "load_wall": time.perf_counter() - imported_wall,
        "load_cpu": time.process_time() - imported_cpu,
    }


def run(kind: str, root: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(root)], env=env, check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--permits", type=int, default=2000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    with tempfile.TemporaryDirectory(prefix="coldload-") as tmp:
        root = Path(tmp)
        generated_pack.write(root, permits=args.permits)
        size = sum(p.stat().st_size for p in root.rglob("*.yaml"))
        print(f"cold load of the generated {args.permits:,}-permit pack ({size / 2**20:.1f} MiB of YAML), no pack cache")
        print(f"{os.cpu_count()} CPUs, load average before {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        results: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
        for _ in range(args.runs):  # interleaved, so a change in the machine's load hits every kind alike
            for kind in KINDS:
                results[kind].append(run(kind, root))
        print(f"load average after  {' '.join(f'{x:.1f}' for x in os.getloadavg())}; median of {args.runs} fresh processes:")
        median = {kind: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for kind, runs in results.items()}
        base = median["safe_load"]
        for kind, label in KINDS.items():
            m = median[kind]
            split = f"  (import {m['import_cpu']:.2f} + load {m['load_cpu']:.2f} s CPU)" if "load_cpu" in m else ""
            print(
                f"  {label:<50} wall {m['wall']:6.2f} s  CPU {m['cpu']:5.2f} s  ×{m['cpu'] / base['cpu']:4.1f} baseline CPU"
                f"  CPU/target {m['cpu'] / TARGET_S:4.2f}{split}"
            )
        serve, nodes = median["serve"], median["nodes"]
        verdict = "ok" if serve["cpu"] <= TARGET_S else "OVER"
        print(
            f"  target ≤ {TARGET_S:.0f} s: {verdict} on CPU ({serve['cpu']:.2f} s; wall {serve['wall']:.2f} s under this load); "
            f"{nodes['cpu'] / serve['cpu']:.1f}× less CPU than the node loader"
        )


if __name__ == "__main__":
    main()
