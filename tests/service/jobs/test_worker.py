"""``yiye worker`` as a real process: killed mid-batch and restarted, it loses no row and repeats none; it retries a
refusing mail server after its backoff; a row that keeps failing is parked, logged, and shown by ``yiye outbox status``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlmodel import Session, select

from service.jobs import outbox
from service.jobs.models import Notification
from service.workflow.models import Application
from tests.service.jobs.jobcase import Mailbox, accepted, rows
from tests.service.svcutil import ROOT, stop
from tests.service.wfcase import Staff

REDIS_URL = "redis://127.0.0.1:6379/0"
CLI = [sys.executable, "-c", "from service.cli import app; app()"]


@pytest.fixture(params=["sqlite", "redis"])
def queue_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Where the worker keeps its queue: a SQLite file (the embedded default) or Redis."""
    if request.param == "sqlite":
        yield {"YIYE_JOBS_PATH": str(tmp_path / "jobs.db")}
        return
    prefix = f"yiye-test-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    yield {"YIYE_REDIS_URL": REDIS_URL, "YIYE_REDIS_PREFIX": prefix}
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def _env(db_url: str, port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "YIYE_DATABASE_URL": db_url,
        "YIYE_SMTP_HOST": "127.0.0.1",
        "YIYE_SMTP_PORT": str(port),
        "YIYE_LOG_JSON": "false",
        **extra,
    }


@contextmanager
def working(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``yiye worker`` in its own process group, its output in ``log``; stopped with SIGINT (Ctrl-C) at the end."""
    with log.open("ab") as out:
        process = subprocess.Popen([*CLI, "worker"], cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            stop(process, signal.SIGINT, timeout=20)


def _until(check: Callable[[], bool], what: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}; worker log:\n{log.read_text()}")
        time.sleep(0.1)


def test_a_worker_killed_mid_batch_and_restarted_delivers_every_row_and_no_notification_twice(
    session: Session,
    db_url: str,
    queue_env: dict[str, str],
    staff: Staff,
    make_submitted: Callable[[], Application],
    mailbox: tuple[Mailbox, int],
    tmp_path: Path,
) -> None:
    box, port = mailbox
    box.delay = 0.05  # a slow mail server, so the kill lands in the middle of the batch
    _, tasks = accepted(session, staff, make_submitted)
    fire = tasks["fire_check"]
    for n in range(40):
        due = fire.due_on + timedelta(days=n)
        payload = {"task_id": str(fire.id), "standing": "due_soon", "due_on": due.isoformat()}
        outbox.add(session, topic="reminder", key=f"due_soon:{fire.id}:{due.isoformat()}", payload=payload)
    session.commit()
    env = _env(db_url, port, YIYE_OUTBOX_LEASE_SECONDS="2", YIYE_OUTBOX_BATCH="10", **queue_env)
    log = tmp_path / "worker.log"

    with working(env, log) as first:
        _until(lambda: len(box.messages) >= 15, "15 e-mails were sent", log)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    sent_before_restart = len(box.messages)
    assert sent_before_restart < 45, "the worker finished before it was killed"

    with working(env, log):
        _until(lambda: outbox.status(session).pending == 0 and outbox.status(session).delivered > 0, "the outbox is empty", log)

    owed = rows(session)
    assert all(r.delivered_at is not None and r.failed_at is None for r in owed)
    session.expire_all()
    notified = session.exec(select(Notification)).all()
    assert len(notified) == 45  # 40 reminders to the fire reviewer, and the acceptance's five: each exactly once
    assert len({n.key for n in notified}) == 45
    emails = [r for r in owed if r.topic == "email"]
    assert len(emails) == 45
    assert set(box.message_ids()) == {f"<outbox-{r.id}@127.0.0.1>" for r in emails}
    # E-mail is at least once: only a message the server accepted in the instant before the kill can come twice,
    # and it carries the same Message-ID, so a mail client shows it once.
    assert len(box.messages) - len(set(box.message_ids())) <= 1


def test_the_worker_retries_a_refusing_mail_server_after_its_backoff(
    session: Session, db_url: str, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = mailbox
    box.refuse = 2
    outbox.add(session, topic="email", key="email:retry", payload={"to": "a@example.com", "subject": "测试", "body": "正文"})
    session.commit()
    env = _env(db_url, port, YIYE_JOBS_PATH=str(tmp_path / "jobs.db"), YIYE_OUTBOX_BACKOFF_SECONDS="0.3")
    log = tmp_path / "worker.log"
    with working(env, log):
        _until(lambda: len(box.messages) == 1, "the message was accepted", log, timeout=30)
    [row] = rows(session)
    assert (row.attempts, box.refused, row.delivered_at is not None) == (2, 2, True)
    assert log.read_text().count("outbox delivery failed, will retry") == 2


def test_a_row_that_keeps_failing_is_parked_logged_and_shown_by_outbox_status(
    session: Session, db_url: str, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = mailbox
    box.refuse = 10**6
    outbox.add(session, topic="email", key="email:hopeless", payload={"to": "a@example.com", "subject": "测试", "body": "正文"})
    session.commit()
    env = _env(
        db_url, port, YIYE_JOBS_PATH=str(tmp_path / "jobs.db"), YIYE_OUTBOX_BACKOFF_SECONDS="0.2", YIYE_OUTBOX_MAX_ATTEMPTS="3"
    )
    log = tmp_path / "worker.log"
    with working(env, log):
        _until(lambda: bool(outbox.status(session).failed), "the row was parked", log, timeout=30)
    assert box.refused == 3
    assert "outbox row failed for good" in log.read_text()

    shown = subprocess.run([*CLI, "outbox", "status"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 1, shown.stderr
    assert "投递失败 1 条" in shown.stdout
    [row] = rows(session)
    assert f"#{row.id} email email:hopeless：尝试 3 次" in shown.stdout
    assert "451" in shown.stdout

    freed = subprocess.run([*CLI, "outbox", "retry", str(row.id)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert freed.returncode == 0, freed.stderr
    assert outbox.status(session).pending == 1
