"""Work the event loop hands to a few threads of its own in batches: what came in while they were busy goes in one go.

A thread-pool hop per request (``anyio.to_thread``) costs each request a wake-up of a thread, its return to the loop
and the interpreter lock handed across both ways. Here a thread takes everything queued when it is free, handles it
as one batch (so a batch can read its records in one statement) and hands every answer back to the loop at once. A
lone request waits for nothing: an idle thread takes it at once.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

A = TypeVar("A")
R = TypeVar("R")


@dataclass(frozen=True)
class _Waiting(Generic[A, R]):
    item: A
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[R]


class Batches(Generic[A, R]):
    """Items answered by ``answer`` in batches of at most ``most``, on ``threads`` threads started with the first."""

    def __init__(self, answer: Callable[[list[A]], Sequence[R | Exception]], threads: int, most: int) -> None:
        self.answer = answer
        self.threads = threads
        self.most = most
        self._queue: queue.SimpleQueue[_Waiting[A, R] | None] = queue.SimpleQueue()
        self._running: list[threading.Thread] = []
        self._lock = threading.Lock()

    async def submit(self, item: A) -> R:
        """``item``'s answer, from the next batch a thread takes; its exception raised here if it had one."""
        if len(self._running) < self.threads:
            self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._queue.put(_Waiting(item, loop, future))
        return await future

    def close(self, wait: float = 10.0) -> None:
        """Stop the threads once they have answered what is queued, waiting for each at most ``wait`` seconds (one stuck
        on a database that stopped answering is left behind: the threads are daemons)."""
        with self._lock:
            for _ in self._running:
                self._queue.put(None)
            for thread in self._running:
                thread.join(wait)
            self._running.clear()

    def _start(self) -> None:
        with self._lock:
            while len(self._running) < self.threads:
                thread = threading.Thread(target=self._serve, name="batches", daemon=True)
                thread.start()
                self._running.append(thread)

    def _serve(self) -> None:
        while (first := self._queue.get()) is not None:
            batch = [first]
            stop = False
            while len(batch) < self.most and not stop:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                else:
                    batch.append(more)
            self._settle(batch)
            if stop:
                return

    def _settle(self, batch: list[_Waiting[A, R]]) -> None:
        answers: Sequence[R | Exception]
        try:
            answers = self.answer([waiting.item for waiting in batch])
            if len(answers) != len(batch):
                raise RuntimeError(f"{len(answers)} answers to a batch of {len(batch)}")
        except Exception as exc:  # the batch as a whole failed (its statement, say): each of its items says why
            answers = [exc] * len(batch)
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[R], R | Exception]]] = {}
        for waiting, answer in zip(batch, answers, strict=True):
            by_loop.setdefault(waiting.loop, []).append((waiting.future, answer))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, settled)
            except RuntimeError:  # its loop closed meanwhile: nobody is waiting
                pass


def _resolve(settled: list[tuple[asyncio.Future[R], R | Exception]]) -> None:
    """On the loop: each future its answer, unless its request went away meanwhile."""
    for future, answer in settled:
        if future.done():
            continue
        if isinstance(answer, Exception):
            future.set_exception(answer)
        else:
            future.set_result(answer)
