"""Task queues and dashboards over 1,000,000 applications in PostgreSQL: p50/p99 per query and its plan.

    .venv/bin/python bench/queues.py              # builds wfbench_1m once (a few minutes), then measures
    .venv/bin/python bench/queues.py --rebuild    # drops and generates it again
    .venv/bin/python bench/queues.py --applications 100000 --database wfbench_100k

1. Creates the database (kept for the next run) and migrates it with Alembic, so it carries exactly the
   indexes of ``0007_queues``; then generates the applications and their permit tasks in a few set-based
   statements (``generate_series``, a working-day calendar computed with ``composer.workdays``): five
   years of a district's work, each application with one to three permits of six departments, those
   accepted in the last 30 days still open (pending, waiting on a dependency, or paused for rectification),
   the rest decided on or after their limit; ``decision_tally`` summed from the decided tasks.
2. Times, through ``service.workflow.queues`` exactly as the pages call it (ORM, one session), p50 and p99
   of: a department's queue (first page, a page 20 deep by keyset), filtered by status and by due date,
   searched by part of an applicant's name and by USCC; the district's queue; a department's and the
   district's dashboard. Baseline: an application fetched by primary key through the same session.
   Target p99 ≤ 50 ms each.
3. Prints ``EXPLAIN (ANALYZE, BUFFERS)`` of each query as the service sent it, to show the index used.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import psycopg
from sqlalchemy import Engine, event
from sqlmodel import Session, select

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.timing import p50_p99, report, timed  # noqa: E402
from composer.workdays import is_working_day  # noqa: E402
from service import db  # noqa: E402
from service.models import User  # noqa: E402
from service.workflow import queues  # noqa: E402
from service.workflow.clock import DUE_SOON  # noqa: E402
from service.workflow.models import Application  # noqa: E402
from service.workflow.roles import Role  # noqa: E402

ADMIN = os.environ.get("YIYE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
TODAY = date(2026, 12, 4)  # a Friday: fixed, so the figures do not move with the calendar
YEARS = 5
OPEN_DAYS = 30
TARGET_MS = 50.0
PERMITS = [
    ("food_business", "食品经营许可", "market", 20),
    ("fire_check", "公众聚集场所投入使用、营业前消防安全检查", "fire", 10),
    ("hotel_trade", "特种行业许可证（旅馆业）", "police", 20),
    ("health_permit", "公共场所卫生许可", "health", 20),
    ("tobacco_retail", "烟草专卖零售许可", "tobacco", 15),
    ("entertainment", "娱乐场所经营许可", "culture", 20),
]
DEPARTMENTS = [p[2] for p in PERMITS]
PLACES = ["东城", "安定门", "和平里", "朝阳门", "建国门", "东直门", "景山", "交道口"]
WORDS = ["示例", "华夏", "同仁", "红星", "长安", "新世纪", "金桥", "万和"]
KINDS = ["旅店", "餐厅", "超市", "咖啡馆", "便利店", "酒店"]


def _sql_array(items: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{w}'" for w in items) + "]"


def name_of(i: int) -> str:
    """The applicant name the generator gives application ``i`` (as the SQL below spells it)."""
    return f"北京{PLACES[i % 8]}{WORDS[(i // 8) % 8]}{i}号{KINDS[i % 6]}有限公司"


def uscc_of(i: int) -> str:
    return f"91110101{i:09d}6"


def day_of(i: int, n: int) -> date:
    return TODAY - timedelta(days=(n - i) * YEARS * 365 // n)


def _pg(database: str) -> str:
    return ADMIN.rsplit("/", 1)[0] + "/" + database


def _calendar() -> tuple[list[tuple[date, int]], list[tuple[int, date]]]:
    """(day, working days up to and including it) and (n, the n-th working day), from five years back to a year ahead."""
    first = TODAY - timedelta(days=YEARS * 365 + 10)
    days, nth, count = [], [], 0
    for k in range((TODAY - first).days + 400):
        day = first + timedelta(days=k)
        if is_working_day(day):
            count += 1
            nth.append((count, day))
        days.append((day, count))
    return days, nth


def generate(database: str, n: int, rebuild: bool) -> str:
    """The database at ``database`` with ``n`` generated applications: made once, reused after."""
    done = f"wfbench: {n} applications"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        exists = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if exists and exists[0] == done and not rebuild:
            return _pg(database)
        if exists:
            admin.execute(f'DROP DATABASE "{database}"')
        admin.execute(f'CREATE DATABASE "{database}"')
    url = _pg(database).replace("postgresql://", "postgresql+psycopg://", 1)
    started = time.perf_counter()
    db.upgrade(url)
    days, nth = _calendar()
    soon_share = f"{DUE_SOON.numerator}.0 / {DUE_SOON.denominator}"
    with psycopg.connect(_pg(database)) as conn:
        conn.execute("CREATE TEMP TABLE wd (day date PRIMARY KEY, idx int NOT NULL)")
        conn.execute("CREATE TEMP TABLE nth (idx int PRIMARY KEY, day date NOT NULL)")
        with conn.cursor().copy("COPY wd FROM STDIN") as copy:
            for row in days:
                copy.write_row(row)
        with conn.cursor().copy("COPY nth FROM STDIN") as copy:
            for row in nth:
                copy.write_row(row)
        conn.execute("ANALYZE wd; ANALYZE nth")
        conn.execute("SET maintenance_work_mem = '512MB'")
        # Indexes are built once after the load (a GIN index grown row by row takes many times longer).
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('application', 'permit_task')"
            " AND indexname LIKE 'ix_%%'"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        owner, composition = uuid.uuid4(), uuid.uuid4()
        conn.execute(
            'INSERT INTO "user" (id, email, display_name, password_hash, role, created_at)'
            " VALUES (%s, %s, '', 'x', 'applicant', now())",
            [owner, "wfbench@example.com"],
        )
        conn.execute(
            "INSERT INTO stored_composition (id, pack_id, pack_version, as_of, input, output_sha256, created_at)"
            " VALUES (%s, 'beijing-dongcheng', 'bench', %s, '{}', '', now())",
            [composition, TODAY],
        )
        apps = f"""
            SELECT i, (%(today)s::date - ((%(n)s - i)::bigint * {YEARS * 365} / %(n)s)::int) AS day
            FROM generate_series(1, %(n)s) AS i"""
        params: dict[str, Any] = {"today": TODAY, "n": n, "owner": owner, "open_from": TODAY - timedelta(days=OPEN_DAYS)}
        conn.execute(
            f"""
            INSERT INTO application (id, number, owner_id, channel, pack_id, pack_version, composition_id, composition,
                form_values, commitments, departments, applicant_name, uscc, status, version, submitted_at, accepted_at,
                decided_at)
            SELECT md5('a' || i)::uuid, 'DC-' || to_char(day, 'YYYYMMDD') || '-' || lpad(i::text, 7, '0'), %(owner)s,
                'online', 'beijing-dongcheng', 'bench', '{composition}', '{{}}', '{{}}', '[]', '[]',
                '北京' || ({_sql_array(PLACES)})[i %% 8 + 1] || ({_sql_array(WORDS)})[(i / 8) %% 8 + 1] || i || '号'
                    || ({_sql_array(KINDS)})[i %% 6 + 1] || '有限公司',
                '91110101' || lpad(i::text, 9, '0') || '6',
                CASE WHEN day > %(open_from)s THEN 'in_approval' ELSE 'decided' END, 1,
                day + time '09:00', day + time '10:00',
                CASE WHEN day > %(open_from)s THEN NULL ELSE day + 40 + time '16:00' END
            FROM ({apps}) AS g""",
            params,
        )
        permits = ", ".join(f"({k}, '{p}', '{name}', '{d}', {lim})" for k, (p, name, d, lim) in enumerate(PERMITS))
        conn.execute(
            f"""
            INSERT INTO permit_task (id, application_id, owner_id, permit, permit_name, department, depends_on,
                on_commitment, status, version, limit_days, clock_started_on, paused_days, paused_since, due_on,
                due_soon_on, decided_at, reasons, legal_basis)
            SELECT md5('t' || i || '-' || j)::uuid, md5('a' || i)::uuid, %(owner)s, p.permit, p.name, p.department,
                CASE WHEN p.permit = 'hotel_trade' THEN '["fire_check"]'::jsonb ELSE '[]'::jsonb END, false,
                s.status, 1, p.lim, s.day, 0,
                CASE WHEN s.status = 'rectification_needed' THEN LEAST(s.day + 3, %(today)s::date) END,
                due.day, soon.day,
                CASE WHEN NOT s.open THEN LEAST(decided.day, %(today)s::date - 1) + time '15:00' END, '[]', '[]'
            FROM (
                SELECT g.i, j, g.day, g.day > %(open_from)s AS open, (g.i + 2 * j) %% 6 AS k,
                    CASE WHEN g.day <= %(open_from)s THEN CASE WHEN g.i %% 20 = 0 THEN 'rejected' ELSE 'approved' END
                         WHEN (g.i + 2 * j) %% 6 = 2 AND g.i %% 5 = 0 THEN 'waiting_dependency'
                         WHEN g.i %% 13 = 0 THEN 'rectification_needed'
                         ELSE 'pending' END AS status
                FROM ({apps}) AS g CROSS JOIN generate_series(0, 2) AS j
                WHERE j < 1 + g.i %% 3
            ) AS s
            JOIN (VALUES {permits}) AS p (k, permit, name, department, lim) ON p.k = s.k
            JOIN wd ON wd.day = s.day
            JOIN nth AS due ON due.idx = wd.idx + p.lim
            JOIN nth AS soon ON soon.idx = wd.idx + ceil(p.lim * {soon_share})::int
            JOIN nth AS decided
                ON decided.idx = wd.idx + greatest(1, p.lim * ((s.i::bigint * 7919 + s.j * 104729) %% 120)::int / 100)""",
            params,
        )
        conn.execute(
            """
            INSERT INTO decision_tally (department, permit, permit_name, decided, days, limit_days)
            SELECT t.department, t.permit, max(t.permit_name), count(*),
                sum(greatest(decided.idx - started.idx - t.paused_days, 0)), sum(t.limit_days)
            FROM permit_task AS t
            JOIN wd AS started ON started.day = t.clock_started_on
            JOIN wd AS decided ON decided.day = (t.decided_at AT TIME ZONE 'Asia/Shanghai')::date
            WHERE t.decided_at IS NOT NULL
            GROUP BY t.department, t.permit"""
        )
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute(f"COMMENT ON DATABASE \"{database}\" IS '{done}'")
        conn.commit()
    with psycopg.connect(_pg(database), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) application")
        conn.execute("VACUUM (ANALYZE) permit_task")
        tasks = conn.execute("SELECT count(*) FROM permit_task").fetchone()
        open_tasks = conn.execute(
            "SELECT count(*) FROM permit_task WHERE status IN ('waiting_dependency', 'pending', 'rectification_needed')"
        ).fetchone()
    assert tasks is not None
    assert open_tasks is not None
    print(f"generated {n:,} applications, {tasks[0]:,} tasks ({open_tasks[0]:,} open) in {time.perf_counter() - started:.0f} s")
    return _pg(database)


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and parameters) the engine sends while the block runs."""
    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def explain(engine: Engine, label: str, call: Callable[[], object]) -> None:
    """Run ``call`` once and print the plan of every statement it sent, as PostgreSQL ran it."""
    with captured(engine) as sent:
        call()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in sent:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
            plan = "\n".join("      " + row[0] for row in cursor.fetchall())
            print(f"\n  — {label}\n{plan}")
        raw.rollback()
    finally:
        raw.close()


