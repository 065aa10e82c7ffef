"""Security headers on every response (API, errors, OpenAPI, /docs, static files, pages), and a /docs that works under them."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rules.packs import DEFAULT_PACK, PACKS_DIR
from service.app import create_app
from tests.service.svcutil import make_settings, policy, serving

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
REQUESTS = {
    "compose": ("POST", "/api/v1/compose", {"industries": ["shop"]}),
    "a refused compose": ("POST", "/api/v1/compose", {"industries": [1]}),
    "a catalogue list": ("GET", "/api/v1/packs/mini/permits", None),
    "an unknown pack": ("GET", "/api/v1/packs/nowhere", None),
    "an unknown path": ("GET", "/api/v1/nowhere", None),
    "the OpenAPI document": ("GET", "/openapi.json", None),
    "the API docs": ("GET", "/docs", None),
    "Swagger UI's script": ("GET", "/static/docs/swagger-ui-bundle.js", None),
    "a style sheet": ("GET", "/static/site.css", None),
    "the site's icon": ("GET", "/favicon.ico", None),
    "a page": ("GET", "/sign-in", None),
    "a missing page": ("GET", "/nowhere", None),
}


@pytest.fixture
def production(sqlite_url: str) -> Iterator[TestClient]:
    settings = make_settings(sqlite_url, env="production", cookie_secure=True)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


@pytest.mark.parametrize(("method", "path", "body"), list(REQUESTS.values()), ids=list(REQUESTS))
def test_every_response_carries_the_security_headers(client: TestClient, method: str, path: str, body: object) -> None:
    response = client.request(method, path, json=body)
    assert {name: response.headers.get(name) for name in EVERYWHERE} == EVERYWHERE
    sources = policy(response)
    assert sources["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in sources.get("script-src", sources["default-src"])
    assert "strict-transport-security" not in response.headers  # HSTS on plain http would pin a laptop's localhost


@pytest.mark.parametrize(("method", "path", "body"), list(REQUESTS.values()), ids=list(REQUESTS))
def test_in_production_every_response_also_insists_on_https(production: TestClient, method: str, path: str, body: object) -> None:
    response = production.request(method, path, json=body)
    assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"


def test_scripts_are_our_own_and_the_docs_page_inline_script_is_admitted_by_its_hash(client: TestClient) -> None:
    page = client.get("/docs")
    assert "cdn." not in page.text  # Swagger UI comes from this service, not from a CDN
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert policy(page)["script-src"] == ["'self'", f"'sha256-{digest}'"]


def test_a_page_carries_the_one_site_policy_and_keeps_its_cookies(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert len(page.headers.get_list("content-security-policy")) == 1
    assert policy(page)["base-uri"] == ["'none'"]
    assert policy(page)["style-src"] == ["'self'"]  # no inline style
    assert page.headers["cache-control"] == "no-store"
    assert page.headers.get_list("set-cookie")  # nothing the page set is lost on the way out


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_the_docs_work_in_chromium_under_the_policy(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    env = {
        "YIYE_DATABASE_URL": f"sqlite:///{tmp_path / 'docs.db'}",
        "YIYE_PACKS_DIR": str(PACKS_DIR),  # the example the docs offer is for the default pack
        "YIYE_DEFAULT_PACK": DEFAULT_PACK,
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_LOG_LEVEL": "WARNING",
    }
    with serving([], env, "/api/v1/packs") as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            complaints: list[str] = []
            page.on("console", lambda message: complaints.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: complaints.append(str(error)))
            page.goto(f"{base}/docs")
            compose = page.locator(".opblock-post", has_text="/api/v1/compose")
            compose.locator(".opblock-summary").click()
            compose.get_by_role("button", name="Try it out").click()
            compose.get_by_role("button", name="Execute").click()
            sync_api.expect(compose.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
            assert complaints == []
        finally:
            browser.close()
