"""Output pieces shared across compositions: built once, reused while the pack stays loaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Fragments:
    """Output pieces that depend only on the pack and a few inputs, built once and shared.

    Output models are frozen, so one Step or FieldOut can serve every composition that needs the
    same one; building them was most of a compose's time. Bounded by generations: when the current
    one holds LIMIT pieces it becomes the old one and the one before is dropped. A piece found only
    in the old generation moves to the current one, so the pieces in use survive a turn and a worker
    never goes cold all at once (clearing everything made the next ~500 composes ~50 % dearer).
    """

    LIMIT = 50_000
    """Pieces per generation: at most twice this are kept (~7 objects each; 3,000 distinct cases
    of the default pack need ~47,000 pieces)."""

    def __init__(self) -> None:
        self._current: dict[tuple[Any, ...], Any] = {}
        self._old: dict[tuple[Any, ...], Any] = {}

    def __len__(self) -> int:
        return len(self._current) + len(self._old)

    def get(self, key: tuple[Any, ...], build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """The piece for ``key``, built by ``build(*args, **kwargs)`` the first time."""
        found = self._current.get(key)
        if found is None:
            found = self._old.get(key)
            if found is None:
                found = build(*args, **kwargs)
            if len(self._current) >= self.LIMIT:
                self._old, self._current = self._current, {}
            self._current[key] = found
        return found
