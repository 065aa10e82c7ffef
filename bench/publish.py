"""Publish → every worker serving the new version, with the default release check (once a second).

    .venv/bin/python bench/publish.py          # five publications to two workers on the real packs (target ≤ 5 s)

Two app instances (workers) share a SQLite database and a copy of the packs; each publication shortens a time limit
by a day. Publishing re-runs the pack's checks and scenarios before it commits; the clock starts before that. The
baseline is one reload of the packs in the same run: the least a worker can take to serve new rules.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from rules import packs  # noqa: E402
from service import db  # noqa: E402
from service.app import create_app  # noqa: E402
from service.db import make_engine  # noqa: E402
from service.models import User  # noqa: E402
from service.policy import desk  # noqa: E402
from service.registry import PackRegistry  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.workflow.roles import Role  # noqa: E402

PACK = "beijing-dongcheng"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="yiye-bench-publish-") as tmp:
        root = Path(tmp) / "packs"
        shutil.copytree(packs.PACKS_DIR, root)
        url = f"sqlite:///{tmp}/yiye.db"
        db.upgrade(url)
        settings = Settings(  # type: ignore[call-arg]
            env="testing", database_url=url, packs_dir=root, default_pack=PACK, rate_limit_enabled=False, secret_key="x" * 32
        )
        started = time.perf_counter()
        PackRegistry(root).load_all()
        reload_s = time.perf_counter() - started
        engine = make_engine(url)
        waits, after_commit = [], []
        with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two, Session(engine) as session:
            author = User(email="author@example.com", password_hash="x", role=Role.policy_author)
            approver = User(email="approver@example.com", password_hash="x", role=Role.policy_approver)
            session.add_all([author, approver])
            session.commit()
            for days in range(9, 4, -1):
                change_set = desk.open_change_set(session, author, title=f"{days}天", reason="bench", pack_id=PACK, root=root)
                desk.save_permit(session, change_set, author, "food_business", {"time_limit.statutory.days": str(days)}, root)
                desk.submit(session, change_set, author, root)
                desk.approve(session, change_set, approver, date.today(), date.today())
                before = one.get(f"/api/v1/packs/{PACK}").headers["X-Pack-Version"]
                published = time.perf_counter()
                desk.publish(session, change_set, approver, root, date.today())
                committed = time.perf_counter()
                while any(c.get(f"/api/v1/packs/{PACK}").headers["X-Pack-Version"] == before for c in (one, two)):
                    time.sleep(0.02)
                waits.append(time.perf_counter() - published)
                after_commit.append(time.perf_counter() - committed)
        engine.dispose()
    print(f"baseline, one reload of every pack: {reload_s:.2f} s")
    print(f"publish → both workers serve it: median {statistics.median(waits):.2f} s, max {max(waits):.2f} s (target ≤ 5 s)")
    print(f"  of which after the commit: median {statistics.median(after_commit):.2f} s, max {max(after_commit):.2f} s")
    print(f"after the commit, median vs one reload: {statistics.median(after_commit) / reload_s:.2f}×")


if __name__ == "__main__":
    main()
