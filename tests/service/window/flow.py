"""Moving a case through the desks with page posts, as each person's browser would."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi.testclient import TestClient

from tests.service.wfcase import PDF, PNG
from tests.service.window.deskutil import field

FILES = {"floor_plan": ("平面图.pdf", PDF), "fire_rules": ("消防制度.png", PNG), "operation_flow": ("操作流程.pdf", PDF)}


def submit(client: TestClient, draft_id: object, signed: list[str], materials: tuple[str, ...]) -> uuid.UUID:
    page = client.get(f"/drafts/{draft_id}/submit")
    data = {
        "csrf_token": field(page.text, "csrf_token"),
        "idempotency_key": field(page.text, "idempotency_key"),
        "commitment": signed,
    }
    response = client.post(
        f"/drafts/{draft_id}/submit",
        data=data,
        files=[(f"material.{k}", FILES[k]) for k in materials],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = re.search(r"/applications/([0-9a-f-]{36})/submitted", response.headers["location"])
    assert found
    return uuid.UUID(found.group(1))


def post_form(client: TestClient, page_url: str, action: str, data: Mapping[str, object], files: Any = None) -> Any:
    """Post a form from ``page_url`` with its CSRF token and the version it shows (the first form's, or the one given)."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    fields = {"csrf_token": field(page.text, "csrf_token")}
    if "version" not in data and 'name="version"' in page.text:
        fields["version"] = field(page.text, "version")
    return client.post(action, data={**fields, **data}, files=files, follow_redirects=False)


def timeline(html: str) -> str:
    """The application page's timeline, as text in order."""
    found = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', html, re.S)
    assert found, "no timeline on the page"
    return re.sub(r"<[^>]+>", " ", found.group(1))
