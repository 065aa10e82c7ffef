"""The status list: regenerating it for 1,000,000 certificates — time and size — beside a bare scan of the same table.

    .venv/bin/python bench/statuslist.py                 # 1,000,000 certificates, 1 % void, 5 regenerations
    .venv/bin/python bench/statuslist.py --quick         # 100,000

In a schema of its own in the PostgreSQL at ``YIYE_TEST_PG``: one certificate issued through the real workflow,
cloned in SQL to ``--total`` (bench/certpop.py), ``--void`` of them marked recovered (收回) and as many superseded.
Then ``service.certs.statuslist.regenerate`` (the query of ended versions, the bits, GZIP, the Ed25519 JWS, the
stored row) runs ``--runs`` times; its median is printed against the median of a bare ``SELECT count(*)`` over
the whole table, measured in the same run: the floor of any regeneration that reads the records.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.certpop import multiply, pg_schema  # noqa: E402
from bench.verify import seed  # noqa: E402
from certificates import statuslist  # noqa: E402
from service import db  # noqa: E402
from service.certs.models import Certificate  # noqa: E402
from service.certs.statuslist import regenerate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--void", type=float, default=0.01, help="share of certificates recovered, and as many superseded")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--schema", default="bench_statuslist")
    parser.add_argument("--keep", action="store_true", help="keep the schema (and its certificates) for the next run")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.total, args.runs = 100_000, 3
    with tempfile.TemporaryDirectory() as tmp, pg_schema(args.schema, args.keep) as url:
        work = Path(tmp)
        db.upgrade(url)
        seed(url, work, 1)
        engine = db.make_engine(url)
        with Session(engine) as session:
            template = session.exec(select(Certificate.id).order_by(col(Certificate.issued_at).desc()).limit(1)).one()
        started = time.perf_counter()
        added = multiply(engine, template, args.total)
        print(f"cloned {added:,} certificates in {time.perf_counter() - started:.0f} s")
        with engine.begin() as connection:
            connection.execute(text("UPDATE certificate SET recovered_at = NULL, superseded_at = NULL"))
            connection.execute(text("UPDATE certificate SET recovered_at = now() WHERE random() < :p"), {"p": args.void})
            connection.execute(text("UPDATE certificate SET superseded_at = now() WHERE random() < :p"), {"p": args.void})
            count = connection.execute(text("SELECT count(*) FROM certificate")).scalar_one()
            ended = connection.execute(
                text("SELECT count(*) FROM certificate WHERE recovered_at IS NOT NULL OR superseded_at IS NOT NULL")
            ).scalar_one()
            connection.execute(text("ANALYZE certificate"))
        bare, regenerations = [], []
        jws = ""
        for _ in range(args.runs):
            with engine.connect() as connection:
                started = time.perf_counter()
                connection.execute(text("SELECT count(*) FROM certificate")).scalar_one()
                bare.append(time.perf_counter() - started)
            with Session(engine) as session:
                started = time.perf_counter()
                jws = regenerate(session, work / "keys", "https://yiye.example.gov.cn").jws
                session.commit()
                regenerations.append(time.perf_counter() - started)
        ring_keys = _keys(engine)
        payload = statuslist.verify(jws, ring_keys)
        bits = statuslist.decode(payload["credentialSubject"]["encodedList"])
        set_bits = sum(bin(b).count("1") for b in bits)
        engine.dispose()
    base, regen = statistics.median(bare), statistics.median(regenerations)
    print(f"status list of {count:,} certificates, {ended:,} ended ({set_bits:,} bits set of {len(bits) * 8:,})")
    worst = max(regenerations) * 1000
    print(f"  bare SELECT count(*)        {base * 1000:8.1f} ms  (median of {args.runs})")
    print(f"  regenerate (query+sign+row) {regen * 1000:8.1f} ms  {regen / base:5.2f} × bare   max {worst:.1f} ms")
    encoded = payload["credentialSubject"]["encodedList"]
    print(f"  size: JWS {len(jws):,} B, encodedList {len(encoded):,} B, bitstring {len(bits):,} B uncompressed")


def _keys(engine: object) -> dict[str, object]:
    from service.certs.keys import verifying_ring

    with Session(engine) as session:  # type: ignore[call-overload]
        return dict(verifying_ring(session).public)


if __name__ == "__main__":
    main()
