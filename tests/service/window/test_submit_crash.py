"""kill -9 in a burst of submissions: every acknowledged application is intact after a restart, none half-written.

A real ``yiye serve`` on SQLite and on PostgreSQL takes concurrent submissions with files; it is killed
(SIGKILL, its whole process group) while answers are still coming, and started again on the same
database and file folder. Every 303 it gave names an application with its files (by sha256, on disk
too) and its audit event; every application in the database is complete; the audit chain verifies; and
sending the unanswered requests again with their Idempotency-Key ends with exactly one application per draft.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlmodel import Session

from composer import Composer
from service.workflow.models import Application, AuditEvent, MaterialFile
from service.workflow.roles import Role
from tests.service.svcutil import FIXTURE_PACKS, ROOT, all_rows, server_process, stop
from tests.service.wfcase import PDF, PNG, stored_draft
from tests.service.window.deskutil import CSRF, account, sign_in

DRAFTS = 24
KILL_AFTER = 6
"""Answers received before the kill: the rest of the burst is in flight, or not yet sent."""


@dataclass(frozen=True)
class Sent:
    draft_id: uuid.UUID
    key: str
    files: dict[str, tuple[str, bytes]]

    def sha256s(self) -> list[tuple[str, str]]:
        return sorted((material, hashlib.sha256(body).hexdigest()) for material, (_, body) in self.files.items())


def _env(db_url: str, files: Path) -> dict[str, str]:
    return {
        "YIYE_ENV": "testing",
        "YIYE_DATABASE_URL": db_url,
        "YIYE_PACKS_DIR": str(FIXTURE_PACKS),
        "YIYE_DEFAULT_PACK": "mini",
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_SECRET_KEY": "test-secret-key-0123456789",
        "YIYE_FILES_DIR": str(files),
        "YIYE_LOG_LEVEL": "WARNING",
    }


def _server(env: dict[str, str], log: Path) -> AbstractContextManager[tuple[str, subprocess.Popen[bytes]]]:
    """``yiye serve`` with two workers, so submissions run side by side."""
    return server_process(["--workers", "2"], env, "/sign-in", log)


def _client(base: str, login: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    assert sign_in(client, login).status_code == 303  # type: ignore[arg-type]
    return client


def _post(client: httpx.Client, token: str, sent: Sent) -> httpx.Response:
    return client.post(
        f"/drafts/{sent.draft_id}/submit",
        data={"csrf_token": token, "idempotency_key": sent.key, "commitment": ["food_business"]},
        files=[(f"material.{m}", f) for m, f in sent.files.items()],
        follow_redirects=False,
    )


def _acknowledged(response: httpx.Response) -> uuid.UUID:
    assert response.status_code == 303, response.text
    found = re.search(r"/applications/([0-9a-f-]{36})/submitted", response.headers["location"])
    assert found
    return uuid.UUID(found.group(1))


def test_a_kill_9_mid_burst_loses_no_acknowledged_submission_and_leaves_none_half_written(
    db_url: str, session: Session, composer: Composer, tmp_path: Path
) -> None:
    applicant = account(session, Role.applicant)
    burst = [
        Sent(
            stored_draft(session, composer, applicant.user).id,
            f"crash-{n}",
            {
                "floor_plan": ("平面图.pdf", PDF + os.urandom(200_000)),
                "fire_rules": ("消防制度.png", PNG + os.urandom(100_000)),
            },
        )
        for n in range(DRAFTS)
    ]
    env, log = _env(db_url, tmp_path / "files"), tmp_path / "server.log"

    acknowledged: dict[uuid.UUID, uuid.UUID] = {}  # draft → application
    with _server(env, log) as (base, process):
        client = _client(base, applicant.login)
        token = CSRF.search(client.get("/applications").text)
        assert token
        with ThreadPoolExecutor(8) as pool:
            pending: dict[Future[httpx.Response], Sent] = {pool.submit(_post, client, token.group(1), s): s for s in burst}
            while pending and len(acknowledged) < KILL_AFTER:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    sent = pending.pop(future)
                    acknowledged[sent.draft_id] = _acknowledged(future.result())
            stop(process, signal.SIGKILL, timeout=5)
            for future, sent in pending.items():  # answered in the instant before the kill, or refused by it
                try:
                    response = future.result()
                except httpx.TransportError:
                    continue
                if response.status_code == 303:
                    acknowledged[sent.draft_id] = _acknowledged(response)
        client.close()
    assert KILL_AFTER <= len(acknowledged) < DRAFTS, "the kill came after the burst: nothing was in flight"

    by_draft = {s.draft_id: s for s in burst}
    applications = {a.id: a for a in all_rows(db_url, Application)}
    files = all_rows(db_url, MaterialFile)
    events = {e.subject_id for e in all_rows(db_url, AuditEvent) if e.action == "submit"}
    for draft_id, application_id in acknowledged.items():
        assert application_id in applications, "an acknowledged submission is gone"
        assert applications[application_id].draft_id == draft_id
    for application in applications.values():  # acknowledged or not: complete, or not there at all
        kept = sorted((f.material, f.sha256) for f in files if f.application_id == application.id)
        assert application.draft_id is not None
        assert kept == by_draft[application.draft_id].sha256s()
        assert application.id in events
        for _, sha in kept:
            stored = next((tmp_path / "files").rglob(sha))
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    verify = subprocess.run(
        [str(Path(sys.executable).parent / "yiye"), "audit", "verify", "--database-url", db_url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verify.returncode == 0, verify.stderr
    assert "哈希链无断裂" in verify.stdout

    with _server(env, log) as (base, _):  # the applicant sends again what got no answer, with the same keys
        client = _client(base, applicant.login)
        token = CSRF.search(client.get("/applications").text)
        assert token
        for sent in burst:
            again = _acknowledged(_post(client, token.group(1), sent))
            if sent.draft_id in acknowledged:
                assert again == acknowledged[sent.draft_id]
        client.close()
    assert sorted(a.draft_id for a in all_rows(db_url, Application)) == sorted(s.draft_id for s in burst)  # type: ignore[type-var]
