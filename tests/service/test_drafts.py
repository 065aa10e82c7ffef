"""An applicant sees only their own drafts; someone else's is a 404 that leaks nothing."""

from __future__ import annotations

import hashlib
import re
import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from composer.model import ComposeRequest
from service import crud
from service.db import make_engine
from service.models import Draft, DraftCreate, DraftUpdate, StoredComposition, User
from tests.service.svcutil import csrf_from, sign_up


def _user(url: str, login: str) -> User:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        user = crud.get_user_by_login(session=session, login=login)
    engine.dispose()
    assert user is not None
    return user


def _make_draft(
    client: TestClient, url: str, login: str, industries: list[str], form_values: dict[str, str] | None = None
) -> uuid.UUID:
    """A draft built on a stored composition, as the questionnaire pages will make them."""
    service = client.app.state.compose  # type: ignore[attr-defined]
    composed = service.compose(ComposeRequest(pack="mini", industries=industries), source="test")
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        owner = crud.get_user_by_login(session=session, login=login)
        assert owner is not None
        draft = crud.create_draft(
            session=session,
            owner=owner,
            draft_create=DraftCreate(pack_id="mini", industries=industries, form_values=form_values or {}),
            composed=composed,
        )
    engine.dispose()
    return draft.id


def _draft_exists(url: str, draft_id: uuid.UUID) -> bool:
    engine = make_engine(url)
    with Session(engine) as session:
        found = session.get(Draft, draft_id) is not None
    engine.dispose()
    return found


def test_my_drafts_lists_only_mine(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "owner@example.com")
    other = TestClient(db_client.app)
    sign_up(other, "other@example.com")
    _make_draft(db_client, db_url, "owner@example.com", ["shop"])
    _make_draft(db_client, db_url, "other@example.com", ["hotel"])
    mine = db_client.get("/drafts").text
    assert "便利店" in mine
    assert "宾馆" not in mine
    theirs = other.get("/drafts").text
    assert "宾馆" in theirs
    assert "便利店" not in theirs


def test_owner_reads_their_draft(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "owner@example.com")
    draft_id = _make_draft(db_client, db_url, "owner@example.com", ["shop"])
    page = db_client.get(f"/drafts/{draft_id}")
    assert page.status_code == 200
    assert "便利店" in page.text


def test_someone_elses_draft_is_a_404_like_a_missing_one(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "owner@example.com")
    draft_id = _make_draft(db_client, db_url, "owner@example.com", ["shop"])
    intruder = TestClient(db_client.app)
    sign_up(intruder, "intruder@example.com")
    missing_id = uuid.uuid4()
    for accept in ("application/json", "text/html"):
        theirs = intruder.get(f"/drafts/{draft_id}", headers={"Accept": accept})
        missing = intruder.get(f"/drafts/{missing_id}", headers={"Accept": accept})
        assert theirs.status_code == missing.status_code == 404
        assert "便利店" not in theirs.text
        assert theirs.text.replace(str(draft_id), "ID") == missing.text.replace(str(missing_id), "ID")


