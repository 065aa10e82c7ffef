"""What policy staff do with a change set: open, edit, submit; approve or send back; publish; catch up with a newer version.

Four eyes: the author (``edit_pack``) edits and submits, a different person (``publish_pack``) approves and publishes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from rules import packs
from rules.errors import PackError, Problem
from service.models import StoredComposition, User, utcnow
from service.policy import build, catalogue, conditions, edits, impact, materials, repo
from service.policy.models import ChangeSet, ChangeSetStatus, PackRelease
from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound, WorkflowError, problem
from service.workflow.roles import Action, may
from service.workflow.states import ChangeSetFlow, fire, require

log = logging.getLogger("yiye.policy")

LABEL = "变更集"

WORDS = {
    **catalogue.FIELD_WORDS,
    "permits": "许可事项",
    "government_holds": "政府已持有",
    "commit_substitutable": "可以承诺代替",
}


@dataclass(frozen=True)
class FieldChange:
    """One value a change set changes, in plain terms."""

    path: str
    key: str
    label: str
    before: Any
    after: Any


def open_change_set(session: Session, actor: User, *, title: str, reason: str, pack_id: str, root: Path) -> ChangeSet:
    """A new, empty change set on the packs' current commit."""
    _require(actor, Action.edit_pack)
    problems = [
        problem("required", f"请填写{label}", field)
        for field, label, value in (("title", "标题", title), ("reason", "理由", reason))
        if not value.strip()
    ]
    if pack_id not in packs.available(root):
        problems.append(problem("unknown_pack", f"没有规则包“{pack_id}”", "pack_id", pack_id))
    if problems:
        raise Invalid(problems)
    change_set = ChangeSet(
        title=title.strip(), reason=reason.strip(), pack_id=pack_id, author_id=actor.id, base_commit=repo.ensure(root)
    )
    session.add(change_set)
    session.commit()
    return change_set


def get(session: Session, change_set_id: uuid.UUID) -> ChangeSet:
    change_set = session.get(ChangeSet, change_set_id)
    if change_set is None:
        raise NotFound([problem("not_found", "没有这个变更集", "change_set", str(change_set_id))])
    return change_set


def listed(session: Session) -> list[ChangeSet]:
    return list(session.exec(select(ChangeSet).order_by(col(ChangeSet.created_at).desc())).all())


def text_of(change_set: ChangeSet, root: Path, path: str) -> str:
    """A file as the change set has it: its edit, else the file at the change set's base commit."""
    if path in change_set.files:
        return str(change_set.files[path])
    return repo.read_at(root, change_set.base_commit, build.safe_path(root, path).as_posix()) or ""


def permit_file(root: Path, pack_id: str, permit_id: str) -> str:
    """The file under the packs where ``permit_id`` is defined, searched from the pack up through its parents."""
    found = _defining_file(root, pack_id, lambda text: edits.defines(text, permit_id))
    if found is None:
        raise NotFound([problem("unknown_permit", f"规则包“{pack_id}”中没有许可事项“{permit_id}”", "permit", permit_id)])
    return found


def material_file(root: Path, pack_id: str, key: str) -> str:
    """The file under the packs where material ``key`` is registered, searched from the pack up through its parents."""
    found = _defining_file(root, pack_id, lambda text: edits.defines_material(text, key))
    if found is None:
        raise NotFound([problem("unknown_material", f"规则包“{pack_id}”的材料目录中没有“{key}”", "material", key)])
    return found


def _defining_file(root: Path, pack_id: str, defines: Callable[[str], bool]) -> str | None:
    for link in reversed(packs.resolve(pack_id, root)[0].chain):
        for path in sorted((root / link).rglob("*.yaml")):
            if defines(path.read_text(encoding="utf-8")):
                return path.relative_to(root).as_posix()
    return None


def save_material(
    session: Session, change_set: ChangeSet, actor: User, key: str, changes: dict[str, str], root: Path
) -> ChangeSet:
    """Apply the form's values to the material's registry entry (every other byte kept) and save it."""
    _require_author(change_set, actor)
    path = material_file(root, change_set.pack_id, key)
    return save_file(session, change_set, actor, path, edits.apply_material(text_of(change_set, root, path), key, changes), root)


