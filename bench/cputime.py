"""CPU time a server spends on a load: its processes' own, and that of the PostgreSQL backends they talk to.

Read from ``/proc`` (Linux), so other programs on a shared machine do not count: requests/s alone says
how fast the load went while they competed for the cores, CPU time per request what each request cost.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.certpop import PG_ADMIN

PG_PORT = 5432
_TICK = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = task / "children"
            if children.exists():
                todo.extend(int(c) for c in children.read_text().split())
    return found


def cpu_seconds(pid: int) -> float:
    """User and system time of a process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _local_ports(pids: list[int]) -> set[int]:
    """Local ports of the processes' TCP connections to PostgreSQL."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pids[0]}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == PG_PORT:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


@dataclass
class Spent:
    """CPU seconds of the server's processes and of its PostgreSQL backends."""

    server: float = 0.0
    database: float = 0.0


class Meter:
    """CPU seconds of a server's process tree and of its PostgreSQL backends, per slice of load."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def backends(self) -> list[int]:
        ports = sorted(_local_ports(tree(self.pid)))
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as admin:
            rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE client_port = ANY(%s)", [ports]).fetchall()
        return [row[0] for row in rows]

    @contextmanager
    def slice(self) -> Iterator[Spent]:
        """Yields what the block spent, filled in once it ends.

        Backends that start during the block count from their start; those that end during it are lost.
        """
        server_before = sum(map(cpu_seconds, tree(self.pid)))
        backends_before = {b: cpu_seconds(b) for b in self.backends()}
        spent = Spent()
        yield spent
        spent.server = sum(map(cpu_seconds, tree(self.pid))) - server_before
        spent.database = sum(cpu_seconds(b) - backends_before.get(b, 0.0) for b in self.backends())
