"""What changed between two compositions: the "变化" summary on the notice.

Shown after the applicant adds or removes a business, changes an answer or picks commitments:
permits and materials added or removed, materials whose status changed (e.g. now replaced by a
commitment) and time limits that changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    old_permits = {p.id: p for p in old.permits}
    new_permits = {p.id: p for p in new.permits}
    changes.permits_added = [p.name for pid, p in new_permits.items() if pid not in old_permits]
    changes.permits_removed = [p.name for pid, p in old_permits.items() if pid not in new_permits]
    for pid, p in new_permits.items():
        before = old_permits.get(pid)
        if before is not None and before.effective_limit.text != p.effective_limit.text:
            changes.limits_changed.append((p.name, before.effective_limit.text, p.effective_limit.text))
    old_materials = {m.key: m for m in old.materials}
    new_materials = {m.key: m for m in new.materials}
    changes.materials_added = [m.name for key, m in new_materials.items() if key not in old_materials]
    changes.materials_removed = [m.name for key, m in old_materials.items() if key not in new_materials]
    for key, m in new_materials.items():
        before_m = old_materials.get(key)
        if before_m is not None and before_m.status != m.status:
            changes.materials_changed.append((m.name, before_m.status, m.status))
    if old.savings.after.working_days != new.savings.after.working_days:
        changes.days = (old.savings.after.working_days, new.savings.after.working_days)
    return changes
