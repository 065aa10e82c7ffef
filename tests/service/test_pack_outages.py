"""A broken rule file plus any restart is never an outage: a real ``yiye serve --workers 2`` on a copy of the packs.

Each case breaks a copy of the parent pack ``mini`` (which a copy of ``mini-child`` overlays) while the
server polls the files; then one worker is killed with SIGKILL (the supervisor respawns it) and then the
whole server is restarted on the broken files. Throughout, every request answers from the last version
that loaded cleanly — never a 422 ``unknown_pack``, never a 500 — and ``/readyz`` names the problem at its
own file and line.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.svcutil import FIXTURE_PACKS, serving

POLL_SECONDS = 0.2
ROUNDS = 24


def _syntax(parent: Path) -> str:
    with (parent / "permits.yaml").open("a", encoding="utf-8") as handle:
        handle.write("oops: [unclosed\n")
    return f"{parent.name}/permits.yaml:"


def _wrong_type_in_parent(parent: Path) -> str:
    # The child amends food_business's whole time_limit, so only loading the chain can see this.
    path = parent / "permits.yaml"
    text = path.read_text(encoding="utf-8")
    old = "time_limit: {statutory: {days: 20}, committed: {days: 10}"
    assert text.count(old) == 1
    path.write_text(text.replace(old, "time_limit: {statutory: {days: twenty}, committed: {days: 10}"), encoding="utf-8")
    return f"{parent.name}/permits.yaml:7"


def _not_utf8(parent: Path) -> str:
    with (parent / "catalog.yaml").open("ab") as handle:
        handle.write("# 东城区, saved by a Windows editor\n".encode("gbk"))
    lines = (parent / "catalog.yaml").read_bytes().count(b"\n")
    return f"{parent.name}/catalog.yaml:{lines}"


def _deleted_file(parent: Path) -> str:
    (parent / "catalog.yaml").unlink()  # the departments, questions, scope items the permits refer to
    return f"{parent.name}/permits.yaml:"


def _parent_loop(parent: Path) -> str:
    with (parent / "pack.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"parent: {parent.name}-child\n")
    return "/pack.yaml:"


BREAKAGES: dict[str, Callable[[Path], str]] = {
    "syntax": _syntax,
    "wrong-type": _wrong_type_in_parent,
    "not-utf8": _not_utf8,
    "deleted-file": _deleted_file,
    "loop": _parent_loop,
}
"""Each breaks the parent pack of its own copy of the fixture packs: ``<name>`` and ``<name>-child``."""

PACKS = sorted([*BREAKAGES, *(f"{name}-child" for name in BREAKAGES)])


@pytest.fixture
def pairs(tmp_path: Path) -> Path:
    """The fixture packs ``mini`` and ``mini-child`` copied once per breakage, as ``<name>`` and ``<name>-child``."""
    root = tmp_path / "packs"
    for name in BREAKAGES:
        shutil.copytree(FIXTURE_PACKS / "mini", root / name)
        shutil.copytree(FIXTURE_PACKS / "mini-child", root / f"{name}-child")
        for path, old, new in ((root / name, "id: mini\n", f"id: {name}\n"), (root / f"{name}-child", "mini", name)):
            meta = path / "pack.yaml"
            meta.write_text(meta.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return root


@dataclass
class Server:
    base: str
    port: int


@contextmanager
def _serve(packs: Path, cache: Path, tmp: Path, default_pack: str = "wrong-type-child") -> Iterator[Server]:
    env = {
        "YIYE_DATABASE_URL": f"sqlite:///{tmp / 'served.db'}",
        "YIYE_PACKS_DIR": str(packs),
        "YIYE_PACK_CACHE": str(cache),
        "YIYE_PACK_POLL_SECONDS": str(POLL_SECONDS),
        "YIYE_DEFAULT_PACK": default_pack,
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_LOG_LEVEL": "WARNING",
    }
    with serving(["--workers", "2"], env, "/healthz") as base:
        server = Server(base, int(base.rsplit(":", 1)[1]))
        _wait_for(lambda: len(_workers(server.port)) == 2, "both workers listening")
        yield server


def _answers(server: Server) -> Counter[tuple[str, int, str]]:
    """What ``ROUNDS`` rounds of requests on fresh connections (spread over both workers) answered."""
    seen: Counter[tuple[str, int, str]] = Counter()
    for _ in range(ROUNDS):
        with httpx.Client(base_url=server.base, headers={"Connection": "close"}) as client:
            for pack in PACKS:
                response = client.post("/api/v1/compose", json={"pack": pack, "industries": ["shop"]})
                version = response.headers.get("x-pack-version") or response.text[:200]
                seen[(f"compose {pack}", response.status_code, version)] += 1
            listed = client.get("/api/v1/packs")
            seen[("packs", listed.status_code, " ".join(p["id"] for p in listed.json().get("packs", [])))] += 1
            page = client.get("/")
            seen[("home page", page.status_code, "")] += 1
    return seen


def _expected(versions: dict[str, str]) -> Counter[tuple[str, int, str]]:
    expected = Counter({(f"compose {pack}", 200, versions[pack]): ROUNDS for pack in PACKS})
    expected[("packs", 200, " ".join(PACKS))] = ROUNDS
    expected[("home page", 200, "")] = ROUNDS
    return expected


def _ready(server: Server) -> tuple[int, dict[str, dict[str, Any]]]:
    response = httpx.get(f"{server.base}/readyz", headers={"Connection": "close"})
    return response.status_code, {p["id"]: p for p in response.json()["packs"]}


def _assert_fallback(server: Server, versions: dict[str, str], where: dict[str, str]) -> None:
    """Every pack served at its last good version, flagged as the fallback, the problem named at its file:line."""
    for _ in range(8):  # fresh connections: both workers answer
        status, packs = _ready(server)
        assert status == 200
        for name in BREAKAGES:
            for pack_id in (name, f"{name}-child"):
                ready = packs[pack_id]
                assert (ready["version"], ready["fallback"]) == (versions[pack_id], True), ready
                assert any(where[name] in e["where"] for e in ready["errors"]), ready
                assert all(not e["where"].startswith("/") for e in ready["errors"]), ready  # no server paths


def test_broken_packs_are_served_at_their_last_good_version_through_polls_worker_deaths_and_restarts(
    pairs: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "pack-cache"
    with _serve(pairs, cache, tmp_path) as server:
        status, packs = _ready(server)
        assert (status, sorted(packs)) == (200, PACKS)
        assert all(not ready["errors"] for ready in packs.values())
        versions = {pack_id: ready["version"] for pack_id, ready in packs.items()}

        where = {name: breaks(pairs / name) for name, breaks in BREAKAGES.items()}
        time.sleep(POLL_SECONDS * 2)
        assert _answers(server) == _expected(versions)
        _assert_fallback(server, versions, where)

        before = _workers(server.port)
        os.kill(min(before), signal.SIGKILL)
        _wait_for(lambda: len(_workers(server.port)) == 2 and _workers(server.port) != before, "a worker respawned")
        assert _answers(server) == _expected(versions)
        _assert_fallback(server, versions, where)

    with _serve(pairs, cache, tmp_path) as server:
        assert _answers(server) == _expected(versions)
        _assert_fallback(server, versions, where)


def test_a_pack_with_no_good_version_is_unavailable_not_unknown(packs_copy: Path, tmp_path: Path) -> None:
    _wrong_type_in_parent(packs_copy / "mini")
    with _serve(packs_copy, tmp_path / "empty-cache", tmp_path, default_pack="mini-child") as server:
        for pack in ("mini", "mini-child"):
            response = httpx.post(f"{server.base}/api/v1/compose", json={"pack": pack, "industries": ["shop"]})
            assert response.status_code == 503
            assert response.json()["errors"][0]["code"] == "pack_unavailable"
            assert response.json()["errors"][0]["subject"] == pack
        unknown = httpx.post(f"{server.base}/api/v1/compose", json={"pack": "nowhere", "industries": ["shop"]})
        assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (422, "unknown_pack")
        status, packs = _ready(server)
        assert status == 503  # the default pack cannot be served at all
        assert packs["mini"]["version"] is None
        assert packs["mini"]["errors"][0]["where"] == "mini/permits.yaml:7"
        assert packs["mini-child"]["errors"][-1]["code"] == "parent_broken"
        assert httpx.get(f"{server.base}/healthz").status_code == 200

        # Fixed on disk: the next poll serves it, and it becomes the last good version.
        text = (packs_copy / "mini" / "permits.yaml").read_text(encoding="utf-8")
        (packs_copy / "mini" / "permits.yaml").write_text(text.replace("days: twenty", "days: 20"), encoding="utf-8")
        time.sleep(POLL_SECONDS * 2)
        fixed = httpx.post(f"{server.base}/api/v1/compose", json={"pack": "mini-child", "industries": ["shop"]})
        assert fixed.status_code == 200


# --- the workers of one server, from /proc ---------------------------------------------------------


def _workers(port: int) -> set[int]:
    """Pids of the processes holding a listening socket on ``port`` (one per worker)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for process in Path("/proc").glob("[0-9]*"):
        try:  # a process may end while it is read
            if any(os.readlink(fd) in inodes for fd in (process / "fd").iterdir()):
                pids.add(int(process.name))
        except OSError:
            continue
    return pids


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
