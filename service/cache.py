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


class SegmentedLRU(Generic[K, V]):
    """A thread-safe segmented LRU map holding at most ``max_bytes`` of values (by their ``size``)."""

    def __init__(self, max_bytes: int) -> None:
        self.probation_budget = max_bytes // PROBATION_SHARE
        self.protected_budget = max_bytes - self.probation_budget
        self._probation: OrderedDict[K, V] = OrderedDict()
        self._protected: OrderedDict[K, V] = OrderedDict()
        self._bytes = {"probation": 0, "protected": 0}
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        return self._bytes["probation"] + self._bytes["protected"]

    def __len__(self) -> int:
        return len(self._probation) + len(self._protected)

    def __contains__(self, key: K) -> bool:
        return key in self._probation or key in self._protected

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._protected.get(key)
            if value is not None:
                self._protected.move_to_end(key)
                return value
            value = self._probation.pop(key, None)
            if value is None:
                return None
            # asked for again: promoted, and the protected segment's least recent go back on probation
            self._bytes["probation"] -= value.size
            self._add(self._protected, "protected", key, value)
            while self._bytes["protected"] > self.protected_budget:
                old_key, old = self._protected.popitem(last=False)
                self._bytes["protected"] -= old.size
                self._add(self._probation, "probation", old_key, old)
            self._trim_probation()
            return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` on probation; a key already kept keeps its value (it is the same bytes)."""
        if value.size > self.probation_budget:
            return
        with self._lock:
            if key in self._protected or key in self._probation:
                return
            self._add(self._probation, "probation", key, value)
            self._trim_probation()

    def _add(self, segment: OrderedDict[K, V], name: str, key: K, value: V) -> None:
        segment[key] = value
        self._bytes[name] += value.size

    def _trim_probation(self) -> None:
        while self._bytes["probation"] > self.probation_budget:
            _, old = self._probation.popitem(last=False)
            self._bytes["probation"] -= old.size
