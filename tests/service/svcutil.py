"""Helpers for the service tests (imported by conftest and by test modules)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, select

from rules.packs import DEFAULT_PACK, PACKS_DIR
from service import db
from service.db import make_engine
from service.settings import Settings

FIXTURE_PACKS = Path(__file__).resolve().parent.parent / "fixtures" / "packs"
ROOT = Path(__file__).resolve().parents[2]

Row = TypeVar("Row", bound=SQLModel)


def all_rows(url: str, table: type[Row]) -> list[Row]:
    """Every row of ``table`` in the database at ``url``, read on a connection of its own."""
    engine = make_engine(url)
    with Session(engine) as session:
        rows = list(session.exec(select(table)).all())
    engine.dispose()
    return rows


def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """The URL of a new SQLite database in its own temporary folder, built by ``alembic upgrade head``."""
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'yiye.db'}"
    db.upgrade(url)
    return url


def started(app: FastAPI) -> Iterator[TestClient]:
    """A client of ``app`` with its lifespan run (packs compiled, database open) until the test ends."""
    with TestClient(app) as client:
        yield client


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "testing",
        "database_url": database_url,
        "packs_dir": FIXTURE_PACKS,
        "default_pack": "mini",
        "rate_limit_enabled": False,
        "log_json": True,
        "secret_key": "test-secret-key-0123456789",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def demo_settings(tmp_path: Path) -> Settings:
    """The demo on the district's default pack, in a fresh SQLite database under ``tmp_path`` (not seeded yet)."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db.upgrade(url)
    return make_settings(
        url, packs_dir=PACKS_DIR, default_pack=DEFAULT_PACK, files_dir=tmp_path / "files", keys_dir=tmp_path / "keys", demo=True
    )


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: TestClient, path: str = "/sign-in") -> str:
    """The CSRF token a page hands out to this client's session."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF_INPUT.search(page.text)
    assert found, "page has no CSRF field"
    return found.group(1)


def sign_up(client: TestClient, login: str, password: str = "correct-horse-9") -> None:
    """Sign up, then sign in: signing up never signs in, so it tells nobody whether the login was free."""
    token = csrf_from(client, "/sign-up")
    response = client.post(
        "/sign-up",
        data={"csrf_token": token, "login": login, "password": password, "password_confirm": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/sign-in?signed_up=1")
    token = csrf_from(client, "/sign-in")
    response = client.post("/sign-in", data={"csrf_token": token, "login": login, "password": password}, follow_redirects=False)
    assert response.status_code == 303, response.text


class Page(Protocol):
    """A response as these helpers read it: httpx's, or the test client's (httpx2)."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def text(self) -> str: ...


def policy(response: Page) -> dict[str, list[str]]:
    """The response's Content-Security-Policy, each directive's sources by its name."""
    return {d.split()[0]: d.split()[1:] for d in response.headers["content-security-policy"].split("; ")}


def own_styles_only(response: Page) -> list[str]:
    """The style sources a standalone document should admit: its origin and its own inline stylesheets, by hash."""
    styles = re.findall(r"<style>(.*?)</style>", response.text, re.S)
    return ["'self'", *(f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'" for css in styles)]


async def until_set(event: threading.Event) -> None:
    """Wait, on the event loop, until a thread sets ``event`` (at most 10 s)."""
    for _ in range(1000):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no thread set the event")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(process: subprocess.Popen[bytes], how: signal.Signals, timeout: float) -> None:
    """Send ``how`` to the process group; SIGKILL it if it has not ended within ``timeout`` seconds."""
    os.killpg(process.pid, how)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def serving(options: list[str], env: dict[str, str], ready_path: str, output: Path | None = None) -> Iterator[str]:
    """``yiye serve`` in its own process group on a free port; its base URL once ``ready_path`` answers.

    What the server prints (its log lines) goes to ``output`` if given.
    """
    with server_process(options, env, ready_path, output) as (base, _):
        yield base


@contextmanager
def server_process(
    options: list[str], env: dict[str, str], ready_path: str, output: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``serving``, with the process too (a test may kill it first: then it is not stopped again)."""
    port = free_port()
    log = output.open("wb") if output else None
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli_serve", "serve", *options, "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # a loaded machine starts two workers slowly
        while True:
            try:
                if httpx.get(f"{base}{ready_path}", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                printed = output.read_text() if output else process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"server did not start:\n{printed}")
            time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            stop(process, signal.SIGTERM, timeout=15)
        if process.stdout:
            process.stdout.close()
        if log:
            log.close()


# --- real browsers against `yiye serve` --------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (a ``playwright.sync_api.Browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def serve_env(database_url: str, packs: Path, default_pack: str, **extra: str) -> dict[str, str]:
    """The environment `yiye serve` runs with in a browser test: its database and packs, quiet, no rate limits."""
    return {
        "YIYE_DATABASE_URL": database_url,
        "YIYE_PACKS_DIR": str(packs),
        "YIYE_DEFAULT_PACK": default_pack,
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_LOG_LEVEL": "WARNING",
        "YIYE_SECRET_KEY": "browser-test-secret-0123456789",
        **extra,
    }
