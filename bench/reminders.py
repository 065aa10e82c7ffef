"""The extension reminders at scale: finding the certificates near a term's end, before and after the indexed column.

    .venv/bin/python bench/reminders.py --schema bench_verify --keep     # reuse bench/verify.py's kept 1,000,000
    .venv/bin/python bench/reminders.py --quick                          # 100,000

In a schema of its own in the PostgreSQL at ``YIYE_TEST_PG``: one certificate issued through the real workflow and
cloned in SQL to ``--total`` (bench/certpop.py); each version's earliest term (``expires_on``) is then spread evenly
over the next five years, as terms of five-year permits issued day after day would be. Printed, each the median of
``--runs``: the query the reminders ran before (every version in force, read whole and judged one by one in Python),
the query they run now (``reminders.due_for_extension``: the versions in force whose earliest term ends within 90
days, through the partial index on ``expires_on``), its plan, and one whole pass of ``remind_extensions`` (the live
states of each due certificate read and its reminder owed in the outbox), rolled back.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, text
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.certpop import multiply, pg_schema  # noqa: E402
from bench.verify import seed  # noqa: E402
from service import db  # noqa: E402
from service.certs.models import Certificate  # noqa: E402
from service.jobs import reminders  # noqa: E402


def timed(runs: int, work: Callable[[], int]) -> tuple[float, int]:
    """Median seconds of ``runs`` calls of ``work`` (returning a count), and the count."""
    seconds, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        count = work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 certificates")
    parser.add_argument("--total", type=int, default=1_000_000, help="certificates in the schema")
    parser.add_argument("--schema", default="bench_reminders", help="e.g. bench_verify, kept by bench/verify.py --keep")
    parser.add_argument("--keep", action="store_true", help="keep the schema for the next run")
    parser.add_argument("--runs", type=int, default=3, help="of each query; the median is printed")
    args = parser.parse_args()
    args.total = 100_000 if args.quick else args.total
    today = date.today()
    with tempfile.TemporaryDirectory() as tmp, pg_schema(args.schema, args.keep) as url:
        db.upgrade(url)
        engine = db.make_engine(url)
        with Session(engine) as session:
            template = session.exec(select(Certificate.id).order_by(col(Certificate.issued_at).desc()).limit(1)).first()
        if template is None:
            seed(url, Path(tmp), 1)
            with Session(engine) as session:
                template = session.exec(select(Certificate.id).limit(1)).one()
        multiply(engine, template, args.total)
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE certificate SET expires_on = CAST(:today AS date) + (random() * 5 * 365)::int"), {"today": today}
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE certificate"))
        in_force = col(Certificate.superseded_at).is_(None), col(Certificate.recovered_at).is_(None)
        with Session(engine) as session:

            def every_one_in_force() -> int:
                found = len(session.exec(select(Certificate).where(*in_force)).all())
                session.expunge_all()
                return found

            def due() -> int:
                found = len(reminders.due_for_extension(session, today))
                session.expunge_all()
                return found

            before, after = timed(args.runs, every_one_in_force), timed(args.runs, due)
            plan = session.execute(text("EXPLAIN " + _sql(reminders.due_query(today)))).scalars().all()
            started = time.perf_counter()
            owed = reminders.remind_extensions(session, today)
            whole = time.perf_counter() - started
            session.rollback()
        print(f"extension reminders, {args.total:,} certificates, earliest terms spread over five years")
        print(f"  before: every version in force read   {before[0] * 1000:9.1f} ms  {before[1]:>9,} rows, each judged in Python")
        print(f"  after:  due within 90 days, by index  {after[0] * 1000:9.1f} ms  {after[1]:>9,} rows")
        print(f"  a whole pass now (live states read, reminders owed): {whole:.1f} s, {owed:,} reminders")
        print("  plan: " + "\n        ".join(plan))
        engine.dispose()


def _sql(query: Select[Any]) -> str:
    return str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


if __name__ == "__main__":
    main()
