"""What changed between two compositions: the "变化" summary on the notice.

Shown after the applicant adds or removes a business, changes an answer or picks commitments:
permits and materials added or removed, materials whose status changed (e.g. now replaced by a
commitment) and time limits that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Protocol, TypeVar

from composer.model import Composition


@dataclass(frozen=True)
class Changes:
    permits_added: list[str]
    permits_removed: list[str]
    limits_changed: list[tuple[str, str, str]]
    """(permit name, old time limit, new time limit)"""
    materials_added: list[str]
    materials_removed: list[str]
    materials_changed: list[tuple[str, str, str]]
    """(material name, old status, new status)"""
    days: tuple[int, int] | None
    """the whole case's working days, before and after, when they changed"""

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def diff(old: Composition, new: Composition) -> Changes:
    """The differences from ``old`` to ``new``; statuses are raw codes (the page labels them)."""
    permits = _compare(old.permits, new.permits, lambda p: p.id, lambda p: p.effective_limit.text)
    materials = _compare(old.materials, new.materials, lambda m: m.key, lambda m: m.status)
    days = (old.savings.after.working_days, new.savings.after.working_days)
    return Changes(*permits, *materials, days if days[0] != days[1] else None)


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_Item = TypeVar("_Item", bound=_Named)


def _compare(
    old: Sequence[_Item], new: Sequence[_Item], key: Callable[[_Item], str], shown: Callable[[_Item], str]
) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    """The names added and removed from ``old`` to ``new``, and (name, before, after) of those whose ``shown`` changed."""
    before = {key(item): item for item in old}
    after = {key(item): item for item in new}
    added = [item.name for k, item in after.items() if k not in before]
    removed = [item.name for k, item in before.items() if k not in after]
    changed = [
        (item.name, shown(before[k]), shown(item)) for k, item in after.items() if k in before and shown(before[k]) != shown(item)
    ]
    return added, removed, changed
