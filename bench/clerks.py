"""Concurrent clerks and reviewers: 32 connections accepting and deciding for 30 s against ``yiye serve --workers 2``.

    .venv/bin/python bench/clerks.py                       # 600 submitted applications, 30 s
    .venv/bin/python bench/clerks.py --applications 200 --seconds 10

1. Makes a PostgreSQL database ``wfbench_clerks`` (dropped and made again each run) and submits
   ``--applications`` applications of the test suite's shop-and-hotel case (``mini`` fixture pack: food
   on commitment, fire, and the hotel permit waiting on fire) through the service, in-process.
2. Starts ``yiye serve --workers 2`` on it. Half the connections are window clerks signed in on the
   pages: each opens a random application of the ones still waiting (so two clerks often pick the
   same one), reads its version, and posts 受理. The other half are the three departments' own systems
   on the API (``X-API-Key``, ``Idempotency-Key``): each lists its pending tasks, picks one of the
   first few at random and approves it with the version it read.
3. Counts what the server acknowledged (303 for an acceptance, 200 for a decision), refusals of a
   lost race (409, correct), and anything else (a 5xx is a failure). Throughput is acknowledged
   actions per second; the baseline is wrk on 32 connections fetching the app's ``/_bench/bare`` for 5 s.
4. Checks the database against the acknowledgements: every acknowledged acceptance and decision is
   there exactly once (one audit event each, nothing accepted or decided that was not acknowledged,
   every decision counted once in the dashboards' tally), and ``yiye audit verify`` finds the chain intact.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from sqlmodel import Session, col, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import p50_p99  # noqa: E402
from bench.verify import PACKS, serving_verify, wrk  # noqa: E402
from composer import Composer  # noqa: E402
from service import db  # noqa: E402
from service.models import User  # noqa: E402
from service.workflow.models import Application, AuditEvent, DecisionTally, IntegratorKey, PermitTask  # noqa: E402
from service.workflow.roles import Role  # noqa: E402
from service.workflow.storage import LocalFileStore, Upload  # noqa: E402
from service.workflow.submit import submit  # noqa: E402
from tests.service.wfcase import CASE, PDF, PNG, stored_draft  # noqa: E402
from tests.service.window.deskutil import PASSWORD, account  # noqa: E402

ADMIN = os.environ.get("YIYE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
DATABASE = "wfbench_clerks"
DEPARTMENTS = ("market", "fire", "police")
FIELD = re.compile(r'name="(csrf_token|version)" value="([^"]+)"')


@dataclass
class Tally:
    accepted: set[str] = field(default_factory=set)
    decided: set[str] = field(default_factory=set)
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)


def seed(url: str, work: Path, count: int) -> tuple[str, dict[str, str], list[str]]:
    """(the clerk's login, an API key per department, the submitted applications' ids)."""
    composer = Composer.load("mini", PACKS)
    store = LocalFileStore(work / "files")
    engine = db.make_engine(url)
    keys = {}
    with Session(engine, expire_on_commit=False) as session:
        clerk = account(session, Role.clerk)
        applicant = account(session, Role.applicant)
        for department in DEPARTMENTS:
            login = f"{department}-system@example.com"
            system = User(email=login, password_hash="x", role=Role.integrator, department=department)
            session.add(system)
            session.flush()
            keys[department] = "wfbench-" + uuid.uuid4().hex
            session.add(IntegratorKey(key_sha256=hashlib.sha256(keys[department].encode()).hexdigest(), user_id=system.id))
        session.commit()
        ids = []
        for n in range(count):
            files = [Upload("floor_plan", "平面图.pdf", PDF + b"%" + str(n).encode()), Upload("fire_rules", "消防制度.png", PNG)]
            made = stored_draft(session, composer, applicant.user, CASE)
            done = submit(
                session, actor=applicant.user, draft_id=made.id, composer=composer, store=store, uploads=files, signed=CASE.commit
            )
            ids.append(str(done.application.id))
    engine.dispose()
    return clerk.login, keys, ids


async def signed_in(base: str, login: str) -> httpx.Cookies:
    """A clerk's session cookie, signed in on the pages before the clock starts (a password hash takes a while)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = await client.get("/sign-in")
        token = dict(FIELD.findall(page.text))["csrf_token"]
        answer = await client.post("/sign-in", data={"csrf_token": token, "login": login, "password": PASSWORD, "next": ""})
        assert answer.status_code == 303, answer.text
        return client.cookies


async def clerk(base: str, cookies: httpx.Cookies, waiting: list[str], tally: Tally, until: float) -> None:
    """Open a waiting application, read its version, post 受理; again until the time is up or none waits."""
    # A fresh connection: one left idle while the others signed in may have been closed by the server.
    async with httpx.AsyncClient(base_url=base, timeout=30, cookies=cookies) as client:
        while time.monotonic() < until and waiting:
            application = random.choice(waiting[:8])  # near the head of the queue, as clerks are: races happen
            desk = f"/window/applications/{application}"
            fields = dict(FIELD.findall((await client.get(desk)).text))
            if "version" not in fields:  # accepted meanwhile: the page has no accept form any more
                _drop(waiting, application)
                continue
            started = time.monotonic()
            answer = await client.post(f"{desk}/accept", data=fields)
            tally.latencies.append(time.monotonic() - started)
            tally.statuses[f"accept {answer.status_code}"] += 1
            if answer.status_code == 303:
                tally.accepted.add(application)
                _drop(waiting, application)


