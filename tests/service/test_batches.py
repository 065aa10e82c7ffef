"""Work handed from the event loop to threads in batches: each item its own answer, what queued meanwhile in one go."""

from __future__ import annotations

import asyncio
import threading

import pytest

from service.batches import Batches
from tests.service.svcutil import until_set


class Doubling:
    """Answers each number with its double, remembering the batches and the threads they ran on; ``hold`` keeps the
    first batch waiting until it is set, so what arrives meanwhile queues."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.threads: set[int] = set()
        self.hold = threading.Event()
        self.taken = threading.Event()

    def __call__(self, batch: list[int]) -> list[int | Exception]:
        if not self.batches:
            self.taken.set()
            self.hold.wait(10)
        self.batches.append(batch)
        self.threads.add(threading.get_ident())
        return [ValueError(f"odd {n}") if n == 13 else n * 2 for n in batch]


async def _crowd(batches: Batches[int, int], numbers: list[int], doubling: Doubling) -> list[int | str]:
    async def one(n: int) -> int | str:
        try:
            return await batches.submit(n)
        except ValueError as exc:
            return str(exc)

    tasks = [asyncio.create_task(one(numbers[0]))]
    await until_set(doubling.taken)  # the first is taken and held; the rest queue behind it
    tasks += [asyncio.create_task(one(n)) for n in numbers[1:]]
    await asyncio.sleep(0.05)
    doubling.hold.set()
    return list(await asyncio.gather(*tasks))


def _crowded(numbers: list[int], most: int = 32) -> tuple[list[int | str], Doubling]:
    """``numbers`` handed to batches of at most ``most`` on one thread, the first held until the rest queue:
    the answers, and the batches that ran."""
    doubling = Doubling()
    batches = Batches(doubling, threads=1, most=most)
    try:
        return asyncio.run(_crowd(batches, numbers, doubling)), doubling
    finally:
        batches.close()


def test_what_queues_while_the_thread_is_busy_is_answered_as_one_batch_and_each_gets_its_own_answer() -> None:
    answers, doubling = _crowded(list(range(10)))
    assert answers == [n * 2 for n in range(10)]
    assert doubling.batches == [[0], list(range(1, 10))]
    assert len(doubling.threads) == 1


def test_a_batch_holds_at_most_its_limit() -> None:
    answers, doubling = _crowded(list(range(10)), most=4)
    assert answers == [n * 2 for n in range(10)]
    assert doubling.batches == [[0], [1, 2, 3, 4], [5, 6, 7, 8], [9]]


def test_an_item_that_fails_fails_alone() -> None:
    answers, _ = _crowded([1, 13, 2])
    assert answers == [2, "odd 13", 4]


def test_a_batch_that_fails_as_a_whole_fails_each_of_its_items_and_the_next_batch_is_answered() -> None:
    def broken(batch: list[int]) -> list[int]:
        if 0 in batch:
            raise ConnectionError("the database went away")
        return list(batch)

    batches = Batches(broken, threads=1, most=32)

    async def run() -> tuple[list[BaseException | int], int]:
        failed = await asyncio.gather(batches.submit(0), batches.submit(0), return_exceptions=True)
        return list(failed), await batches.submit(5)

    failed, answered = asyncio.run(run())
    batches.close()
    assert [str(e) for e in failed] == ["the database went away"] * 2
    assert answered == 5


def test_a_request_gone_before_its_answer_leaves_the_others_answered() -> None:
    doubling = Doubling()
    batches = Batches(doubling, threads=1, most=32)

    async def run() -> list[int]:
        first = asyncio.create_task(batches.submit(1))
        await until_set(doubling.taken)
        gone = asyncio.create_task(batches.submit(2))
        staying = asyncio.create_task(batches.submit(3))
        await asyncio.sleep(0.05)
        gone.cancel()  # the client hung up
        doubling.hold.set()
        with pytest.raises(asyncio.CancelledError):
            await gone
        return [await first, await staying]

    assert asyncio.run(run()) == [2, 6]
    batches.close()


def test_many_threads_share_the_queue_and_close_stops_them_all() -> None:
    doubling = Doubling()
    doubling.hold.set()
    batches = Batches(doubling, threads=3, most=2)

    async def run() -> list[int]:
        return list(await asyncio.gather(*(batches.submit(n) for n in range(0, 60, 2))))

    assert asyncio.run(run()) == [n * 2 for n in range(0, 60, 2)]
    running = list(batches._running)
    assert len(running) == 3
    batches.close()
    assert not any(thread.is_alive() for thread in running)


def test_an_answer_that_miscounts_its_batch_fails_that_batch_and_the_thread_answers_the_next() -> None:
    def short(batch: list[int]) -> list[int]:
        return batch[1:]

    batches = Batches(short, threads=1, most=32)

    async def run() -> list[BaseException | int]:
        return list(await asyncio.gather(batches.submit(1), return_exceptions=True))

    assert [type(e) for e in asyncio.run(run())] == [RuntimeError]
    assert [type(e) for e in asyncio.run(run())] == [RuntimeError]  # the same thread, still answering
    assert len(batches._running) == 1
    assert batches._running[0].is_alive()
    batches.close()
