"""``yiye worker`` publishes an approved change set whose effective date has come, with nobody pressing 发布."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session

from service.compose import today
from service.models import User
from service.policy import desk, repo
from service.policy.models import ChangeSet, ChangeSetStatus
from service.workflow.roles import Role
from tests.service.svcutil import ROOT, stop


def _person(session: Session, role: Role) -> User:
    user = User(email=f"{role}@example.com", password_hash="x", role=role)
    session.add(user)
    session.commit()
    return user


def test_the_worker_publishes_a_change_set_approved_for_today(
    session: Session, db_url: str, packs_copy: Path, tmp_path: Path
) -> None:
    author, approver = _person(session, Role.policy_author), _person(session, Role.policy_approver)
    change_set = desk.open_change_set(session, author, title="按期生效", reason="试行", pack_id="mini", root=packs_copy)
    desk.save_permit(session, change_set, author, "food_business", {"time_limit.statutory.days": "16"}, packs_copy)
    desk.submit(session, change_set, author, packs_copy)
    desk.approve(session, change_set, approver, today(), today())
    before = repo.head(packs_copy)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "YIYE_DATABASE_URL": db_url,
        "YIYE_PACKS_DIR": str(packs_copy),
        "YIYE_JOBS_PATH": str(tmp_path / "jobs.db"),
        "YIYE_LOG_JSON": "false",
    }
    log = tmp_path / "worker.log"
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-c", "from service.cli import app; app()", "worker"],
            cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while session.get(ChangeSet, change_set.id, populate_existing=True).status != ChangeSetStatus.published:  # type: ignore[union-attr]
            assert time.monotonic() < deadline, f"not published; worker log:\n{log.read_text()}"
            time.sleep(0.2)
    finally:
        stop(worker, signal.SIGINT, timeout=20)
    assert repo.head(packs_copy) != before
    assert "days: 16" in (packs_copy / "mini" / "permits.yaml").read_text()
    assert repo.history(packs_copy)[0].approver == approver.email
