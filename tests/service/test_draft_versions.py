"""No lost updates: a draft carries a version, a stale write is refused, and nothing is left behind.

The JSON drafts API (``/api/v1/drafts/{id}``) hands out the version as an ``ETag`` and takes it
back as ``If-Match``; the stored compositions a draft no longer needs go in the same transaction,
and ``yiye db prune`` removes what earlier versions left behind.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from composer.model import ComposeRequest
from service import crud
from service.cli import app as cli
from service.db import make_engine
from service.demo import DEMO_EMAIL, DEMO_PASSWORD
from service.models import Draft, DraftCreate, DraftUpdate, StoredComposition
from tests.service.svcutil import CSRF_INPUT, FIXTURE_PACKS, serving, sign_up


def _compose(client: TestClient, **request: Any) -> Any:
    service = client.app.state.compose  # type: ignore[attr-defined]
    return service.compose(ComposeRequest(pack="mini", **request), source="test")


def _make_draft(client: TestClient, url: str, login: str) -> uuid.UUID:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        owner = crud.get_user_by_login(session=session, login=login)
        assert owner is not None
        create = DraftCreate(pack_id="mini", industries=["shop"], form_values={"applicant_name": "东城便利"})
        draft = crud.create_draft(
            session=session, owner=owner, draft_create=create, composed=_compose(client, industries=["shop"])
        )
    engine.dispose()
    return draft.id


def _rows(url: str) -> tuple[list[Draft], list[StoredComposition]]:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        drafts = list(session.exec(select(Draft)).all())
        stored = list(session.exec(select(StoredComposition)).all())
    engine.dispose()
    return drafts, stored


@pytest.fixture
def draft_id(db_client: TestClient, db_url: str) -> uuid.UUID:
    """A draft of the mini shop, owned by an applicant who has just signed up."""
    sign_up(db_client, "owner@example.com")
    return _make_draft(db_client, db_url, "owner@example.com")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test database, disposed afterwards."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _orphans(url: str) -> int:
    drafts, stored = _rows(url)
    referenced = {d.composition_id for d in drafts}
    return sum(1 for s in stored if s.id not in referenced)


# --- the version, in the database ------------------------------------------------------------


def test_two_sessions_that_read_the_same_version_cannot_both_write(draft_id: uuid.UUID, engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as first, Session(engine, expire_on_commit=False) as second:
        mine, theirs = first.get(Draft, draft_id), second.get(Draft, draft_id)
        assert mine is not None
        assert theirs is not None
        assert mine.version == theirs.version == 1
        crud.update_draft(session=first, draft=mine, draft_update=DraftUpdate(form_values={"applicant_name": "甲"}))
        assert mine.version == 2
        with pytest.raises(crud.DraftConflict):
            crud.update_draft(session=second, draft=theirs, draft_update=DraftUpdate(form_values={"applicant_name": "乙"}))
    with Session(engine) as session:
        saved = session.get(Draft, draft_id)
        assert saved is not None
        assert saved.form_values == {"applicant_name": "甲"}
        assert saved.version == 2


def test_a_write_based_on_an_older_version_is_refused(draft_id: uuid.UUID, engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        crud.update_draft(
            session=session, draft=draft, draft_update=DraftUpdate(form_values={"applicant_name": "甲"}), read_version=1
        )
        with pytest.raises(crud.DraftConflict):
            crud.update_draft(
                session=session, draft=draft, draft_update=DraftUpdate(form_values={"applicant_name": "乙"}), read_version=1
            )
        session.refresh(draft)
        assert draft.form_values == {"applicant_name": "甲"}


# --- stored compositions: one per draft, none left behind ---------------------------------------


def test_saving_a_draft_many_times_leaves_no_orphan_compositions(
    db_client: TestClient, db_url: str, draft_id: uuid.UUID, engine: Engine
) -> None:
    for n in range(12):
        answers = {"area_m2": 50 + n % 3}  # three different compositions, each met again
        composed = _compose(db_client, industries=["shop"], answers=answers)
        with Session(engine, expire_on_commit=False) as session:
            draft = session.get(Draft, draft_id)
            assert draft is not None
            before = draft.composition_id
            draft = crud.update_draft(session=session, draft=draft, draft_update=DraftUpdate(answers=answers), composed=composed)
            if n % 3 == 0 and n:
                assert draft.composition_id != before
        assert _orphans(db_url) == 0
    drafts, stored = _rows(db_url)
    assert len(drafts) == 1
    assert len(stored) == 1
    assert stored[0].input["answers"] == {"area_m2": 52}


def test_saving_the_same_composition_again_keeps_its_row(
    db_client: TestClient, db_url: str, draft_id: uuid.UUID, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        first = draft.composition_id
        composed = _compose(db_client, industries=["shop"])
        draft = crud.update_draft(
            session=session, draft=draft, draft_update=DraftUpdate(form_values={"uscc": ""}), composed=composed
        )
        assert draft.composition_id == first
    assert len(_rows(db_url)[1]) == 1


def test_deleting_a_draft_deletes_its_composition(db_url: str, draft_id: uuid.UUID, engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        crud.delete_draft(session=session, draft=draft)
    assert _rows(db_url) == ([], [])


def test_db_prune_removes_the_compositions_no_draft_references(
    db_client: TestClient, db_url: str, draft_id: uuid.UUID, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        for area in (40, 41, 42):  # what every draft save left behind before
            crud.store_composition(session=session, composed=_compose(db_client, industries=["shop"], answers={"area_m2": area}))
    assert _orphans(db_url) == 3

    runner = CliRunner()
    dry = runner.invoke(cli, ["db", "prune", "--dry-run", "--database-url", db_url])
    assert dry.exit_code == 0, dry.output
    assert "可删除 3 条" in dry.output
    assert _orphans(db_url) == 3

    result = runner.invoke(cli, ["db", "prune", "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert "已删除 3 条" in result.output
    drafts, stored = _rows(db_url)
    assert [s.id for s in stored] == [drafts[0].composition_id]
    assert drafts[0].id == draft_id
    again = runner.invoke(cli, ["db", "prune", "--database-url", db_url])
    assert "已删除 0 条" in again.output


# --- the JSON drafts API: ETag and If-Match -----------------------------------------------------


def _put(client: TestClient, draft_id: uuid.UUID, body: dict[str, Any], if_match: str | None) -> Any:
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.put(f"/api/v1/drafts/{draft_id}", json=body, headers=headers)


def _body(**changes: Any) -> dict[str, Any]:
    return {
        "industries": ["shop"],
        "scope": [],
        "answers": {},
        "commit": [],
        "form_values": {"applicant_name": "东城便利"},
        **changes,
    }


def test_api_etag_and_if_match_round_trip(db_client: TestClient, db_url: str, draft_id: uuid.UUID) -> None:
    read = db_client.get(f"/api/v1/drafts/{draft_id}")
    assert read.status_code == 200
    etag = read.headers["ETag"]
    assert read.json()["version"] == 1
    assert read.json()["status"] == "draft"
    assert read.json()["form_values"] == {"applicant_name": "东城便利"}

    written = _put(db_client, draft_id, _body(answers={"area_m2": 80}, form_values={"applicant_name": "东城好邻居"}), etag)
    assert written.status_code == 200, written.text
    assert written.json()["version"] == 2
    assert written.headers["ETag"] != etag
    assert written.json()["answers"] == {"area_m2": 80}
    again = db_client.get(f"/api/v1/drafts/{draft_id}")
    assert again.headers["ETag"] == written.headers["ETag"]
    assert again.json()["form_values"] == {"applicant_name": "东城好邻居"}
    assert _orphans(db_url) == 0


def test_api_a_stale_write_is_412_and_writes_nothing(db_client: TestClient, db_url: str, draft_id: uuid.UUID) -> None:
    etag = db_client.get(f"/api/v1/drafts/{draft_id}").headers["ETag"]
    assert _put(db_client, draft_id, _body(form_values={"applicant_name": "甲"}), etag).status_code == 200
    stale = _put(db_client, draft_id, _body(form_values={"applicant_name": "乙"}), etag)
    assert stale.status_code == 412
    (error,) = stale.json()["errors"]
    assert error["code"] == "draft_changed"
    assert error["where"] == "header.If-Match"
    assert "草稿" in error["message"]
    assert stale.headers["ETag"] == db_client.get(f"/api/v1/drafts/{draft_id}").headers["ETag"]
    assert _rows(db_url)[0][0].form_values == {"applicant_name": "甲"}


def test_api_a_write_without_if_match_is_428(db_client: TestClient, db_url: str, draft_id: uuid.UUID) -> None:
    response = _put(db_client, draft_id, _body(form_values={"applicant_name": "乙"}), None)
    assert response.status_code == 428
    (error,) = response.json()["errors"]
    assert error["code"] == "if_match_required"
    assert error["where"] == "header.If-Match"
    assert _rows(db_url)[0][0].form_values == {"applicant_name": "东城便利"}


def test_api_bad_content_is_422_naming_the_field_and_writes_nothing(
    db_client: TestClient, db_url: str, draft_id: uuid.UUID
) -> None:
    etag = db_client.get(f"/api/v1/drafts/{draft_id}").headers["ETag"]
    for body, where in (
        (_body(form_values={"uscc": "12345"}), "form_values.uscc"),
        (_body(form_values={"no_such_field": "x"}), "form_values.no_such_field"),
        (_body(answers={"area_m2": -5}), "answers.area_m2"),
        (_body(industries=["noodle_bar"]), "industries[0]"),
    ):
        response = _put(db_client, draft_id, body, etag)
        assert response.status_code == 422, response.text
        assert where in [e["where"] for e in response.json()["errors"]], response.json()
    assert _put(db_client, draft_id, {**_body(), "owner_id": str(uuid.uuid4())}, etag).status_code == 422
    (draft,), _stored = _rows(db_url)
    assert draft.version == 1
    assert draft.form_values == {"applicant_name": "东城便利"}


def test_api_someone_elses_draft_is_a_404_like_a_missing_one(db_client: TestClient, db_url: str, draft_id: uuid.UUID) -> None:
    etag = db_client.get(f"/api/v1/drafts/{draft_id}").headers["ETag"]
    intruder = TestClient(db_client.app)
    sign_up(intruder, "intruder@example.com")
    missing = uuid.uuid4()
    theirs, nothing = intruder.get(f"/api/v1/drafts/{draft_id}"), intruder.get(f"/api/v1/drafts/{missing}")
    assert theirs.status_code == nothing.status_code == 404
    assert theirs.json()["errors"][0]["code"] == nothing.json()["errors"][0]["code"] == "unknown_draft"
    assert _put(intruder, draft_id, _body(form_values={"applicant_name": "乙"}), etag).status_code == 404
    assert _rows(db_url)[0][0].form_values == {"applicant_name": "东城便利"}


def test_api_drafts_need_a_signed_in_applicant(db_client: TestClient, draft_id: uuid.UUID) -> None:
    anonymous = TestClient(db_client.app)
    response = anonymous.get(f"/api/v1/drafts/{draft_id}")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "sign_in_required"
    assert _put(anonymous, draft_id, _body(), '"1"').status_code == 401


# --- against `yiye serve` with two workers ----------------------------------------------------


def _signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = CSRF_INPUT.search(client.get("/sign-in").text)
    assert token
    form = {"csrf_token": token.group(1), "login": DEMO_EMAIL, "password": DEMO_PASSWORD}
    assert client.post("/sign-in", data=form).status_code == 303
    return client


def test_parallel_writes_on_two_workers_one_wins_the_rest_are_412(db_url: str) -> None:
    env = {
        "YIYE_DATABASE_URL": db_url,
        "YIYE_PACKS_DIR": str(FIXTURE_PACKS),
        "YIYE_DEFAULT_PACK": "mini",
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_LOG_LEVEL": "WARNING",
        "YIYE_SECRET_KEY": "served-test-secret-0123456789",
    }
    with serving(["--demo", "--workers", "2"], env, "/api/v1/packs") as base:
        sessions = [_signed_in(base), _signed_in(base)]  # one applicant, two browsers
        found = re.search(r'href="/drafts/([0-9a-f-]{36})"', sessions[0].get("/drafts").text)
        assert found
        url = f"/api/v1/drafts/{found.group(1)}"
        read = sessions[0].get(url)
        etag, content = read.headers["ETag"], read.json()
        body = {key: content[key] for key in ("industries", "scope", "answers", "commit")}
        names = [f"第{i}号便利店" for i in range(40)]

        def write(i: int) -> httpx.Response:
            client = sessions[i % 2]
            return client.put(url, json={**body, "form_values": {"applicant_name": names[i]}}, headers={"If-Match": etag})

        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(write, range(len(names))))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [412] * (len(names) - 1), statuses
        (winner,) = [i for i, r in enumerate(responses) if r.status_code == 200]
        final = sessions[1].get(url)
        assert final.json()["form_values"] == {"applicant_name": names[winner]}
        assert final.headers["ETag"] == responses[winner].headers["ETag"]
        assert all(r.headers["ETag"] == final.headers["ETag"] for r in responses if r.status_code == 412)
        for client in sessions:
            client.close()
    assert _orphans(db_url) == 0
