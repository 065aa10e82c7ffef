"""Two sessions of one applicant editing one draft: one save wins, the other is shown both versions.

Every client reads the form at the same version, then all save at once (real threads against one
app, on SQLite and on PostgreSQL). Exactly one save is kept; each other one gets the conflict page
with its own values and the saved ones side by side, and can still keep its own.
"""

from __future__ import annotations

import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.db import make_engine
from service.models import Draft, StoredComposition
from tests.service.pages.journeyutil import CONVENIENCE_TOBACCO, GOOD, csrf, journey, sign_in, sign_up, title

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _draft(url: str) -> Draft:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        (draft,) = session.exec(select(Draft)).all()
        orphans = [s for s in session.exec(select(StoredComposition)).all() if s.id != draft.composition_id]
    engine.dispose()
    assert orphans == []
    return draft


def _form(html_text: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form posting to ``action`` on a page."""
    found = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html_text, re.S)
    assert found, f"no form posting to {action}"
    return {name: html.unescape(value) for name, value in HIDDEN.findall(found.group(1))}


def _sessions_on_one_draft(client: TestClient, count: int) -> tuple[list[TestClient], str]:
    """``count`` signed-in sessions of one applicant, each with the draft's form open."""
    journey(client, ("convenience_store",), CONVENIENCE_TOBACCO)
    login = sign_up(client)
    saved = client.post("/form", data={**GOOD, "csrf_token": csrf(client)}, follow_redirects=False)
    draft_url = saved.headers["location"].split("?")[0]
    sessions = [client]
    for _ in range(count - 1):
        other = TestClient(client.app)
        assert sign_in(other, login).status_code == 303
        resumed = other.post(f"{draft_url}/resume", data={"csrf_token": csrf(other)}, follow_redirects=False)
        assert resumed.status_code == 303
        sessions.append(other)
    return sessions, draft_url


def _save_at_once(sessions: list[TestClient], names: list[str]) -> list[Any]:
    forms = []
    for session in sessions:
        page = session.get("/form").text
        forms.append({**_form(page, "/form"), **GOOD})
    versions = {f["draft_version"] for f in forms}
    assert len(versions) == 1  # every session read the same version
    start = threading.Barrier(len(sessions))

    def save(i: int) -> Any:
        start.wait()
        return sessions[i].post("/form", data={**forms[i], "applicant_name": names[i]}, follow_redirects=False)

    with ThreadPoolExecutor(len(sessions)) as pool:
        return list(pool.map(save, range(len(sessions))))


@pytest.mark.parametrize("count", [2, 6])
def test_parallel_saves_one_wins_the_others_see_both_versions(dc_db: TestClient, db_url: str, count: int) -> None:
    sessions, draft_url = _sessions_on_one_draft(dc_db, count)
    before = _draft(db_url).version
    names = [f"第{i}号便利店有限公司" for i in range(count)]
    responses = _save_at_once(sessions, names)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [303] + [409] * (count - 1), statuses
    winner = next(i for i, r in enumerate(responses) if r.status_code == 303)
    saved = _draft(db_url)
    assert saved.form_values["applicant_name"] == names[winner]
    assert saved.version == before + 1
    for i, response in enumerate(responses):
        if i == winner:
            continue
        page = response.text
        assert "草稿已被修改" in title(page)
        assert names[i] in page  # what this session typed is not lost
        assert names[winner] in page  # and what was saved meanwhile is shown beside it
        assert 'class="conflict-row conflict-row--differs"' in page
        assert "保留我的版本" in page
        assert "保留已保存的版本" in page


def test_keep_mine_after_a_conflict_saves_my_version(dc_db: TestClient, db_url: str) -> None:
    sessions, draft_url = _sessions_on_one_draft(dc_db, 2)
    responses = _save_at_once(sessions, ["甲便利店有限公司", "乙便利店有限公司"])
    loser = next(i for i, r in enumerate(responses) if r.status_code == 409)
    mine = "甲便利店有限公司" if loser == 0 else "乙便利店有限公司"
    keep_mine = _form(responses[loser].text, "/form")
    assert keep_mine["applicant_name"] == mine
    kept = sessions[loser].post("/form", data=keep_mine, follow_redirects=False)
    assert kept.status_code == 303
    assert kept.headers["location"] == f"{draft_url}?saved=1"
    assert _draft(db_url).form_values["applicant_name"] == mine


def test_keep_the_saved_version_after_a_conflict_reloads_it(dc_db: TestClient, db_url: str) -> None:
    sessions, draft_url = _sessions_on_one_draft(dc_db, 2)
    responses = _save_at_once(sessions, ["甲便利店有限公司", "乙便利店有限公司"])
    loser = next(i for i, r in enumerate(responses) if r.status_code == 409)
    saved_name = _draft(db_url).form_values["applicant_name"]
    keep_saved = _form(responses[loser].text, f"{draft_url}/resume")
    moved = sessions[loser].post(f"{draft_url}/resume", data=keep_saved, follow_redirects=False)
    assert moved.headers["location"] == "/form"
    form = sessions[loser].get("/form").text
    assert f'value="{saved_name}"' in form
    again = sessions[loser].post("/form", data={**_form(form, "/form"), **GOOD}, follow_redirects=False)
    assert again.status_code == 303  # the form read at the saved version saves


def test_a_form_read_before_the_draft_existed_is_stale_once_it_is_saved(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    sign_up(dc)
    old_page = _form(dc.get("/form").text, "/form")
    assert old_page["draft_version"] == "0"
    first = dc.post("/form", data={**old_page, **GOOD}, follow_redirects=False)
    assert first.status_code == 303
    again = dc.post("/form", data={**old_page, **GOOD, "applicant_name": "后退再提交的公司"}, follow_redirects=False)
    assert again.status_code == 409
    assert "后退再提交的公司" in again.text
