"""A published change set is served by every worker within seconds, without a restart; a broken pack never is."""

from __future__ import annotations

import time
import uuid
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.app import create_app
from service.db import make_engine
from service.models import User
from service.policy import desk, repo
from service.policy.models import ChangeSet, ChangeSetStatus, PackRelease
from service.workflow.roles import Role
from tests.service.svcutil import make_settings

TODAY = date(2026, 12, 5)


def _version(client: TestClient) -> str:
    response = client.get("/api/v1/packs/mini")
    assert response.status_code == 200, response.text
    return response.headers["X-Pack-Version"]


def test_two_workers_serve_a_publication_within_five_seconds(db_url: str, packs_copy: Path) -> None:
    engine = make_engine(db_url)
    settings = make_settings(db_url, packs_dir=packs_copy, release_check_seconds=0.2)
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two, Session(engine) as session:
        before = {_version(one), _version(two)}
        author = User(email=f"a-{uuid.uuid4().hex[:6]}@example.com", password_hash="x", role=Role.policy_author)
        approver = User(email=f"b-{uuid.uuid4().hex[:6]}@example.com", password_hash="x", role=Role.policy_approver)
        session.add_all([author, approver])
        session.commit()
        change_set = desk.open_change_set(session, author, title="t", reason="r", pack_id="mini", root=packs_copy)
        desk.save_permit(session, change_set, author, "food_business", {"time_limit.statutory.days": "15"}, packs_copy)
        desk.submit(session, change_set, author, packs_copy)
        desk.approve(session, change_set, approver, TODAY, TODAY)

        published = time.monotonic()
        desk.publish(session, change_set, approver, packs_copy, TODAY)
        while {_version(one), _version(two)} & before:
            assert time.monotonic() - published < 5, "a worker still serves the old version"
            time.sleep(0.05)
        assert '"days":15' in one.get("/api/v1/packs/mini/permits/food_business").text.replace(" ", "")
    engine.dispose()


def test_a_broken_release_never_replaces_the_working_pack(db_url: str, packs_copy: Path) -> None:
    engine = make_engine(db_url)
    settings = make_settings(db_url, packs_dir=packs_copy, release_check_seconds=0.1)
    with TestClient(create_app(settings)) as worker, Session(engine) as session:
        served = _version(worker)
        author = User(email=f"a-{uuid.uuid4().hex[:6]}@example.com", password_hash="x", role=Role.policy_author)
        session.add(author)
        session.commit()
        repo.ensure(packs_copy)
        broken = (packs_copy / "mini" / "permits.yaml").read_text().replace("department: market", "department: [", 1)
        commit = repo.commit(packs_copy, {"mini/permits.yaml": broken}, "坏的", author.email or "", author.email or "")
        change_set = ChangeSet(title="t", reason="r", pack_id="mini", author_id=author.id, base_commit=commit)
        change_set.status = ChangeSetStatus.published
        session.add(change_set)
        session.add(PackRelease(commit=commit, change_set_id=change_set.id))
        session.commit()
        time.sleep(0.3)
        for _ in range(3):
            assert _version(worker) == served
            time.sleep(0.15)
    engine.dispose()


def test_a_database_that_cannot_be_read_leaves_the_loaded_packs_serving(tmp_path: Path, packs_copy: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'never-migrated.db'}", packs_dir=packs_copy, release_check_seconds=0.01)
    with TestClient(create_app(settings)) as client:
        for _ in range(3):
            time.sleep(0.02)  # each request is due a release check, and each check fails on the missing table
            assert client.get("/api/v1/packs").status_code == 200
