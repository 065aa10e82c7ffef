"""The compose cache: a segmented LRU bounded by bytes.

Compositions are cached as their JSON, 3 to 130 KB each, so the budget is in bytes, not entries.
A plain LRU would let a flood of one-off cases (a crawler, a burst of unusual applicants) push out
the handful of cases asked for all day. So an entry starts on probation, in a fifth of the budget,
and moves to the protected rest only when it is asked for again: one-off cases churn the probation
segment and never reach the cases that repeat (segmented LRU; Karedla, Love and Wherry, 1994).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, Protocol, TypeVar

K = TypeVar("K")


class Sized(Protocol):
    @property
    def size(self) -> int: ...


V = TypeVar("V", bound=Sized)

PROBATION_SHARE = 5
"""One part in five of the budget is the probation segment."""


class _Segment(Generic[K, V]):
    """Entries in least-recently-used order, with the bytes they hold."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.entries: OrderedDict[K, V] = OrderedDict()
        self.bytes = 0

    def add(self, key: K, value: V) -> None:
        self.entries[key] = value
        self.bytes += value.size

    def pop(self, key: K) -> V | None:
        value = self.entries.pop(key, None)
        if value is not None:
            self.bytes -= value.size
        return value

    def pop_oldest(self) -> tuple[K, V]:
        key, value = self.entries.popitem(last=False)
        self.bytes -= value.size
        return key, value

    def over(self) -> bool:
        return self.bytes > self.budget


class SegmentedLRU(Generic[K, V]):
    """A thread-safe segmented LRU map holding at most ``max_bytes`` of values (by their ``size``)."""

    def __init__(self, max_bytes: int) -> None:
        probation = max_bytes // PROBATION_SHARE
        self._probation: _Segment[K, V] = _Segment(probation)
        self._protected: _Segment[K, V] = _Segment(max_bytes - probation)
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        return self._probation.bytes + self._protected.bytes

    def __len__(self) -> int:
        return len(self._probation.entries) + len(self._protected.entries)

    def __contains__(self, key: K) -> bool:
        return key in self._probation.entries or key in self._protected.entries

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._protected.entries.get(key)
            if value is not None:
                self._protected.entries.move_to_end(key)
                return value
            value = self._probation.pop(key)
            if value is None:
                return None
            # asked for again: promoted, and the protected segment's least recent go back on probation
            self._protected.add(key, value)
            while self._protected.over():
                self._probation.add(*self._protected.pop_oldest())
            self._trim_probation()
            return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` on probation; a key already kept keeps its value (it is the same bytes)."""
        if value.size > self._probation.budget:
            return
        with self._lock:
            if key in self:
                return
            self._probation.add(key, value)
            self._trim_probation()

    def _trim_probation(self) -> None:
        while self._probation.over():
            self._probation.pop_oldest()
