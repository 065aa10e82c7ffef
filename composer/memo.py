"""One memo for the composer's output pieces, keyed by what each builder declares.

Output models are frozen, so one Step or FieldOut can serve every composition that needs the same
one; building them is most of a compose's cost. A builder marked ``@memoised`` is a module-level
function of its arguments alone: its key is the function and every argument it is given, so it
cannot read anything the key does not hold. Arguments are narrow, hashable values (ids, a locale,
a date, typed answers), never the whole case.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Fragments:
    """Output pieces built once and shared, bounded by generations.

    When the current generation holds LIMIT pieces it becomes the old one and the one before is
    dropped. A piece found only in the old generation moves to the current one, so the pieces in
    use survive a turn and a worker never goes cold all at once.
    """

    LIMIT = 20_000
    """Pieces per generation, at most twice this kept: the one bound on a worker's memo. Sized to a
    budget of ~24 MiB of JSON (~60 MiB of RSS) per worker beside the service's compose cache: under
    all-distinct cases of the district packs, 2 × 20,000 pieces held ~11 MiB of JSON and ~41 MiB
    of RSS. A piece is one output model or one model's JSON, never a whole case's worth of them."""

    def __init__(self) -> None:
        self.current: dict[Hashable, Any] = {}
        """The current generation: a hit here is the common case, so callers look here first
        (one dict look-up, no call) and go through ``get`` only when it misses."""
        self._old: dict[Hashable, Any] = {}

    def __len__(self) -> int:
        return len(self.current) + len(self._old)

    def get(self, key: Hashable, build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """The piece for ``key``, built by ``build(*args, **kwargs)`` the first time."""
        found = self.current.get(key)
        if found is None:
            found = self._old.get(key)
            if found is None:
                found = build(*args, **kwargs)
            if len(self.current) >= self.LIMIT:
                self._old, self.current = self.current, {}
            self.current[key] = found
        return found


_in_use: ContextVar[Fragments | None] = ContextVar("composer_memo", default=None)


@contextmanager
def using(fragments: Fragments) -> Iterator[Fragments]:
    """Memoised builders called inside keep their pieces in ``fragments`` (a composer's own)."""
    token = _in_use.set(fragments)
    try:
        yield fragments
    finally:
        _in_use.reset(token)


def in_use() -> Fragments | None:
    """The memo of the composer composing now, if any."""
    return _in_use.get()


def memoised(build: Callable[P, T]) -> Callable[P, T]:
    """``build`` with its results kept in the memo in use, keyed by ``build`` and its arguments.

    Outside a composer (``using``) it simply builds. A closure could read what its key does not
    hold, so builders are plain module-level functions. Equal arguments share a piece: pass an
    answer through ``typed`` so that 1 does not find what was built for True.
    """
    if build.__closure__ is not None:
        raise TypeError(f"{build.__qualname__} reads a closure: a memoised builder reads only its arguments")

    in_use_now = _in_use.get

    @wraps(build)
    def memo(*args: P.args, **kwargs: P.kwargs) -> T:
        fragments = in_use_now()
        if fragments is None:
            return build(*args, **kwargs)
        key = (build, *args, *kwargs.items()) if kwargs else (build, *args)
        found = fragments.current.get(key)
        if found is None:
            found = fragments.get(key, build, *args, **kwargs)
        return found

    return memo


def typed(value: T) -> tuple[type[T], T]:
    """A value as part of a key: an answer of 1 must not find the text written for True (1 == True)."""
    return type(value), value