def save_file(session: Session, change_set: ChangeSet, actor: User, path: str, text: str, root: Path) -> ChangeSet:
    """Keep ``text`` as the change set's version of ``path`` and check the result; problems are kept, not raised."""
    _require_author(change_set, actor)
    if change_set.status != ChangeSetStatus.draft:
        raise Conflict([problem("not_draft", "变更集已提交，不能再修改", "status", change_set.status)])
    path = build.safe_path(root, path).as_posix()
    change_set.files = {**change_set.files, path: text}
    change_set.problems = [p.as_dict() for p in build.check(root, change_set.files, change_set.pack_id)]
    change_set.updated_at = utcnow()
    session.add(change_set)
    session.commit()
    return change_set


def save_permit(
    session: Session, change_set: ChangeSet, actor: User, permit_id: str, changes: dict[str, str], root: Path
) -> ChangeSet:
    """Apply the structured form's values to the permit's file (every other byte kept) and save it."""
    path = permit_file(root, change_set.pack_id, permit_id)
    return save_file(session, change_set, actor, path, edits.apply(text_of(change_set, root, path), permit_id, changes), root)


def save_condition(
    session: Session, change_set: ChangeSet, actor: User, permit_id: str, builder: conditions.Builder, root: Path
) -> ChangeSet:
    """Write the condition builder's rows as the permit's ``applies_when``; a row the pack cannot take writes nothing."""
    _require_author(change_set, actor)
    value = conditions.condition_of(builder, pack_of(change_set, root))
    path = permit_file(root, change_set.pack_id, permit_id)
    return save_file(
        session, change_set, actor, path, edits.set_value(text_of(change_set, root, path), permit_id, "applies_when", value), root
    )


def save_materials(
    session: Session, change_set: ChangeSet, actor: User, permit_id: str, rows: list[materials.Row], root: Path
) -> ChangeSet:
    """Write the permit's materials as the rows say; an unknown material or version, or one nobody needs after, writes nothing."""
    _require_author(change_set, actor)
    path = permit_file(root, change_set.pack_id, permit_id)
    text = text_of(change_set, root, path)
    refs = materials.refs_of(rows, list(edits.value_of(text, permit_id, "materials") or []), pack_of(change_set, root), permit_id)
    return save_file(session, change_set, actor, path, edits.set_value(text, permit_id, "materials", refs), root)


def pack_of(change_set: ChangeSet, root: Path) -> packs.Pack:
    """The change set's version of its pack, to check a structured edit against; the published one while it is broken."""
    with build.built(root, change_set.files) as target:
        try:
            return packs.load(change_set.pack_id, target)
        except PackError:
            return packs.load(change_set.pack_id, root)


def submit(session: Session, change_set: ChangeSet, actor: User, root: Path) -> ChangeSet:
    """Send the change set for review; refused while it has no edit or its checks fail."""
    _require_author(change_set, actor)
    require(ChangeSetFlow, change_set, "submit", LABEL)
    if not change_set.files:
        raise Invalid([problem("empty", "变更集还没有任何修改", "files")])
    problems = build.check(root, change_set.files, change_set.pack_id)
    change_set.problems = [p.as_dict() for p in problems]
    if problems:
        session.add(change_set)
        session.commit()
        raise Invalid(problems)
    fire(ChangeSetFlow, change_set, "submit", LABEL)
    change_set.comments = ""
    return _saved(session, change_set)


def approve(session: Session, change_set: ChangeSet, actor: User, effective_date: date, today: date) -> ChangeSet:
    """A second person approves, setting the date the change takes effect (published from that day)."""
    _require_approver(change_set, actor)
    require(ChangeSetFlow, change_set, "approve", LABEL)
    if effective_date < today:
        raise Invalid([problem("past_date", "生效日期不能早于今天", "effective_date", effective_date.isoformat())])
    fire(ChangeSetFlow, change_set, "approve", LABEL)
    change_set.approver_id = actor.id
    change_set.effective_date = effective_date
    return _saved(session, change_set)


def send_back(session: Session, change_set: ChangeSet, actor: User, comments: str) -> ChangeSet:
    """The approver returns the change set to its author with comments."""
    _require_approver(change_set, actor)
    require(ChangeSetFlow, change_set, "send_back", LABEL)
    if not comments.strip():
        raise Invalid([problem("required", "请填写退回意见", "comments")])
    fire(ChangeSetFlow, change_set, "send_back", LABEL)
    change_set.comments = comments.strip()
    return _saved(session, change_set)


