"""What changed in a draft's notice since it was made: its input composed under the pack version it was composed under
(read back from the packs' repository, where every published version is a commit) and under the version served now."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from composer import Composer
from composer.model import ComposeRequest, Composition
from rules import packs
from rules.errors import InputError, PackError
from service.policy import repo
from service.policy.impact import KINDS


@dataclass(frozen=True)
class Change:
    """One kind of change (a key of impact.KINDS, with its Chinese label) and what it concerns, by name; for working
    days, each permit's name with its days before and after ("名称：12 → 10")."""

    kind: str
    items: tuple[str, ...]

    @property
    def label(self) -> str:
        return KINDS[self.kind]


def changes(root: Path, pack_id: str, version: str, request: ComposeRequest, after: Composition | None) -> list[Change] | None:
    """What differs between ``request`` composed under ``version`` of the pack and ``after`` (its composition now, None
    when it no longer composes); None when that version is not in the repository."""
    commit = commit_of(root, pack_id, version)
    if commit is None:
        return None
    try:
        before: Composition | None = composer_at(root, pack_id, commit).compose(request)
    except InputError:
        before = None
    return compare(before, after)


def compare(before: Composition | None, after: Composition | None) -> list[Change]:
    """Permits, materials to hand in, commitment options and working days gained or lost, each named."""
    old, new = _named(before), _named(after)
    old_days, new_days = _days(before), _days(after)
    found = []
    for name in ("permit", "material", "commitment"):
        gained = [label for key, label in new[name].items() if key not in old[name]]
        lost = [label for key, label in old[name].items() if key not in new[name]]
        found += [Change(f"{name}_gained", tuple(gained))] * bool(gained) + [Change(f"{name}_lost", tuple(lost))] * bool(lost)
    days = [(old["permit"][p], old_days[p], new_days[p]) for p in old_days.keys() & new_days.keys()]
    longer = sorted(f"{name}：{b} → {a}" for name, b, a in days if b < a)
    shorter = sorted(f"{name}：{b} → {a}" for name, b, a in days if b > a)
    found += [Change("days_longer", tuple(longer))] * bool(longer)
    return found + [Change("days_shorter", tuple(shorter))] * bool(shorter)


def _named(composition: Composition | None) -> dict[str, dict[str, str]]:
    permits = composition.permits if composition else []
    materials = [m for m in composition.materials if m.status == "submit"] if composition else []
    return {
        "permit": {p.id: p.name for p in permits},
        "material": {m.key: m.name for m in materials},
        "commitment": {p.id: p.name for p in permits if p.commitment.eligible},
    }


def _days(composition: Composition | None) -> dict[str, int]:
    return {p.id: p.effective_limit.working_days for p in composition.permits} if composition else {}


def commit_of(root: Path, pack_id: str, version: str) -> str | None:
    """The newest commit of the packs at which ``pack_id`` had ``version``; None when no commit had it."""
    versions = repo.history(root)
    key = (root, pack_id, version, versions[0].commit if versions else "")
    if key not in _commits:  # the answer only changes with a new head: looked for once per head
        _commits[key] = next((v.commit for v in versions if _version_at(root, pack_id, v.commit) == version), None)
    return _commits[key]


_commits: dict[tuple[Path, str, str, str], str | None] = {}


@functools.lru_cache(maxsize=1024)
def _version_at(root: Path, pack_id: str, commit: str) -> str | None:
    """The pack's version at a commit (a commit never changes, so each is hashed once per process)."""
    with tempfile.TemporaryDirectory(prefix="yiye-version-") as tmp:
        repo.export(root, commit, Path(tmp))
        try:
            return packs.version_of(pack_id, Path(tmp))
        except PackError:
            return None


@functools.lru_cache(maxsize=4)
def composer_at(root: Path, pack_id: str, commit: str) -> Composer:
    """``pack_id`` as it was at ``commit``, loaded from the repository (composing reads nothing more from the files)."""
    with tempfile.TemporaryDirectory(prefix="yiye-version-") as tmp:
        repo.export(root, commit, Path(tmp))
        return Composer.load(pack_id, Path(tmp))