def test_someone_elses_draft_cannot_be_deleted(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "owner@example.com")
    draft_id = _make_draft(db_client, db_url, "owner@example.com", ["shop"])
    intruder = TestClient(db_client.app)
    sign_up(intruder, "intruder@example.com")
    token = csrf_from(intruder, "/drafts")
    response = intruder.post(f"/drafts/{draft_id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert _draft_exists(db_url, draft_id)


def test_owner_deletes_their_draft_with_the_csrf_token(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "owner@example.com")
    draft_id = _make_draft(db_client, db_url, "owner@example.com", ["shop"])
    token = csrf_from(db_client, f"/drafts/{draft_id}")
    response = db_client.post(f"/drafts/{draft_id}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert not _draft_exists(db_url, draft_id)


def test_delete_without_csrf_is_403_and_the_draft_stays(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "owner@example.com")
    draft_id = _make_draft(db_client, db_url, "owner@example.com", ["shop"])
    response = db_client.post(f"/drafts/{draft_id}/delete", data={})
    assert response.status_code == 403
    assert _draft_exists(db_url, draft_id)


def test_drafts_need_signing_in(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "owner@example.com")
    draft_id = _make_draft(db_client, db_url, "owner@example.com", ["shop"])
    anonymous = TestClient(db_client.app)
    for path in ("/drafts", f"/drafts/{draft_id}"):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/sign-in?next={path}"


def test_a_malformed_draft_id_is_a_422_page(db_client: TestClient) -> None:
    sign_up(db_client, "owner@example.com")
    response = db_client.get("/drafts/not-a-uuid", headers={"Accept": "text/html"})
    assert response.status_code == 422
    assert "请求有误" in response.text


def test_a_draft_keeps_the_composition_it_was_built_on(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "owner@example.com")
    draft_id = _make_draft(db_client, db_url, "owner@example.com", ["shop"])
    engine = make_engine(db_url)
    with Session(engine) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        assert draft.composition_id is not None
        stored = session.get(StoredComposition, draft.composition_id)
        assert stored is not None
        replay = db_client.post("/api/v1/compose", json=stored.input)
        assert stored.pack_version == replay.headers["X-Pack-Version"]
        assert hashlib.sha256(replay.content).hexdigest() == stored.output_sha256
    engine.dispose()


def test_updating_a_draft_stores_the_new_composition_and_drops_the_old(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "owner@example.com")
    draft_id = _make_draft(db_client, db_url, "owner@example.com", ["shop"])
    owner = _user(db_url, "owner@example.com")
    service = db_client.app.state.compose  # type: ignore[attr-defined]
    composed = service.compose(ComposeRequest(pack="mini", industries=["shop"], answers={"sells_tobacco": True}), source="test")
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        draft = crud.get_draft(session=session, owner=owner, draft_id=draft_id)
        assert draft is not None
        first_composition, first_updated = draft.composition_id, draft.updated_at
        draft = crud.update_draft(
            session=session,
            draft=draft,
            draft_update=DraftUpdate(answers={"sells_tobacco": True}, form_values={"applicant_name": "东城便利"}),
            composed=composed,
        )
        assert draft.answers == {"sells_tobacco": True}
        assert draft.form_values == {"applicant_name": "东城便利"}
        assert draft.composition_id != first_composition
        assert draft.updated_at >= first_updated
        assert [s.id for s in session.exec(select(StoredComposition)).all()] == [draft.composition_id]
        assert draft.version == 2
    engine.dispose()


def test_drafts_are_named_by_industry_address_and_date(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "named@example.com")
    address = {"premises_address": "北京市东城区东四北大街 100 号"}
    draft_id = _make_draft(db_client, db_url, "named@example.com", ["shop"], address)
    listed = db_client.get("/drafts").text
    name = re.search(rf'<td>([^<]*)</td>\s*<td>[^<]*</td>\s*<td><a href="/drafts/{draft_id}"', listed)
    assert name
    assert re.fullmatch(r"[^·]+ · 北京市东城区东四北大街 100 号 · \d{4}-\d{2}-\d{2}", name.group(1))


def test_deleting_a_draft_asks_first(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "careful@example.com")
    draft_id = _make_draft(db_client, db_url, "careful@example.com", ["shop"])
    page = db_client.get(f"/drafts/{draft_id}").text
    assert f'<a class="button button--warning" href="/drafts/{draft_id}/delete">删除草稿</a>' in page
    confirm = db_client.get(f"/drafts/{draft_id}/delete")
    assert confirm.status_code == 200
    assert "<h1>确定删除草稿？</h1>" in confirm.text
    assert "删除后无法恢复" in confirm.text
    assert _draft_exists(db_url, draft_id)  # asking deletes nothing
    token = csrf_from(db_client, f"/drafts/{draft_id}/delete")
    response = db_client.post(f"/drafts/{draft_id}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert not _draft_exists(db_url, draft_id)