def publish(session: Session, change_set: ChangeSet, actor: User, root: Path, today: date) -> str:
    """Commit the approved change set to the packs' repository and record the release every worker will serve."""
    _require_approver(change_set, actor)
    require(ChangeSetFlow, change_set, "publish", LABEL)
    if change_set.effective_date is not None and change_set.effective_date > today:
        message = f"生效日期为 {change_set.effective_date.isoformat()}，届时将自动发布"
        raise Conflict([problem("not_yet_effective", message, "effective_date")])
    files, conflicts = merged(change_set, root)
    if conflicts:
        raise Conflict(conflicts)
    # Checked on submit against its base; only a publication since then makes a pack nobody has checked yet.
    problems = build.check(root, files, change_set.pack_id) if repo.head(root) != change_set.base_commit else []
    if problems:
        raise Invalid(problems)
    author = session.get(User, change_set.author_id)
    message = f"{change_set.title}\n\n理由：{change_set.reason}\n起草：{author.email if author else ''}\n审核：{actor.email}\n"
    commit = repo.commit(
        root, files, message, author=author.email if author and author.email else "", committer=actor.email or ""
    )
    fire(ChangeSetFlow, change_set, "publish", LABEL)
    change_set.published_commit = commit
    session.add(PackRelease(commit=commit, change_set_id=change_set.id))
    _saved(session, change_set)
    return commit


def publish_due(session: Session, root: Path, today: date) -> list[ChangeSet]:
    """Publish, in the name of their approvers, the approved change sets whose effective date has come (the worker's job).

    One that can no longer be published as approved (a conflict with a later publication, a failing check) stays
    approved, for people to resolve; the others go on.
    """
    due = session.exec(
        select(ChangeSet)
        .where(ChangeSet.status == ChangeSetStatus.approved, col(ChangeSet.effective_date) <= today)
        .order_by(col(ChangeSet.effective_date), col(ChangeSet.updated_at))
    ).all()
    published = []
    for change_set in due:
        approver = session.get(User, change_set.approver_id)
        try:
            if approver is None:
                raise Forbidden([problem("no_approver", "变更集没有审核人", "approver", str(change_set.id))])
            publish(session, change_set, approver, root, today)
        except WorkflowError as exc:
            session.rollback()
            log.warning(
                "change set not published on its date",
                extra={"change_set": str(change_set.id), "problems": [p.message for p in exc.problems]},
            )
            continue
        published.append(change_set)
    return published


def catch_up(session: Session, change_set: ChangeSet, actor: User, root: Path) -> ChangeSet:
    """Move the author's change set onto the packs' current commit: their edits kept, to be reviewed again."""
    _require_author(change_set, actor)
    require(ChangeSetFlow, change_set, "catch_up", LABEL)
    files, _ = merged(change_set, root)
    change_set.files = files
    change_set.base_commit = repo.head(root)
    fire(ChangeSetFlow, change_set, "catch_up", LABEL)
    change_set.problems = [p.as_dict() for p in build.check(root, files, change_set.pack_id)]
    return _saved(session, change_set)


def merged(change_set: ChangeSet, root: Path) -> tuple[dict[str, str], list[Problem]]:
    """The change set's files on the packs' current commit, and the fields both it and a later publication changed.

    A three-way compare against the change set's base: a value only the other side changed is taken from the
    current file, a value only this change set changed is written into it, a value both changed differently is a
    conflict (the merged text keeps this change set's value, so the author can see and resolve it).
    """
    current = repo.head(root)
    if current == change_set.base_commit:
        return dict(change_set.files), []
    files, conflicts = {}, []
    for path, ours in change_set.files.items():
        base = repo.read_at(root, change_set.base_commit, path) or ""
        theirs = repo.read_at(root, current, path) or ""
        if theirs == base:
            files[path] = ours
            continue
        b, t, o = edits.leaves(base), edits.leaves(theirs), edits.leaves(ours)
        text = theirs
        for key in sorted({*b, *o}, key=str):
            if o.get(key) == b.get(key):
                continue
            if t.get(key) != b.get(key) and t.get(key) != o.get(key):
                label = label_of(key)
                message = f"“{label}”已被另一变更集改为 {t.get(key)}（原为 {b.get(key)}，本变更集改为 {o.get(key)}）"
                conflicts.append(problem("conflict", message, f"{path}:{edits.key_of(key)}", change_set.pack_id))
            try:
                text = edits.set_leaf(text, key, o.get(key))
            except (ValueError, KeyError, TypeError):
                conflicts.append(problem("cannot_merge", f"“{label_of(key)}”无法自动合并，请在 YAML 视图中处理", path))
        files[path] = text
    return files, conflicts


