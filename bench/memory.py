"""Memory of a worker under all-distinct cases: RSS over HTTP, and where it goes (tracemalloc).

    .venv/bin/python bench/memory.py                    # 1 and 2 workers, cache 128 and 0 MB, 100,000 requests each
    .venv/bin/python bench/memory.py --quick            # 1 worker, 20,000 requests, cache 128 and 0
    .venv/bin/python bench/memory.py --trace 8000       # in process: what the composer keeps, by traceback

Over HTTP (loopback only; it stops the servers it starts whatever happens): cases are drawn from
the default pack through ``/api/v1/questions`` as ``bench/compose_http.py`` does, on a server that
is then stopped. For each worker count and cache size a fresh ``yiye serve`` (SQLite, rate limits
off) is started with ``YIYE_COMPOSE_CACHE_MB`` set, its workers' RSS is read once every worker is
up (idle), then ``--requests`` compose requests follow, every one a case not asked before (request
g is case g mod n as of g div n days after today), and RSS per worker is printed every 10,000
requests. Each run stops after ``--budget`` seconds if it has not finished, and says so. The
target from issue 9: RSS per worker at the end ≤ 2 × (cache size + that worker's idle RSS).

In process (``--trace N``): one composer composes N distinct cases under tracemalloc; prints RSS
beside the traced total (the gap is memory Python does not trace: freed but kept by the
allocators, or held by the C engine), the composer's memo (pieces, and the bytes of the JSON the
pieces carry), and the biggest growths grouped by traceback.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compose_http import (  # noqa: E402
    COMPOSE,
    PACK,
    CaseMaker,
    Client,
    Server,
    random_cases,
    serve,
    uniform_answer,
)

MARK = 10_000
"""RSS is printed every this many requests."""


# --- RSS ----------------------------------------------------------------------------------------


def rss_mib(pid: int) -> float:
    """Resident set size of one process, in MiB."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def workers_of(server: Server) -> list[int]:
    """The worker processes: the server's own process when it runs one worker, else its children."""
    children: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == server.process.pid and b"resource_tracker" not in cmdline:
            children.append(int(entry))
    return sorted(children) or [server.process.pid]


# --- over HTTP ----------------------------------------------------------------------------------


