"""Compose over HTTP beside a bare endpoint: same app, same server settings, same run.

    apt-get install -y wrk                  # Debian's wrk, or: scripts/setup-system.sh wrk
    .venv/bin/python bench/compose_http.py          # about two and a half minutes
    .venv/bin/python bench/compose_http.py --quick  # 6 s per workload, 1,000 random cases

What it does, on loopback only, and it stops the servers it starts whatever happens:

1. Starts the real server (``yiye serve --workers 2``: SQLite in a temporary directory, rate limiting
   off, no access log) on 127.0.0.1 and a free port, and waits until every worker is up.
2. Draws random cases from the default pack through the API, as a client would: industries from
   ``GET /api/v1/packs/beijing-dongcheng/industries`` (1–3 of them), then ``POST /api/v1/questions``
   round after round, answering each open question from its domain (an option, yes/no, a whole
   number within its bounds, one time in ten "unknown" where allowed; one applicant in twenty
   stops early). Each distinct case is composed once with ``POST /api/v1/compose`` and must answer
   200. The response of median size is kept as the bare endpoint's body. This server is then
   stopped, so nothing it cached can help what follows.
3. Starts a fresh server the same way plus ``YIYE_BENCH_ROUTES=true`` (``/_bench/bare`` answers the
   kept composition's bytes; see service/bench_routes.py) and runs wrk (32 connections) with a Lua
   script that builds every request, for each workload a warm-up, then ``--rounds`` rounds of one
   slice of each workload in turn (15 s per workload in all), so load from elsewhere on the
   machine weighs on a compose slice and its bare slice alike:

   * **bare**: ``POST /_bench/bare`` (a sync endpoint, like the issue's reference) with the same
     request bodies as (a); **bare, async**: the same from an ``async def`` endpoint, for reference;
   * **(a) random**: ``POST /api/v1/compose``, every request a different case. The script cycles
     through the cases and, on each pass over the list, sets ``as_of`` one day later (a composition
     is a function of pack version, date and input, and the server caches it under exactly that
     key); every slice and warm-up has its own days, so no request repeats an earlier one and each
     is composed from scratch (the table shows the cache hits: 0);
   * **(b) Zipf**: ``POST /api/v1/compose`` over a few hundred distinct cases built from Zipf-ranked
     industries (a shuffled popularity order) and answers (the first option, "no", round numbers
     first), each request drawing a case with probability ∝ 1/rank^s (s = 1.1), as of today:
     popular cases repeat, as they would in production.

   Cache hits are counted from the server's own log (one structured line per compose call), the
   server's CPU time from /proc. Any non-2xx answer or socket error fails the run.

Prints, per workload, requests/s, p50 and p99 latency, cache hits, the server's CPU time per
request, and the ratios compose/bare with the issue's targets: (a) ≥ 0.3 × bare, (b) ≥ 0.7 × bare.
``--json FILE`` also writes the figures. wrk and the server share the machine's cores, as they did
for the issue's reference figure; the CPU-time ratio is the same comparison, barely moved by
whatever else runs on the machine.

On a machine busy with other work the two ratios part, and the table says why: it also prints the
CPUs the server got and how many of its threads were ready but waiting for one (``queued``, from
/proc/<tid>/schedstat). An endpoint that composes on the event loop is one thread that always wants
the CPU; the sync bare endpoint hands each request to a pool thread and back, and threads that wake
often are run sooner, so under contention it gets several times the CPU at the same cost per request
(the async bare endpoint, same bytes without the hop, shows it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
PACK = "beijing-dongcheng"
HOST = "127.0.0.1"
COMPOSE = "/api/v1/compose"
BARE = "/_bench/bare"
BARE_ASYNC = "/_bench/bare-async"
TARGETS = {"a": 0.3, "b": 0.7}

LUA = r"""
-- Builds every request of one wrk run. Arguments: data file, mode (dated | zipf), path, first day,
-- wrk threads. Each thread's state gets its index in `tid` from setup(), before init() runs.
local bodies, cdf, mode, path, first_day, nthreads, n
local counter = 0
local headers = { ["Content-Type"] = "application/json" }
local days = {}
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local data = dofile(args[1])
  bodies, cdf, mode, path = data.bodies, data.cdf, args[2], args[3]
  first_day, nthreads = tonumber(args[4]), tonumber(args[5])
  n = #bodies
  math.randomseed(7919 * (tid + 1) + first_day)