def diff(change_set: ChangeSet, root: Path) -> list[FieldChange]:
    """Field by field, what the change set changes against its base, with Chinese labels."""
    return [
        change
        for path, ours in sorted(change_set.files.items())
        for change in _changes(path, repo.read_at(root, change_set.base_commit, path) or "", ours)
    ]


def versions_diff(root: Path, old: str, new: str) -> list[FieldChange]:
    """Field by field, what changed from one published version of the packs to another."""
    _require_version(root, old, "from")
    _require_version(root, new, "to")
    return [
        change
        for path in repo.changed_paths(root, old, new)
        if path.endswith(".yaml")
        for change in _changes(path, repo.read_at(root, old, path) or "", repo.read_at(root, new, path) or "")
    ]


def rollback(session: Session, actor: User, root: Path, commit: str, reason: str) -> ChangeSet:
    """A change set that puts every pack file back as it was at ``commit``, to be checked and reviewed like any other."""
    _require(actor, Action.edit_pack)
    version = _require_version(root, commit, "commit")
    head = repo.head(root)
    paths = [path for path in repo.changed_paths(root, commit, head) if path.endswith(".yaml")]
    if not paths:
        raise Invalid([problem("no_change", "该版本与当前版本相同，无需回滚", "commit", commit)])
    files, problems = {}, []
    for path in paths:
        text = repo.read_at(root, commit, path)
        if text is None or repo.read_at(root, head, path) is None:
            problems.append(problem("file_added", f"文件“{path}”只存在于其中一个版本，请在 YAML 视图中处理", "commit", path))
        else:
            files[path] = text
    pack_id = paths[0].split("/")[0]
    if problems or any(path.split("/")[0] != pack_id for path in paths):
        raise Invalid(problems or [problem("many_packs", "该版本之后修改了多个规则包，请逐个规则包回滚", "commit", commit)])
    title = f"回滚到版本 {commit[:8]}（{version.title}）"[:200]
    change_set = open_change_set(session, actor, title=title, reason=reason, pack_id=pack_id, root=root)
    change_set.files = files
    change_set.problems = [p.as_dict() for p in build.check(root, files, pack_id)]
    session.add(change_set)
    session.commit()
    return change_set


def _require_version(root: Path, commit: str, field: str) -> repo.Version:
    found = next((v for v in repo.history(root) if v.commit == commit), None)
    if found is None:
        raise NotFound([problem("unknown_version", f"没有版本“{commit[:12]}”", field, commit)])
    return found


def _changes(path: str, before_text: str, after_text: str) -> list[FieldChange]:
    before, after = edits.leaves(before_text), edits.leaves(after_text)
    return [
        FieldChange(path, edits.key_of(key), label_of(key), before.get(key), after.get(key))
        for key in sorted({*before, *after}, key=str)
        if before.get(key) != after.get(key)
    ]


def impact_of(session: Session, change_set: ChangeSet, root: Path, workers: int = 0) -> impact.Impact:
    """Every stored composition of the change set's pack composed under the live packs and under the change set."""
    rows = session.exec(
        select(StoredComposition.id, StoredComposition.input).where(StoredComposition.pack_id == change_set.pack_id)
    )
    inputs = [(str(row_id), dict(raw)) for row_id, raw in rows]
    with build.built(root, change_set.files) as changed:
        return impact.impact(change_set.pack_id, root, changed, inputs, workers)


def label_of(key: edits.Path) -> str:
    return " › ".join(WORDS.get(part, str(part)) if isinstance(part, str) else f"第{part + 1}项" for part in key)


def latest_release(session: Session) -> str | None:
    """The commit of the newest publication, if any."""
    return session.exec(select(PackRelease.commit).order_by(col(PackRelease.id).desc()).limit(1)).first()


def _saved(session: Session, change_set: ChangeSet) -> ChangeSet:
    change_set.updated_at = utcnow()
    session.add(change_set)
    session.commit()
    return change_set


def _require(actor: User, action: Action) -> None:
    if not may(actor, action):
        raise Forbidden([problem("forbidden", "您没有这项权限", "user", str(actor.id))])


def _require_author(change_set: ChangeSet, actor: User) -> None:
    _require(actor, Action.edit_pack)
    if actor.id != change_set.author_id:
        raise Forbidden([problem("not_author", "只有起草人可以修改或提交这个变更集", "user", str(actor.id))])


def _require_approver(change_set: ChangeSet, actor: User) -> None:
    _require(actor, Action.publish_pack)
    if actor.id == change_set.author_id:  # 双人复核: nobody approves or publishes their own change
        raise Forbidden([problem("own_change", "审核人不能是起草人本人", "user", str(actor.id))])