def in_postgresql(engine: Engine, call: Callable[[], object], runs: int) -> list[float]:
    """Seconds PostgreSQL itself spends (planning + execution) on the statements ``call`` sends, run ``runs`` times."""
    with captured(engine) as sent:
        call()
    raw = engine.raw_connection()
    took = []
    try:
        cursor = raw.cursor()
        for _ in range(runs):
            total = 0.0
            for statement, parameters in sent:
                cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + statement, parameters)
                plan = cursor.fetchone()[0][0]
                total += plan["Planning Time"] + plan["Execution Time"]
            took.append(total / 1000)
        raw.rollback()
    finally:
        raw.close()
    return took


def staff(role: Role, department: str | None = None) -> User:
    return User(id=uuid.uuid4(), email=f"{role}@example.com", password_hash="x", role=role, department=department)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--database", default="wfbench_1m")
    parser.add_argument("--rebuild", action="store_true", help="drop the database and generate it again")
    parser.add_argument("--runs", type=int, default=200, help="timed calls per query")
    parser.add_argument("--no-plans", action="store_true")
    args = parser.parse_args()
    n = args.applications

    url = generate(args.database, n, args.rebuild).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = db.make_engine(url)
    reviewers = [staff(Role.reviewer, d) for d in DEPARTMENTS]
    supervisor = staff(Role.supervisor)
    first_open = n
    while first_open > 1 and day_of(first_open - 1, n) > TODAY - timedelta(days=OPEN_DAYS):
        first_open -= 1
    open_ids = range(first_open, n + 1)

    def reviewer(i: int) -> User:
        return reviewers[i % len(reviewers)]

    def fresh(call: Callable[[Session, int], object]) -> Callable[[int], object]:
        def run(i: int) -> object:
            with Session(engine) as session:
                return call(session, i)

        return run

    deep: dict[str, str] = {}
    with Session(engine) as session:
        for who in reviewers:
            after: str | None = ""
            for _ in range(20):  # as deep as the queue goes, up to page 21
                deep[str(who.department)] = after or ""
                after = queues.task_queue(session, actor=who, today=TODAY, after=after).next_after
                if after is None:
                    break

    def open_i(i: int) -> int:
        return open_ids[(i * 7919) % len(open_ids)]

    def any_i(i: int) -> int:
        return 1 + (i * 104729) % n

    workloads: list[tuple[str, Callable[[Session, int], object]]] = [
        (
            "baseline: an application by primary key",
            lambda s, i: s.exec(select(Application.number).where(Application.id == uuid.UUID(_md5_uuid(f"a{any_i(i)}")))).one(),
        ),
        ("department queue, first page", lambda s, i: queues.task_queue(s, actor=reviewer(i), today=TODAY)),
        (
            "department queue, page 21 (keyset)",
            lambda s, i: queues.task_queue(s, actor=reviewer(i), today=TODAY, after=deep[str(reviewer(i).department)]),
        ),
        (
            "filter: status 待整改",
            lambda s, i: queues.task_queue(
                s, actor=reviewer(i), today=TODAY, wanted=queues.QueueFilter(status="rectification_needed")
            ),
        ),
        (
            "filter: due within 3 days",
            lambda s, i: queues.task_queue(
                s, actor=reviewer(i), today=TODAY, wanted=queues.QueueFilter(due_by=TODAY + timedelta(days=3))
            ),
        ),
        (
            "search: applicant name, an open case",
            lambda s, i: queues.task_queue(s, actor=reviewer(i), today=TODAY, wanted=queues.QueueFilter(search=f"{open_i(i)}号")),
        ),
        (
            "search: applicant name, any case",
            lambda s, i: queues.task_queue(s, actor=reviewer(i), today=TODAY, wanted=queues.QueueFilter(search=f"{any_i(i)}号")),
        ),
        (
            "search: a common name part (1 in 64)",
            lambda s, i: queues.task_queue(
                s, actor=reviewer(i), today=TODAY, wanted=queues.QueueFilter(search=PLACES[i % 8] + WORDS[i // 8 % 8])
            ),
        ),
        (
            "search: USCC",
            lambda s, i: queues.task_queue(
                s, actor=reviewer(i), today=TODAY, wanted=queues.QueueFilter(search=uscc_of(open_i(i) if i % 2 else any_i(i)))
            ),
        ),
        ("district queue (supervisor), first page", lambda s, i: queues.task_queue(s, actor=supervisor, today=TODAY)),
        (
            "district search: applicant name",
            lambda s, i: queues.task_queue(s, actor=supervisor, today=TODAY, wanted=queues.QueueFilter(search=f"{open_i(i)}号")),
        ),
        ("department dashboard", lambda s, i: queues.dashboard(s, actor=reviewer(i), today=TODAY)),
        ("district dashboard", lambda s, i: queues.dashboard(s, actor=supervisor, today=TODAY)),
    ]

    print(f"\n{n:,} applications, {args.runs} calls each (after 10 warm-up calls), today = {TODAY}.")
    print("Through the service (ORM, a session per call), as a page waits for it:")
    baseline = 0.0
    worst: list[tuple[str, float]] = []
    for label, call in workloads:
        timed(fresh(call), 10)
        seconds = timed(fresh(call), args.runs)
        baseline = baseline or p50_p99(seconds)[0]
        _, p99 = report(label, seconds, baseline, None if label.startswith("baseline") else TARGET_MS)
        worst.append((label, p99))
    over = [label for label, p99 in worst[1:] if p99 > TARGET_MS]
    print(f"\n  every p99 ≤ {TARGET_MS:.0f} ms: {'yes' if not over else 'no — ' + ', '.join(over)}")
    print("\nInside PostgreSQL (planning + execution of the same statements, one parameter set, EXPLAIN ANALYZE TIMING OFF):")
    inside = 0.0
    for label, call in workloads:
        seconds = in_postgresql(engine, lambda call=call: fresh(call)(3), args.runs)
        inside = inside or p50_p99(seconds)[0]
        report(label, seconds, inside, None if label.startswith("baseline") else TARGET_MS)

    with Session(engine) as session:
        figures = queues.dashboard(session, actor=supervisor, today=TODAY)
    print("\n  district dashboard as measured:")
    for line in figures.departments:
        print(
            f"    {line.department:<8} in progress {line.open:6,}  due soon {line.due_soon:5,}  overdue {line.overdue:5,}"
            f"  decided {line.decided:9,}  average {line.average_days} of {line.average_limit} working days"
        )
    if not args.no_plans:
        print("\nPlans (EXPLAIN ANALYZE of the statements the service sent):")
        for label, call in workloads[1:]:
            explain(engine, label, lambda call=call: fresh(call)(3))
    engine.dispose()


def _md5_uuid(text: str) -> str:
    """The id PostgreSQL's ``md5(text)::uuid`` gives."""
    return str(uuid.UUID(hashlib.md5(text.encode()).hexdigest()))


if __name__ == "__main__":
    main()