end

local function day(k)
  local d = days[k]
  if d == nil then
    d = os.date("!%Y-%m-%d", BASE_EPOCH + (first_day + k) * 86400)
    days[k] = d
  end
  return d
end

function request()
  local body
  if mode == "zipf" then
    local r, lo, hi = math.random(), 1, #cdf
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if cdf[mid] < r then lo = mid + 1 else hi = mid end
    end
    body = bodies[lo]
  else
    -- request g of the run (over all threads): case g mod n, as of first_day + floor(g / n) days
    local g = counter * nthreads + tid
    counter = counter + 1
    body = '{"as_of":"' .. day(math.floor(g / n)) .. '",' .. string.sub(bodies[g % n + 1], 2)
  end
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]

    def family(self) -> set[int]:
        """The server's processes: the supervisor and every worker."""
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                parents[int(entry)] = int(stat.rpartition(")")[2].split()[1])
        family, frontier = {self.process.pid}, [self.process.pid]
        while frontier:
            parent = frontier.pop()
            for pid, ppid in parents.items():
                if ppid == parent and pid not in family:
                    family.add(pid)
                    frontier.append(pid)
        return family

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server: the supervisor and every worker."""
        ticks = 0
        for pid in self.family():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def queued_seconds(self) -> float:
        """Time the server's threads have spent so far ready to run but waiting for a CPU
        (the kernel's schedstat run delay), summed over its threads."""
        waited = 0
        for pid in self.family():
            try:
                threads = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in threads:
                try:
                    waited += int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[1])
                except (OSError, IndexError):
                    continue
        return waited / 1e9

    def log_offset(self) -> int:
        return self.log_path.stat().st_size

    def compose_calls(self, start: int, end: int | None = None) -> Counter[str]:
        """Compose log lines written between two offsets of the server log, by cache outcome."""
        counts: Counter[str] = Counter()
        with self.log_path.open("rb") as log:
            log.seek(start)
            chunk = log.read() if end is None else log.read(end - start)
        for line in chunk.splitlines():
            if b'"event":"compose"' not in line:
                continue
            entry = json.loads(line)
            counts["hit" if entry.get("cached") else "miss"] += 1
        return counts


