"""Output pieces shared across compositions: built once, reused while the pack stays loaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Fragments:
    """Output pieces that depend only on the pack and a few inputs, built once and shared.

    Output models are frozen, so one Step or FieldOut can serve every composition that needs the
    same one; building them was most of a compose's time. Bounded: cleared when it grows large.
    """

    LIMIT = 100_000

    def __init__(self) -> None:
        self._built: dict[tuple[Any, ...], Any] = {}

    def get(self, key: tuple[Any, ...], build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """The piece for ``key``, built by ``build(*args, **kwargs)`` the first time."""
        found = self._built.get(key)
        if found is None:
            if len(self._built) >= self.LIMIT:
                self._built.clear()
            found = self._built[key] = build(*args, **kwargs)
        return found