def dated_bodies(cases: list[dict[str, Any]], count: int, first: date) -> Iterator[bytes]:
    """``count`` request bodies, none repeating: case g mod n, as of g div n days after ``first``."""
    encoded = [json.dumps(case, ensure_ascii=False, separators=(",", ":")).encode() for case in cases]
    for g in range(count):
        day = first + timedelta(days=g // len(encoded))
        yield b'{"as_of":"' + day.isoformat().encode() + b'",' + encoded[g % len(encoded)][1:]


def drive(server: Server, bodies: Iterator[bytes], threads: int, deadline: float, on_mark: Any) -> int:
    """Send every body over ``threads`` keep-alive connections until done or the deadline; returns the count."""
    lock = threading.Lock()
    done = itertools.count(1)
    sent = 0
    failure: list[str] = []

    def worker() -> None:
        nonlocal sent
        client = Client(server.port)
        while not failure and time.monotonic() < deadline:
            with lock:
                body = next(bodies, None)
            if body is None:
                return
            client.connection.request("POST", COMPOSE, body=body, headers={"Content-Type": "application/json"})
            response = client.connection.getresponse()
            data = response.read()
            if response.status != 200:
                failure.append(f"{response.status}: {body[:300]!r} → {data[:300]!r}")
                return
            n = next(done)
            with lock:
                sent = max(sent, n)
            if n % MARK == 0:
                on_mark(n)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if failure:
        raise SystemExit(f"compose failed: {failure[0]}")
    return sent


def http_run(workdir: Path, cases: list[dict[str, Any]], workers: int, cache_mb: int, args: argparse.Namespace) -> None:
    env = {"YIYE_COMPOSE_CACHE_MB": str(cache_mb)}
    name = f"w{workers}-c{cache_mb}"
    with serve(workdir, name, workers, env) as server:
        pids = workers_of(server)
        idle = {pid: rss_mib(pid) for pid in pids}
        print(f"\n{workers} worker(s), YIYE_COMPOSE_CACHE_MB={cache_mb}: idle RSS " + _row(idle))
        started = time.monotonic()

        def on_mark(n: int) -> None:
            now = {pid: rss_mib(pid) for pid in pids}
            print(f"  {n:>7,} requests  {time.monotonic() - started:5.0f} s  RSS " + _row(now), flush=True)

        bodies = dated_bodies(cases, args.requests, date.today() + timedelta(days=1))
        sent = drive(server, bodies, args.threads, started + args.budget, on_mark)
        elapsed = time.monotonic() - started
        end = {pid: rss_mib(pid) for pid in pids}
        if sent < args.requests:
            print(f"  stopped at the budget: {sent:,} of {args.requests:,} requests in {elapsed:.0f} s")
        print(f"  end: {sent:,} requests in {elapsed:.0f} s ({sent / elapsed:,.0f}/s)  RSS " + _row(end))
        for pid in pids:
            bound = 2 * (cache_mb + idle[pid])
            verdict = "met" if end[pid] <= bound else "MISSED"
            print(f"  worker {pid}: {end[pid]:.0f} MiB ≤ 2 × ({cache_mb} + {idle[pid]:.0f}) = {bound:.0f} MiB: {verdict}")


def _row(rss: dict[int, float]) -> str:
    return "  ".join(f"{pid}: {mib:6.1f} MiB" for pid, mib in rss.items())


def draw_cases(workdir: Path, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` distinct cases, drawn as ``bench/compose_http.py`` draws them, on a server stopped afterwards."""
    with serve(workdir, "cases", 2, {}) as server:
        status, catalogue = Client(server.port).json("GET", f"/api/v1/packs/{PACK}/industries")
        assert status == 200, catalogue
        industries = [item["id"] for item in catalogue["items"]]
        return random_cases(CaseMaker(server.port, uniform_answer), industries, count, seed)


def http_main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="yiye-bench-memory-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        if args.cases_from:
            cases = json.loads(args.cases_from.read_text())[: args.cases]
            drawn = f"read from {args.cases_from}"
        else:
            cases = draw_cases(workdir, args.cases, args.seed)
            drawn = f"drawn through /questions ({time.perf_counter() - started:.0f} s)"
        if args.save_cases:
            args.save_cases.write_text(json.dumps(cases, ensure_ascii=False))
        print(
            f"{len(cases):,} distinct random cases of {PACK} {drawn}; each request below is one of them on a day "
            f"not asked before; {args.threads} client connections; at most {args.budget:g} s per run"
        )
        for workers in args.workers:
            for cache_mb in args.cache_mb:
                http_run(workdir, cases, workers, cache_mb, args)


# --- in process ---------------------------------------------------------------------------------


def trace_main(count: int, seed: int, top: int) -> None:
    """Compose ``count`` distinct cases in one composer under tracemalloc and print where memory went."""
    import gc

    from composer import Composer, ComposeRequest
    from rules import packs
    from rules.errors import InputError
    from rules.model import Question, QuestionType

    composer = Composer.load(packs.DEFAULT_PACK)
    industries = sorted(composer.pack.industries)
    rng = random.Random(seed)
    today = datetime.now().date()

    def answer(q: Question) -> object:
        if q.allow_unknown and rng.random() < 0.1:
            return "unknown"
        if q.type is QuestionType.choice:
            return rng.choice(q.options).value
        if q.type is QuestionType.boolean:
            return rng.random() < 0.5
        low = math.ceil(q.min) if q.min is not None else 0
        high = math.floor(q.max) if q.max is not None else low + 2000
        return rng.randint(low, max(low, min(high, low + 2000)))

    def case() -> ComposeRequest | None:
        chosen, answers = rng.sample(industries, rng.randint(1, 3)), {}
        for _ in range(10):
            request = ComposeRequest(pack=composer.pack.id, industries=chosen, answers=answers)
            try:
                open_questions = composer.compose(request, today=today).questions
            except InputError:
                return None
            new = {q.id: answer(composer.pack.questions[q.id]) for q in open_questions if q.id not in answers}
            if not new or rng.random() < 0.05:
                break
            answers.update(new)
        return ComposeRequest(pack=composer.pack.id, industries=chosen, answers=answers, as_of=today)

    gc.collect()
    gc.freeze()
    tracemalloc.start(30)
    base_rss = rss_mib(os.getpid())
    before = tracemalloc.take_snapshot()
    composed = 0
    while composed < count:
        request = case()
        if request is None:
            continue
        composer.compose_json(request)
        composed += 1
        if composed % 2000 == 0:
            traced = tracemalloc.get_traced_memory()[0] / 2**20
            rss, memo = rss_mib(os.getpid()), len(composer.fragments)
            print(f"{composed:>7,} composed  RSS {rss:6.1f} MiB  traced {traced:6.1f} MiB  memo {memo:,} pieces", flush=True)
    after = tracemalloc.take_snapshot()
    traced = tracemalloc.get_traced_memory()[0] / 2**20
    memo_json = sum(_json_bytes(piece) for piece in _memo_pieces(composer.fragments))
    print(
        f"\nafter {count:,} distinct cases (every one also asked through its questions): RSS {base_rss:.0f} → "
        f"{rss_mib(os.getpid()):.0f} MiB; traced by Python {traced:.0f} MiB (tracemalloc's own bookkeeping is in RSS too); "
        f"memo {len(composer.fragments):,} pieces carrying {memo_json / 2**20:.1f} MiB of JSON"
    )
    print(f"\nbiggest growths by traceback (top {top}):")
    for stat in after.compare_to(before, "traceback")[:top]:
        frames = [f for f in stat.traceback if "site-packages" not in f.filename and "bench/" not in f.filename]
        where = " ← ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames[-4:]))
        print(f"  {stat.size_diff / 2**20:7.2f} MiB  {stat.count_diff:>8,} blocks  {where}")


def _memo_pieces(fragments: Any) -> Iterator[Any]:
    """Every piece the memo holds, whatever its generations are called."""
    for value in vars(fragments).values():
        if isinstance(value, dict):
            yield from value.values()


def _json_bytes(piece: object) -> int:
    """Bytes of the serialised JSON a memo piece carries (pieces are tuples of output and JSON)."""
    if isinstance(piece, bytes):
        return len(piece)
    if isinstance(piece, tuple):
        return sum(_json_bytes(part) for part in piece)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 worker, 20,000 requests, 3,000 cases")
    parser.add_argument("--requests", type=int, default=100_000, help="compose requests per run")
    parser.add_argument("--cases", type=int, default=10_000, help="distinct cases drawn through /questions")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--cache-mb", type=int, nargs="+", default=[128, 0])
    parser.add_argument("--threads", type=int, default=4, help="client connections")
    parser.add_argument("--budget", type=float, default=900, help="seconds at most per run")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--save-cases", type=Path, help="write the cases drawn to this JSON file")
    parser.add_argument("--cases-from", type=Path, help="compose these cases (a JSON list of request bodies)")
    parser.add_argument("--trace", type=int, metavar="N", help="in process: N distinct cases under tracemalloc")
    parser.add_argument("--top", type=int, default=15, help="tracebacks shown with --trace")
    args = parser.parse_args()
    if args.trace:
        trace_main(args.trace, args.seed, args.top)
        return
    if args.quick:
        args.workers, args.requests, args.cases = [1], 20_000, 3_000
    http_main(args)


if __name__ == "__main__":
    main()