@contextmanager
def serve(workdir: Path, name: str, workers: int, extra_env: dict[str, str]) -> Iterator[Server]:
    """``yiye serve`` on a free loopback port; waits for every worker; always stopped on exit."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    env = {
        **os.environ,
        "YIYE_ENV": "development",
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_LOG_LEVEL": "INFO",
        "YIYE_LOG_JSON": "true",
        "YIYE_DEFAULT_PACK": PACK,
        **extra_env,
    }
    command = [
        sys.executable, "-m", "service.cli_serve", "serve",
        "--host", HOST, "--port", str(port), "--workers", str(workers),
        "--database-url", f"sqlite:///{workdir / (name + '.db')}",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    server = Server(port, log_path, process)
    try:
        wait_ready(server, workers)
        yield server
    finally:
        stop(process)


def wait_ready(server: Server, workers: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"server exited with {server.process.returncode}:\n{server.log_path.read_text()[-3000:]}")
        started = server.log_path.read_bytes().count(b"Application startup complete")
        if started >= workers:
            try:
                status, _, _ = Client(server.port).request("GET", f"/api/v1/packs/{PACK}")
                if status == 200:
                    return
            except OSError:
                pass
        time.sleep(0.2)
    raise SystemExit(f"server not ready after {timeout} s:\n{server.log_path.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (the uvicorn supervisor and its workers), then SIGKILL."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass


class Client:
    """One keep-alive HTTP/1.1 connection, JSON in and out."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], bytes]:
        payload = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()

    def json(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, _, data = self.request(method, path, body)
        return status, json.loads(data)


# --- cases ------------------------------------------------------------------------------------

Picker = Callable[[dict[str, Any], random.Random], Any]


def uniform_answer(question: dict[str, Any], rng: random.Random) -> Any:
    """Any value of the question's domain, uniformly; "unknown" one time in ten where allowed."""
    if question["allow_unknown"] and rng.random() < 0.1:
        return "unknown"
    if question["type"] == "choice":
        return rng.choice(question["options"])[0]
    if question["type"] == "boolean":
        return rng.random() < 0.5
    low, high = number_bounds(question)
    return rng.randint(low, high)


TYPICAL_NUMBERS = [50, 100, 30, 200, 80, 150, 20, 300, 60, 500, 120, 1000, 10, 2000, 5]


def zipf_answer(question: dict[str, Any], rng: random.Random, s: float = 1.1) -> Any:
    """A Zipf-ranked value: the first option (then the next…), "no" before "yes", round numbers."""
    if question["type"] == "choice":
        return question["options"][zipf_index(len(question["options"]), s, rng)][0]
    if question["type"] == "boolean":
        return [False, True][zipf_index(2, s, rng)]
    low, high = number_bounds(question)
    ladder = [v for v in TYPICAL_NUMBERS if low <= v <= high] or [low]
    return ladder[zipf_index(len(ladder), s, rng)]


def number_bounds(question: dict[str, Any]) -> tuple[int, int]:
    """Whole numbers within the question's bounds (at most 2,000 wide)."""
    low = math.ceil(question["min"]) if question["min"] is not None else 0
    high = math.floor(question["max"]) if question["max"] is not None else low + 2000
    return low, max(low, min(high, low + 2000))


def zipf_weights(n: int, s: float) -> list[float]:
    weights = [1 / (rank**s) for rank in range(1, n + 1)]
    total = sum(weights)
    return [w / total for w in weights]


def zipf_index(n: int, s: float, rng: random.Random) -> int:
    return rng.choices(range(n), weights=zipf_weights(n, s))[0]


@dataclass
class CaseMaker:
    """Builds cases through /questions, as a client answering round after round would."""

    port: int
    answer: Picker
    local: threading.local = field(default_factory=threading.local)

    def client(self) -> Client:
        if not hasattr(self.local, "client"):
            self.local.client = Client(self.port)
        return self.local.client  # type: ignore[no-any-return]

    def case(self, industries: list[str], rng: random.Random) -> dict[str, Any] | None:
        body: dict[str, Any] = {"industries": industries, "answers": {}}
        for _ in range(10):
            status, found = self.client().json("POST", "/api/v1/questions", body)
            if status != 200:
                return None  # e.g. two industries that contradict each other
            if found["complete"] or rng.random() < 0.05:  # some applicants stop before the end
                break
            new = {q["id"]: self.answer(q, rng) for q in found["questions"] if q["id"] not in body["answers"]}
            if not new:
                break
            body["answers"].update(new)
        return body


def key_of(case: dict[str, Any]) -> str:
    return json.dumps([sorted(case["industries"]), case["answers"]], sort_keys=True)


def random_cases(maker: CaseMaker, industries: list[str], count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` distinct cases: 1–3 industries drawn uniformly, answers uniform over their domains."""

    def one(i: int) -> dict[str, Any] | None:
        rng = random.Random(f"{seed}-{i}")
        return maker.case(rng.sample(industries, rng.randint(1, 3)), rng)

    found: dict[str, dict[str, Any]] = {}
    attempt = 0
    with ThreadPoolExecutor(8) as pool:
        while len(found) < count and attempt < count * 4:
            batch = range(attempt, attempt + count - len(found) + 16)
            attempt = batch.stop
            for case in pool.map(one, batch):
                if case is not None and len(found) < count:
                    found.setdefault(key_of(case), case)
    return list(found.values())


def zipf_cases(maker: CaseMaker, industries: list[str], count: int, s: float, seed: int) -> list[dict[str, Any]]:
    """``count`` distinct cases from Zipf-ranked industries (1 most often, up to 3) and answers,
    ranked by how often the draws produced them (most popular first)."""
    ranked = industries[:]
    random.Random(seed).shuffle(ranked)  # a popularity order of the catalogue

    def draw(i: int) -> dict[str, Any] | None:
        rng = random.Random(f"{seed}-zipf-{i}")
        how_many = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        chosen: list[str] = []
        while len(chosen) < how_many:
            pick = ranked[zipf_index(len(ranked), s, rng)]
            if pick not in chosen:
                chosen.append(pick)
        return maker.case(chosen, rng)

    popularity = Counter[str]()
    cases: dict[str, dict[str, Any]] = {}
    draws = 0
    with ThreadPoolExecutor(8) as pool:
        while len(cases) < count and draws < count * 50:
            batch = range(draws, draws + 64)
            draws = batch.stop
            for case in pool.map(draw, batch):
                if case is None:
                    continue
                key = key_of(case)
                popularity[key] += 1
                if len(cases) < count:
                    cases.setdefault(key, case)
    order = sorted(cases, key=lambda k: -popularity[k])  # stable: ties keep first-seen order
    return [cases[k] for k in order]


def verify(port: int, cases: list[dict[str, Any]]) -> list[int]:
    """Compose each case once; every one must answer 200. Returns the response sizes."""
    local = threading.local()

    def one(case: dict[str, Any]) -> int:
        if not hasattr(local, "client"):
            local.client = Client(port)
        status, _, body = local.client.request("POST", COMPOSE, case)
        if status != 200:
            raise SystemExit(f"case refused with {status}: {json.dumps(case, ensure_ascii=False)}\n{body[:500]!r}")
        return len(body)

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, cases))


def lua_data(path: Path, bodies: list[dict[str, Any]], cdf: list[float] | None = None) -> Path:
    """A Lua file returning {bodies = {...}, cdf = {...}}: compact JSON (ASCII) in long brackets."""
    lines = ["return {", "bodies = {"]
    for body in bodies:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=True)
        assert text.startswith("{"), text
        assert "]==]" not in text, text
        lines.append(f"[==[{text}]==],")
    lines.append("},")
    lines.append("cdf = {" + ",".join(repr(c) for c in (cdf or [1.0])) + "},")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n")
    return path


# --- wrk --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    name: str
    label: str
    data: Path
    mode: str
    path: str
    first_day: int  # (a) and the bare runs: the first as-of day offset; each slice gets its own window


@dataclass
class Slice:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    hits: int
    misses: int
    cpu_s: float  # the server's CPU time over the slice
    queued_s: float  # the server's threads' time ready to run but waiting for a CPU, over the slice
    seconds: float  # the slice's duration


@dataclass
class Result:
    workload: Workload
    slices: list[Slice] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(x.requests for x in self.slices)

    @property
    def rps(self) -> float:
        """Requests over the whole measured time, all slices together."""
        return self.requests / sum(x.requests / x.rps for x in self.slices)

    @property
    def p50_ms(self) -> float:
        return statistics.median(x.p50_ms for x in self.slices)

    @property
    def p99_ms(self) -> float:
        return statistics.median(x.p99_ms for x in self.slices)

    @property
    def worst_p99_ms(self) -> float:
        return max(x.p99_ms for x in self.slices)

    @property
    def cpu_us(self) -> float:
        """Server CPU time per request: unlike req/s, barely moved by other load on the machine."""
        return sum(x.cpu_s for x in self.slices) / self.requests * 1e6

    @property
    def cores(self) -> float:
        """CPUs the server got on average while measured (the CPU time over the wall time)."""
        return sum(x.cpu_s for x in self.slices) / sum(x.seconds for x in self.slices)

    @property
    def queued(self) -> float:
        """Server threads ready to run but waiting for a CPU, on average while measured."""
        return sum(x.queued_s for x in self.slices) / sum(x.seconds for x in self.slices)

    @property
    def hits(self) -> int:
        return sum(x.hits for x in self.slices)

    @property
    def misses(self) -> int:
        return sum(x.misses for x in self.slices)

    def ratio(self, bare: Result) -> float:
        """The median over rounds of this slice's rate / the bare slice's of the same round."""
        return statistics.median(x.rps / y.rps for x, y in zip(self.slices, bare.slices, strict=True))


def wrk(port: int, script: Path, data: Path, mode: str, path: str, seconds: float, connections: int,
        threads: int, first_day: int) -> dict[str, Any]:  # fmt: skip
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script),
        f"http://{HOST}:{port}{path}", "--", str(data), mode, path, str(first_day), str(threads),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(line.removeprefix("WRK_RESULT "))
    errors = {k: result[k] for k in ("connect", "read", "write", "status", "timeout") if result[k]}
    if errors:
        raise SystemExit(f"wrk {path} ({mode}): errors {errors}\n{done.stdout}")
    return result


def run_slice(server: Server, script: Path, w: Workload, seconds: float, first_day: int, args: argparse.Namespace) -> Slice:
    time.sleep(0.3)  # let the previous run's last requests finish before counting
    start, cpu, queued = server.log_offset(), server.cpu_seconds(), server.queued_seconds()
    r = wrk(server.port, script, w.data, w.mode, w.path, seconds, args.connections, args.threads, first_day)
    cpu, queued = server.cpu_seconds() - cpu, server.queued_seconds() - queued
    time.sleep(0.3)
    calls = server.compose_calls(start)
    rps = r["requests"] / (r["duration_us"] / 1e6)
    duration = r["duration_us"] / 1e6
    return Slice(rps, r["p50_us"] / 1000, r["p99_us"] / 1000, r["requests"], calls["hit"], calls["miss"], cpu, queued, duration)


def measure(server: Server, script: Path, workloads: list[Workload], args: argparse.Namespace) -> list[Result]:
    """A warm-up of each workload, then ``rounds`` rounds of one slice of each, in turn.

    Interleaving keeps each compose slice seconds away from its bare slice, so a change in the
    machine's load (other processes, CPU frequency) hits both sides of a ratio alike.
    """
    for w in workloads:
        run_slice(server, script, w, args.warmup, w.first_day + 2000, args)
    results = [Result(w) for w in workloads]
    for round_ in range(args.rounds):
        for w, result in zip(workloads, results, strict=True):
            result.slices.append(run_slice(server, script, w, args.duration / args.rounds, w.first_day + 100 * round_, args))
    return results


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="6 s per workload in 3 slices, 1,000 random cases")
    parser.add_argument("--duration", type=float, default=15, help="seconds measured per workload, all slices")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved slices per workload")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up per workload")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--cases", type=int, default=3000, help="distinct random cases for (a)")
    parser.add_argument("--zipf-cases", type=int, default=300, help="distinct cases for (b)")
    parser.add_argument("--zipf-s", type=float, default=1.1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.rounds, args.warmup, args.cases = 6, 3, 2, 1000
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk  (or scripts/setup-system.sh wrk)")

    with tempfile.TemporaryDirectory(prefix="yiye-bench-http-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        with serve(workdir, "cases", args.workers, {}) as server:
            status, catalogue = Client(server.port).json("GET", f"/api/v1/packs/{PACK}/industries")
            assert status == 200, catalogue
            industries = [item["id"] for item in catalogue["items"]]
            random_set = random_cases(CaseMaker(server.port, uniform_answer), industries, args.cases, args.seed)
            zipf_set = zipf_cases(
                CaseMaker(server.port, lambda q, rng: zipf_answer(q, rng, args.zipf_s)),
                industries, args.zipf_cases, args.zipf_s, args.seed,
            )  # fmt: skip
            sizes = verify(server.port, random_set)
            verify(server.port, zipf_set)
            typical = random_set[sorted(range(len(sizes)), key=sizes.__getitem__)[len(sizes) // 2]]
            _, _, typical_body = Client(server.port).request("POST", COMPOSE, typical)
        (workdir / "typical.json").write_bytes(typical_body)
        answers = [len(c["answers"]) for c in random_set]
        print(
            f"{len(industries)} industries in {PACK}; {len(random_set):,} distinct random cases "
            f"(1–3 industries, {statistics.mean(answers):.1f} answers on average), {len(zipf_set)} Zipf cases, "
            f"each composed once with 200 ({time.perf_counter() - started:.0f} s)"
        )
        print(
            f"composition sizes: median {statistics.median(sizes) / 1024:.1f} KiB, "
            f"min {min(sizes) / 1024:.1f}, max {max(sizes) / 1024:.1f}; "
            f"the bare endpoint answers {len(typical_body) / 1024:.1f} KiB of one"
        )

        script = workdir / "bench.lua"
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        base_epoch = int((datetime(today.year, today.month, today.day) - datetime(1970, 1, 1)).total_seconds())
        script.write_text(f"BASE_EPOCH = {base_epoch}\n" + LUA)
        random_data = lua_data(workdir / "random.lua", random_set)
        cdf = [0.0] * len(zipf_set)
        total = 0.0
        for i, w in enumerate(zipf_weights(len(zipf_set), args.zipf_s)):
            total += w
            cdf[i] = total
        cdf[-1] = 1.0
        zipf_data = lua_data(workdir / "zipf.lua", zipf_set, cdf)
        top = sum(zipf_weights(len(zipf_set), args.zipf_s)[:10])

        bench_env = {"YIYE_BENCH_ROUTES": "true", "YIYE_BENCH_BARE_BODY": str(workdir / "typical.json")}
        with serve(workdir, "bench", args.workers, bench_env) as server:
            print(
                f"server: yiye serve --workers {args.workers} on {HOST}:{server.port}, SQLite, rate limits off, "
                f"no access log; wrk -t{args.threads} -c{args.connections}; per workload {args.warmup:g} s warm-up, "
                f"then {args.duration:g} s in {args.rounds} interleaved slices"
            )
            # (a) never reuses a date: its slices start 100 days apart, its warm-up 2,000 days later
            workloads = [
                Workload("bare", f"bare: {len(typical_body) / 1024:.1f} KiB precomputed, sync", random_data, "dated", BARE, 1),
                Workload("bare_async", "bare, async (for reference)", random_data, "dated", BARE_ASYNC, 1),
                Workload("a", f"(a) random, all distinct ({len(random_set):,} cases)", random_data, "dated", COMPOSE, 500),
                Workload(
                    "b", f"(b) Zipf s={args.zipf_s:g}, {len(zipf_set)} cases, top 10 = {top:.0%}", zipf_data, "zipf", COMPOSE, 0
                ),
            ]
            bare, bare_async, a, b = measure(server, script, workloads, args)

    print()
    print(
        f"{'workload':<44} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'worst':>6} {'cache hits':>14} "
        f"{'CPU µs':>7} {'× bare':>7} {'CPU ×':>6} {'CPUs':>5} {'queued':>6}  target (on × bare)"
    )
    for r in (bare, bare_async, a, b):
        hits = f"{r.hits:,}/{r.hits + r.misses:,}" if r.hits + r.misses else "–"
        target = TARGETS.get(r.workload.name)
        ratio = r.ratio(bare)
        verdict = f"≥ {target}× {'met' if ratio >= target else 'MISSED'}" if target else ""
        print(
            f"{r.workload.label:<44} {r.rps:>6,.0f} {r.p50_ms:>7.2f} {r.p99_ms:>7.2f} {r.worst_p99_ms:>6.0f} {hits:>14} "
            f"{r.cpu_us:>7,.0f} {ratio:>6.2f}× {bare.cpu_us / r.cpu_us:>5.2f}× {r.cores:>5.2f} {r.queued:>6.2f}  {verdict}"
        )
    print("req/s: over all slices; p50, p99: the median of the slices'; worst: the worst slice's p99.")
    print("× bare: the median over rounds of (this slice's req/s / the bare slice's of the same round).")
    print("CPU µs: the server's CPU time per request (all workers); CPU ×: bare's CPU per request / this one's,")
    print("the same ratio seen from cost per request, which other load on the machine barely moves.")
    print("CPUs: the CPUs the server got on average (its CPU time / wall time); queued: its threads ready to run")
    print("but waiting for a CPU, on average (the kernel's run delay). Where req/s and CPU × part, these say why:")
    print(f"the machine's load average was {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} CPUs.")
    if a.hits:
        print(f"warning: {a.hits} cache hits in (a): some requests repeated an earlier case")
    if args.json:
        figures: dict[str, Any] = {
            r.workload.name: {
                "rps": r.rps,
                "p50_ms": r.p50_ms,
                "p99_ms": r.p99_ms,
                "worst_p99_ms": r.worst_p99_ms,
                "requests": r.requests,
                "hits": r.hits,
                "misses": r.misses,
                "ratio_to_bare": r.ratio(bare),
                "cpu_us_per_request": r.cpu_us,
                "cpu_ratio_to_bare": bare.cpu_us / r.cpu_us,
                "cpus": r.cores,
                "queued": r.queued,
                "slices": [x.__dict__ for x in r.slices],
            }
            for r in (bare, bare_async, a, b)
        }
        figures["bare_bytes"] = len(typical_body)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
