"""What changed between two compositions: the "变化" summary on the notice.

Shown after the applicant adds or removes a business, changes an answer or picks commitments:
permits and materials added or removed, materials whose status changed (e.g. now replaced by a
commitment) and time limits that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from composer.model import Composition


@dataclass
class Changes:
    permits_added: list[str] = field(default_factory=list)
    permits_removed: list[str] = field(default_factory=list)
    materials_added: list[str] = field(default_factory=list)
    materials_removed: list[str] = field(default_factory=list)
    materials_changed: list[tuple[str, str, str]] = field(default_factory=list)
    """(material name, old status, new status)"""
    limits_changed: list[tuple[str, str, str]] = field(default_factory=list)
    """(permit name, old time limit, new time limit)"""
    days: tuple[int, int] | None = None
    """the whole case's working days, before and after, when they changed"""

    def __bool__(self) -> bool:
        return any(
            (
                self.permits_added,
                self.permits_removed,
                self.materials_added,
                self.materials_removed,
                self.materials_changed,
                self.limits_changed,
                self.days,
            )
        )


def diff(old: Composition, new: Composition) -> Changes:
    """The differences from ``old`` to ``new``; statuses are raw codes (the page labels them)."""
    changes = Changes()
    changes.permits_added, changes.permits_removed, changes.limits_changed = _compare(
        old.permits, new.permits, lambda p: p.id, lambda p: p.effective_limit.text
    )
    changes.materials_added, changes.materials_removed, changes.materials_changed = _compare(
        old.materials, new.materials, lambda m: m.key, lambda m: m.status
    )
    if old.savings.after.working_days != new.savings.after.working_days:
        changes.days = (old.savings.after.working_days, new.savings.after.working_days)
    return changes


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
