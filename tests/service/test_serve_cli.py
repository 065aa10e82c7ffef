"""``yiye serve`` and ``yiye db``: a real uvicorn with two workers, migrated and seeded with demo data."""

from __future__ import annotations

import os
import re
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from service.cli_serve import main
from service.db import make_engine
from tests.service.svcutil import FIXTURE_PACKS, serving


def test_db_upgrade_builds_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "head" in result.output
    engine = make_engine(url)
    assert {"user", "draft", "stored_composition"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_db_demo_seeds_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIYE_PACKS_DIR", str(FIXTURE_PACKS))
    monkeypatch.setenv("YIYE_DEFAULT_PACK", "mini")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = CliRunner().invoke(main, ["db", "demo", "--database-url", url])
    second = CliRunner().invoke(main, ["db", "demo", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert "demo@example.com" in first.output
    assert "草稿 1 份" in second.output


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = {
        "YIYE_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "YIYE_PACKS_DIR": str(FIXTURE_PACKS),
        "YIYE_DEFAULT_PACK": "mini",
        "YIYE_LOG_LEVEL": "WARNING",
    }
    with serving(["--demo", "--workers", "2"], env, "/api/v1/packs") as base:
        yield base


def test_serve_answers_on_two_workers_with_demo_data(server: str) -> None:
    packs = httpx.get(f"{server}/api/v1/packs").json()
    assert packs["default"] == "mini"
    composed = httpx.post(f"{server}/api/v1/compose", json={"industries": ["shop"], "answers": {"sells_tobacco": True}})
    assert composed.status_code == 200
    assert composed.json()["pack"]["id"] == "mini"
    assert composed.headers["x-pack-version"] == composed.json()["pack"]["version"]

    with httpx.Client(base_url=server) as browser:
        page = browser.get("/sign-in")
        assert "演示环境" in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        signed_in = browser.post(
            "/sign-in",
            data={"csrf_token": token, "login": "demo@example.com", "password": "yiye-demo-2026"},
            follow_redirects=True,
        )
        assert signed_in.status_code == 200
        assert "便利店" in signed_in.text  # the demo draft, for the mini pack's first industry


def test_a_burst_of_keep_alive_connections_is_spread_over_both_workers(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    deadline = time.monotonic() + 30
    while len(_sockets_on(port, LISTEN)) < 2:  # the fixture waited for the first worker only
        assert time.monotonic() < deadline, "the second worker never listened"
        time.sleep(0.1)
    # All connected before any is served, as a client's connection pool opens them: on one shared
    # socket the first worker to wake accepted every one of them.
    burst = [socket.create_connection(("127.0.0.1", port)) for _ in range(24)]
    try:
        for sock in burst:
            sock.sendall(b"GET /api/v1/packs HTTP/1.1\r\nHost: yiye\r\n\r\n")
        for sock in burst:
            assert sock.recv(64).startswith(b"HTTP/1.1 200")  # served, and the connection kept open
        held = _connections_held(port)
    finally:
        for sock in burst:
            sock.close()
    # One socket per worker, and the kernel's spread: all 24 on one of two has odds of 2 in 2^24.
    assert len(held) == 2, held
    assert min(held.values()) > 0, held


LISTEN, ESTABLISHED = "0A", "01"


def _sockets_on(port: int, state: str) -> set[str]:
    """The inodes of the TCP sockets in ``state`` whose local port is ``port`` (from /proc/net)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                found.add(f"socket:[{fields[9]}]")
    return found


def _connections_held(port: int) -> Counter[int]:
    """Established server-side connections on ``port``, per process holding them."""
    inodes = _sockets_on(port, ESTABLISHED)
    held: Counter[int] = Counter()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) in inodes:
                held[int(fd.parts[2])] += 1
        except OSError:
            continue  # a process or descriptor that went away while we looked
    return held
