"""Certificates: issue latency (records + signature, then PDF + QR) and verify throughput beside a bare endpoint.

    .venv/bin/python bench/verify.py                        # PostgreSQL, 1,000,000 certificates, 10 s per workload
    .venv/bin/python bench/verify.py --total 0 --sqlite     # SQLite, only the certificates issued for real
    .venv/bin/python bench/verify.py --quick                # 10 issued, 10,000 in all, 4 s per workload

1. Migrates a fresh database (a schema of its own in the PostgreSQL at ``YIYE_TEST_PG``, or SQLite in a
   temporary directory) and makes ``--certificates`` decided applications of the test suite's
   shop-and-hotel case (the ``mini`` fixture pack: three permits in three departments), each through
   the real workflow (submit, accept, three decisions).
2. Issues each one's certificate (``service.certs.lifecycle.issue``: records, audit events, outbox rows,
   the Ed25519 token), renders its A4 PDF with the QR in the print faces (``certificates.render.render_pdf``)
   and signs it (PAdES, ``certificates.seal``; a test CA made in the keys folder), after the throwaway print a
   worker makes as it starts (``service.certs.documents.warm``), timing both: p50 and
   p99 of each and of their sum, against the issue's target of ≤ 0.5 s, and the CPU time the process spent
   on both (on a shared machine the wall time also counts the waits for a core).
   Then (PostgreSQL) clones the last certificate with its application and tasks in SQL until there are
   ``--total`` certificates (bench/certpop.py), and signs tokens for ``--sample`` of them drawn at random,
   whose rows it reads once, as a live service's scanned certificates would be in memory: read from a cold
   disk, a miss measured this machine's disk (20-30 ms a scan here, the table being 1.8 GB), not the server.
3. Starts ``yiye serve --workers 2`` on that database with ``YIYE_BENCH_ROUTES=true`` and rate limits
   off, and runs wrk (32 connections) in alternating slices against ``GET /v/{token}`` (the public verify
   page, cycling through the tokens), ``GET /api/v1/certificates/verify/{token}``, the page again cycling
   through only ``REMEMBERED`` tokens (every scan a hit in the workers' memory: its rows read, no signature
   check, no derivation, no render) and the bare endpoint ``GET /_bench/bare`` of the same app:
   requests/s, p50 and p99, and the ratio to bare (the issue's target: ≥ 0.5 × bare). The server is
   stopped whatever happens.

The bare endpoint is a sync endpoint, as the issue's reference for compose was: one thread-pool hop per request,
behind the same middlewares (request id, security headers, error guard, body size cap, rate-limit headers, the
session, which a request without a cookie does not load), answering a verify answer's JSON bytes, so both put as
much on the wire. What verify does beyond it is its own: the token read, its share of one statement, and on a miss
the signature check, the derivation, the JSON or the page. Its hop is its own too: the scans that arrive while the
worker's scan thread is busy cross to it, and back, in one batch (``service/batches.py``), their records read in one
statement. ``bare, async`` (the same bytes from an ``async def`` endpoint, no hop at all) is printed for reference.
The rate limit is off here (it would answer 429): counting in Redis is one more round trip per scan. Cycling 10,010
tokens through each worker's ``YIYE_VERIFY_CACHE_MB`` (64 MB by default) makes nearly every scan a miss, as scans
spread over a million certificates would be.

A scan's records are read by index (service/certs/verify.py), so its cost hardly moves from 40 to 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.certpop import multiply, pg_schema, sample  # noqa: E402
from bench.certpop import warm as read_rows  # noqa: E402
from bench.cputime import Meter  # noqa: E402
from certificates import qr  # noqa: E402
from certificates.face import ISSUER_LOCATION, CertificateFace  # noqa: E402
from certificates.render import render_pdf  # noqa: E402
from composer import Composer  # noqa: E402
from service import db  # noqa: E402
from service.certs.documents import warm  # noqa: E402
from service.certs.keys import seal, signing_ring  # noqa: E402
from service.certs.lifecycle import issue  # noqa: E402
from service.certs.models import Certificate  # noqa: E402
from service.certs.verify import verify  # noqa: E402
from service.workflow.models import PermitTask  # noqa: E402
from service.workflow.review import Decision, decide  # noqa: E402
from service.workflow.roles import Role  # noqa: E402
from service.workflow.storage import LocalFileStore  # noqa: E402
from service.workflow.submit import submit  # noqa: E402
from service.workflow.window import accept  # noqa: E402
from tests.service.svcutil import server_process  # noqa: E402
from tests.service.wfcase import SIGNED, add_user, stored_draft, uploads  # noqa: E402

PACKS = ROOT / "tests" / "fixtures" / "packs"
MONDAY = date(2026, 12, 7)
PUBLIC_URL = "http://127.0.0.1"
REMEMBERED = 100
"""Tokens the hits workload cycles through: few enough that every worker remembers them all."""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def seed(url: str, work: Path, count: int, cpu: list[float] | None = None) -> tuple[list[float], list[float], list[str]]:
    """``count`` certificates issued: (issue seconds, PDF seconds, tokens)."""
    composer = Composer.load("mini", PACKS)
    engine = db.make_engine(url)
    store = LocalFileStore(work / "files")
    issue_s, pdf_s, tokens = [], [], []
    warm()  # as each worker does as it starts (service/app.py), so the first certificate is timed as served
    with Session(engine, expire_on_commit=False) as session:
        clerk, _ = add_user(session, Role.clerk)
        reviewers = {d: add_user(session, Role.reviewer, d)[0] for d in ("market", "fire", "police")}
        for _ in range(count):
            applicant, _ = add_user(session, Role.applicant)
            draft = stored_draft(session, composer, applicant)
            application = submit(
                session, actor=applicant, draft_id=draft.id, composer=composer, store=store, uploads=uploads(), signed=SIGNED
            ).application
            accept(session, actor=clerk, application_id=application.id, version=application.version, today=MONDAY)
            for permit in ("fire_check", "food_business", "hotel_trade"):
                task = session.exec(
                    select(PermitTask).where(PermitTask.application_id == application.id, PermitTask.permit == permit)
                ).one()
                session.refresh(task)
                decide(
                    session,
                    actor=reviewers[task.department],
                    task_id=task.id,
                    decision=Decision.approve,
                    version=task.version,
                    today=MONDAY,
                )
            started, started_cpu = time.perf_counter(), time.process_time()
            certificate = issue(
                session, actor=clerk, application_id=application.id, composer=composer, keys_dir=work / "keys", today=MONDAY
            )
            token = signing_ring(session, work / "keys").sign(certificate.id, certificate.version)
            issued = time.perf_counter()
            face = CertificateFace.model_validate(certificate.face)
            pdf = render_pdf(face, qr.verify_url(PUBLIC_URL, token))
            seal(work / "keys", test_ca=True).sign(pdf, face.title.zh, ISSUER_LOCATION)
            issue_s.append(issued - started)
            pdf_s.append(time.perf_counter() - issued)
            if cpu is not None:
                cpu.append(time.process_time() - started_cpu)
            tokens.append(token)
        # the bare endpoint answers with a verify answer's own bytes, so both put as much on the wire
        (work / "bare.json").write_text(verify(session, tokens[-1], MONDAY).model_dump_json())
    engine.dispose()
    return issue_s, pdf_s, tokens


@contextmanager
def serving_verify(url: str, work: Path, api_key: str) -> Iterator[tuple[int, int]]:
    """``yiye serve --workers 2`` on the seeded database, bench routes on and rate limits off; its port and pid."""
    env = {
        "PYTHONPATH": str(ROOT),
        "YIYE_DATABASE_URL": url,
        "YIYE_PACKS_DIR": str(PACKS),
        "YIYE_DEFAULT_PACK": "mini",
        "YIYE_KEYS_DIR": str(work / "keys"),
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_BENCH_ROUTES": "true",
        "YIYE_BENCH_BARE_BODY": str(work / "bare.json"),
        "YIYE_API_KEYS": f'["{api_key}"]',
        "YIYE_LOG_LEVEL": "WARNING",
    }
    with server_process(["--workers", "2"], env, "/readyz", work / "server.log") as (base, process):
        yield int(base.rsplit(":", 1)[1]), process.pid


LUA = """
local paths = {}
local api_key = "%s"
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["X-API-Key"] = api_key})
end
"""


def wrk(port: int, script: Path, seconds: float) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, requests); any non-2xx answer or unanswered request fails the run.

    wrk's own timeout (2 s) counted every request in flight as unanswered when wrk itself waited that long for
    a core on the shared machine (a 5 s slice that took 7.4 s): a request is unanswered after 10 s here.
    """
    done = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds:g}s", "--timeout", "10s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        check=True,
    )
    if "Non-2xx" in done.stdout or "Socket errors" in done.stdout or "Requests/sec:" not in done.stdout:
        raise SystemExit(f"wrk saw errors ({script.stem}):\n{done.stdout}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", done.stdout).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    requests = int(re.search(r"(\d+) requests in", done.stdout).group(1))  # type: ignore[union-attr]
    return rate, ms("50%"), ms("99%"), requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--certificates", type=int, default=40, help="issued through the real workflow, timed")
    parser.add_argument("--total", type=int, default=1_000_000, help="certificates in the database (PostgreSQL)")
    parser.add_argument("--sample", type=int, default=10_000, help="certificates whose tokens wrk cycles through")
    parser.add_argument("--seconds", type=float, default=10.0, help="per workload, in two slices each")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL (no cloning)")
    parser.add_argument("--schema", default="bench_verify", help="the PostgreSQL schema (dropped afterwards unless --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema for the next run")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.certificates, args.total, args.sample, args.seconds = 10, 10_000, 1_000, 4.0
    with tempfile.TemporaryDirectory() as tmp, _database(args, Path(tmp)) as url:
        work = Path(tmp)
        db.upgrade(url)
        cpu: list[float] = []
        issue_s, pdf_s, tokens = seed(url, work, args.certificates, cpu)
        total = [a + b for a, b in zip(issue_s, pdf_s, strict=True)]
        backend = "SQLite" if args.sqlite else "PostgreSQL"
        print(f"issue, {len(total)} certificates ({backend})       p50        p99")
        steps = (("records + token signature", issue_s), ("PDF + QR + PAdES signature", pdf_s), ("both", total))
        for label, values in (*steps, ("both, CPU time of this process", cpu)):
            print(f"  {label:<36}{percentile(values, 0.5) * 1000:7.1f} ms {percentile(values, 0.99) * 1000:7.1f} ms")
        if not args.sqlite:
            engine = db.make_engine(url)
            started = time.perf_counter()
            added = multiply(engine, _last_certificate(engine), args.total)
            print(f"\ncloned {added:,} certificates in {time.perf_counter() - started:.0f} s; {args.total:,} in all")
            with Session(engine) as session:
                ring = signing_ring(session, work / "keys")
            drawn = sample(engine, args.sample)
            tokens += [ring.sign(cid, version) for cid, version in drawn]
            started = time.perf_counter()
            read_rows(engine, [cid for cid, _ in drawn])
            print(f"read the sample's rows once in {time.perf_counter() - started:.0f} s")
            engine.dispose()
        run_http(url, work, tokens, args.seconds)


