"""A crowd of scans waits for the few threads a worker keeps for scans, and every scan is answered."""

from __future__ import annotations

import threading
import time

import anyio

from service.certs.verify import Scanner
from service.db import make_engine


def test_a_crowd_of_scans_runs_on_at_most_the_threads_kept_for_them_and_each_is_answered() -> None:
    scanner = Scanner(make_engine("sqlite://"), 0, threads=2)
    lock = threading.Lock()
    running: list[int] = []
    most = 0

    def scan(n: int) -> int:
        nonlocal most
        with lock:
            running.append(n)
            most = max(most, len(running))
        time.sleep(0.05)
        with lock:
            running.remove(n)
        return n

    async def crowd() -> list[int]:
        answered: list[int] = []

        async def one(n: int) -> None:
            answered.append(await scanner.in_thread(lambda: scan(n)))

        async with anyio.create_task_group() as group:
            for n in range(8):
                group.start_soon(one, n)
        return answered

    assert sorted(anyio.run(crowd)) == list(range(8))
    assert most == 2  # two at once, never more, and the crowd did overlap
    scanner.engine.dispose()