async def department(base: str, key: str, tally: Tally, until: float) -> None:
    """List the department's pending tasks, approve one of the first few with the version read; again."""
    headers = {"X-API-Key": key}
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as client:
        while time.monotonic() < until:
            listed = await client.get("/api/v1/tasks")
            tally.statuses[f"list {listed.status_code}"] += 1
            tasks = listed.json().get("tasks", []) if listed.status_code == 200 else []
            if not tasks:
                await asyncio.sleep(0.05)
                continue
            task = random.choice(tasks[:4])
            started = time.monotonic()
            answer = await client.post(
                f"/api/v1/tasks/{task['id']}/decision",
                json={"decision": "approve", "version": task["version"]},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            tally.latencies.append(time.monotonic() - started)
            tally.statuses[f"decide {answer.status_code}"] += 1
            if answer.status_code == 200:
                tally.decided.add(task["id"])


def _drop(waiting: list[str], application: str) -> None:
    if application in waiting:
        waiting.remove(application)


def bare_rate(port: int, work: Path, seconds: float) -> float:
    """Requests per second wrk gets from the app's bare endpoint (32 connections): the server's own pace."""
    script = work / "bare.lua"
    script.write_text('request = function() return wrk.format("GET", "/_bench/bare") end\n')
    return wrk(port, script, seconds)[0]  # 32 connections, as bench/verify.py runs it


async def run(base: str, login: str, keys: dict[str, str], waiting: list[str], connections: int, seconds: float) -> Tally:
    tally = Tally()
    sessions = await asyncio.gather(*(signed_in(base, login) for _ in range(connections // 2)))
    until = time.monotonic() + seconds
    clerks = [clerk(base, cookies, waiting, tally, until) for cookies in sessions]
    systems = [department(base, keys[DEPARTMENTS[n % 3]], tally, until) for n in range(connections - connections // 2)]
    await asyncio.gather(*clerks, *systems)
    return tally


def check(url: str, tally: Tally) -> list[str]:
    """What the database holds that the acknowledgements do not account for (empty when nothing was lost)."""
    engine = db.make_engine(url)
    problems = []
    with Session(engine) as session:
        accepted = {str(a) for a in session.exec(select(Application.id).where(Application.status != "submitted"))}
        if accepted != tally.accepted:
            problems.append(f"accepted in the database {len(accepted)}, acknowledged {len(tally.accepted)}")
        decided = {str(t) for t in session.exec(select(PermitTask.id).where(col(PermitTask.decided_at).is_not(None)))}
        if decided != tally.decided:
            problems.append(f"decided in the database {len(decided)}, acknowledged {len(tally.decided)}")
        counted = session.exec(select(func.sum(DecisionTally.decided))).one() or 0
        if counted != len(decided):
            problems.append(f"decisions in the dashboards' tally {counted}, in the tasks {len(decided)}")
        for action, expected in (("accept", len(accepted)), ("approve", len(decided))):
            per_subject = select(AuditEvent.subject_id, func.count()).where(AuditEvent.action == action)
            events = session.exec(per_subject.group_by(col(AuditEvent.subject_id))).all()
            if len(events) != expected or any(n != 1 for _, n in events):
                problems.append(f"'{action}' audit events: {len(events)} subjects for {expected}, some more than once")
    engine.dispose()
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=600)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()

    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{DATABASE}"
    db.upgrade(url)
    with tempfile.TemporaryDirectory(prefix="wfbench-clerks-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        login, keys, waiting = seed(url, work, args.applications)
        print(f"seeded {len(waiting)} submitted applications in {time.perf_counter() - started:.0f} s")
        (work / "bare.json").write_text("{}")  # serving_verify() turns the bench routes on, which want a body
        with serving_verify(url, work, api_key="wfbench-" + uuid.uuid4().hex) as (port, _):
            base = f"http://127.0.0.1:{port}"
            bare_rate(port, work, 2.0)  # warm-up: each worker loads its packs on first use
            bare = bare_rate(port, work, 5.0)
            tally = asyncio.run(run(base, login, keys, waiting, args.connections, args.seconds))
        verified = subprocess.run(
            [str(Path(sys.executable).parent / "yiye"), "audit", "verify", "--database-url", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )

    acknowledged = len(tally.accepted) + len(tally.decided)
    rate = acknowledged / args.seconds
    p50, p99 = p50_p99(tally.latencies) if tally.latencies else (0.0, 0.0)
    errors = sum(n for status, n in tally.statuses.items() if status.split()[1].startswith("5"))
    unexpected = {s: n for s, n in tally.statuses.items() if not s.endswith((" 200", " 303", " 409"))}
    print(f"\n{args.connections} connections for {args.seconds:g} s against yiye serve --workers 2 on PostgreSQL:")
    print(f"  acknowledged: {len(tally.accepted)} acceptances (受理), {len(tally.decided)} decisions — {rate:.1f} actions/s")
    print(f"  baseline: wrk GET /_bench/bare, 32 connections: {bare:.1f} requests/s (actions ×{rate / bare:.3f})")
    print(f"  latency of a write (accept or decide): p50 {p50:.1f} ms  p99 {p99:.1f} ms")
    print(f"  answers: {dict(sorted(tally.statuses.items()))}")
    print(f"  lost races answered 409: {sum(n for s, n in tally.statuses.items() if s.endswith(' 409'))}")
    print(f"  server errors (5xx): {errors}; other unexpected answers: {unexpected or 'none'}")
    lost = check(url, tally)
    print(f"  lost or doubled updates: {len(lost)}{' — ' + '; '.join(lost) if lost else ''}")
    print(f"  yiye audit verify: exit {verified.returncode}: {(verified.stdout + verified.stderr).strip()}")
    if errors or unexpected or lost or verified.returncode:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