@contextmanager
def _database(args: argparse.Namespace, work: Path) -> Iterator[str]:
    if args.sqlite:
        yield f"sqlite:///{work / 'yiye.db'}"
        return
    with pg_schema(args.schema, args.keep) as url:
        yield url


def _last_certificate(engine: Engine) -> uuid.UUID:
    with Session(engine) as session:
        return session.exec(select(Certificate.id).order_by(col(Certificate.issued_at).desc()).limit(1)).one()


def run_http(url: str, work: Path, tokens: list[str], seconds: float) -> None:
    """wrk against the verify page, its JSON and the bare endpoint, in alternating slices; the figures printed."""
    api_key = uuid.uuid4().hex
    workloads = {
        "bare": ["/_bench/bare"],
        "bare, async": ["/_bench/bare-async"],
        "verify page": [f"/v/{t}" for t in tokens],
        "verify JSON": [f"/api/v1/certificates/verify/{t}" for t in tokens],
        "page, hits": [f"/v/{t}" for t in tokens[-REMEMBERED:]],
    }
    scripts = {}
    for name, paths in workloads.items():
        listing = work / f"{name.replace(' ', '_')}.txt"
        listing.write_text("\n".join(paths) + "\n")
        scripts[name] = work / f"{name.replace(' ', '_')}.lua"
        scripts[name].write_text(LUA % (api_key, listing))
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in workloads}
    cpu: dict[str, list[tuple[float, float, int]]] = {name: [] for name in workloads}
    with serving_verify(url, work, api_key) as (port, pid):
        for name, paths in workloads.items():
            answer = httpx.get(f"http://127.0.0.1:{port}{paths[-1]}", headers={"X-API-Key": api_key})
            if answer.status_code != 200:
                raise SystemExit(f"{name}: {paths[-1]} answered {answer.status_code}: {answer.text[:300]}")
            wrk(port, scripts[name], 1)  # warm-up
        meter = Meter(pid)
        for _ in range(2):
            for name in workloads:
                with meter.slice() as spent:
                    rate, p50, p99, requests = wrk(port, scripts[name], seconds / 2)
                figures[name].append((rate, p50, p99))
                cpu[name].append((spent.server, spent.database, requests))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nverify over HTTP: yiye serve --workers 2, wrk 32 connections, {len(tokens):,} tokens; load average {load}")
    print("  CPU per request: the server's processes, and the PostgreSQL backends serving them\n")
    bare = statistics.fmean(r for r, _, _ in figures["bare"])
    for name, runs in figures.items():
        rate = statistics.fmean(r for r, _, _ in runs)
        p50 = statistics.fmean(p for _, p, _ in runs)
        p99 = max(p for _, _, p in runs)
        served = sum(n for _, _, n in cpu[name])
        server, database = (sum(c[i] for c in cpu[name]) / served * 1000 for i in (0, 1))
        print(
            f"  {name:<14}{rate:9.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  {rate / bare:5.2f} × bare"
            f"  CPU {server:5.2f} + {database:4.2f} ms"
        )


if __name__ == "__main__":
    main()
