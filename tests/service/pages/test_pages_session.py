"""Server-side sessions as an applicant meets them: no personal data in the cookie, work in progress kept
on the server under an unguessable id, and a session that ends really ends."""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from rules.packs import DEFAULT_PACK, PACKS_DIR
from service import sessions
from service.app import create_app
from service.models import WebSession
from tests.service.pages.journeyutil import CONVENIENCE_TOBACCO, GOOD, VALID_ID, csrf, journey
from tests.service.svcutil import all_rows, make_settings


def _decodings(cookie: str) -> Iterator[str]:
    """The cookie as it is, URL-decoded, and every part of it base64-decoded as far as that goes."""
    yield cookie
    yield unquote(cookie)
    for part in unquote(cookie).replace(".", " ").replace("-", "+").replace("_", "/").split():
        try:
            yield base64.b64decode(part + "=" * (-len(part) % 4)).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            continue


def test_the_cookie_holds_no_form_value_and_the_form_waits_on_the_server(dc: TestClient, pages_sqlite_url: str) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    response = dc.post("/form", data={**GOOD, "csrf_token": csrf(dc)}, follow_redirects=False)
    assert response.status_code == 303  # anonymous: the form is kept while the applicant signs in
    assert response.headers["location"].startswith("/sign-in")

    cookie = dc.cookies.get("yiye_session")
    assert cookie is not None
    assert 40 <= len(cookie) <= 64  # an id, nothing else
    for decoded in _decodings(cookie):
        for value in (VALID_ID, "王小明", "6512", GOOD["uscc"], "convenience_store", "journey"):  # not "{": random bytes hold it
            assert value not in decoded

    # The values are on the server, under the hash of that id, and come back on the form page.
    kept = [row for row in all_rows(pages_sqlite_url, WebSession) if row.data.get("journey", {}).get("stash")]
    assert any(row.data["journey"]["stash"]["legal_rep_id_number"] == VALID_ID for row in kept)
    assert all(cookie not in row.id_hash for row in all_rows(pages_sqlite_url, WebSession))
    assert VALID_ID in dc.get("/form").text


def test_a_guessed_or_forged_cookie_is_a_new_visitor(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    real = dc.cookies.get("yiye_session")
    assert real is not None
    dc.cookies.clear()
    dc.cookies.set("yiye_session", real[:-2] + ("AA" if not real.endswith("AA") else "BB"))
    assert dc.get("/form", follow_redirects=False).headers["location"] == "/start"


def test_the_json_api_never_reads_or_writes_the_session_table(dc: TestClient, dc_app: FastAPI) -> None:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = dc_app.state.engine
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)  # a browser with a session calls the API too
    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(3):
            assert dc.get("/api/v1/packs").status_code == 200
            assert dc.post("/api/v1/compose", json={"industries": ["convenience_store"]}).status_code == 200
        assert not [s for s in statements if "web_session" in s]
        dc.get("/start")
        assert [s for s in statements if "web_session" in s]  # the listener does see page requests
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _quick_to_expire(url: str) -> FastAPI:
    return create_app(make_settings(url, packs_dir=PACKS_DIR, default_pack=DEFAULT_PACK, session_idle_seconds=1))


def test_an_expired_anonymous_session_is_gone(pages_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sessions' clock moves only when the test moves it: a slow machine's pause between two pages of the
    # journey must not count as idling (the sessions here expire after one idle second).
    clock = [datetime.now(UTC)]
    monkeypatch.setattr(sessions, "_now", lambda: clock[0])
    with TestClient(_quick_to_expire(pages_sqlite_url)) as visitor:
        journey(visitor, ("convenience_store",), CONVENIENCE_TOBACCO)
        cookie = visitor.cookies.get("yiye_session")
        assert cookie is not None
        assert visitor.get("/form", follow_redirects=False).status_code == 200
        own = hashlib.sha256(cookie.encode()).hexdigest()
        assert own in {row.id_hash for row in all_rows(pages_sqlite_url, WebSession)}
        clock[0] += timedelta(seconds=1.2)
        # Idle too long: the business chosen and the answers are gone, and so is the row.
        assert visitor.get("/form", follow_redirects=False).headers["location"] == "/start"
        assert visitor.cookies.get("yiye_session") is None  # the stale cookie is dropped
        assert own not in {row.id_hash for row in all_rows(pages_sqlite_url, WebSession)}

    # Expired rows nobody asks for again are swept up by a worker as it goes (at most once an idle second, real time).
    with TestClient(_quick_to_expire(pages_sqlite_url)) as stranger:
        stranger.get("/start")
        clock[0] += timedelta(seconds=1.2)
        time.sleep(1.2)
        assert _expired(pages_sqlite_url, clock[0]) >= 1
        stranger.cookies.clear()
        stranger.get("/start")
        assert _expired(pages_sqlite_url, clock[0]) == 0


def _expired(url: str, now: datetime) -> int:
    return sum(1 for row in all_rows(url, WebSession) if _aware(row.idle_expires_at) <= now)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
