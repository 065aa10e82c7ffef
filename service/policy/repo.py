"""The git repository of the packs: the packs folder is its working tree, one commit per published change set."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dulwich import porcelain
from dulwich.diff_tree import tree_changes
from dulwich.errors import NotGitRepository
from dulwich.ignore import IgnoreFilterManager
from dulwich.object_store import tree_lookup_path
from dulwich.objects import Blob, Commit
from dulwich.repo import Repo

from service.workflow.errors import Conflict, problem

SYSTEM = b"yiye <policy-desk@yiye.invalid>"


@dataclass(frozen=True)
class Version:
    """One published version of the packs: its commit, title and reason, who drafted and who approved it, and when."""

    commit: str
    title: str
    reason: str
    author: str
    approver: str
    at: datetime


def history(root: Path) -> list[Version]:
    """Every version of the packs, newest first; none before the first change set made the repository."""
    try:
        repo = Repo(str(root))
    except NotGitRepository:
        return []
    with repo:
        try:
            walker = repo.get_walker()
        except KeyError:
            return []
        return [_version(entry.commit) for entry in walker]


def changed_paths(root: Path, old: str, new: str) -> list[str]:
    """The files (paths under the packs) that differ between two commits."""
    with Repo(str(root)) as repo:
        trees = []
        for commit in (old, new):
            found = repo[commit.encode()]
            assert isinstance(found, Commit)
            trees.append(found.tree)
        paths = {entry.path for change in tree_changes(repo.object_store, *trees) for entry in (change.old, change.new) if entry}
        return sorted(path.decode() for path in paths if path)


def _version(commit: Commit) -> Version:
    title, _, body = commit.message.decode().partition("\n\n")
    reason = next((line.removeprefix("理由：") for line in body.splitlines() if line.startswith("理由：")), "")
    offset = timezone(timedelta(seconds=commit.commit_timezone))
    return Version(
        commit.id.decode(),
        title.strip(),
        reason,
        _email(commit.author),
        _email(commit.committer) if commit.committer != SYSTEM else "",
        datetime.fromtimestamp(commit.commit_time, offset),
    )


def _email(person: bytes) -> str:
    return person.decode().partition("<")[2].rstrip(">")


def seed(shipped: Path, target: Path) -> bool:
    """Make ``target`` the packs' own repository, a copy of the ``shipped`` packs, unless it holds packs already.

    The copy is made beside ``target`` and renamed into place, so workers starting at once never see half of it.
    """
    if any(target.glob("*/pack.yaml")):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".packs-", dir=target.parent) as tmp:
        copy = Path(tmp) / "packs"
        shutil.copytree(shipped, copy, ignore=shutil.ignore_patterns(".git", "__pycache__"))
        ensure(copy)
        try:
            if target.exists():
                target.rmdir()  # an empty folder made for it; one with files in it is refused here, not overwritten
            copy.rename(target)
        except OSError:
            if not any(target.glob("*/pack.yaml")):  # not another worker that got there first
                raise
            return False
    return True


def ensure(root: Path) -> str:
    """The packs' current commit; the first call makes the repository and commits the packs as they are.

    Never inside the files another repository keeps: a ``.git`` among the project's shipped packs would mix the
    published packs into the code's history (YIYE_PACKS_REPO gives them their own folder). A folder that repository
    ignores is the packs' own: git never looks inside it (``make run`` keeps them in the checkout's ``var/``).
    """
    try:
        repo = Repo(str(root))
    except NotGitRepository:
        outer = next((p for p in root.resolve().parents if (p / ".git").exists()), None)
        if outer is not None and not _ignored(outer, root.resolve()):
            message = f"规则包目录位于另一个 git 仓库（{outer}）之内，发布前请用 YIYE_PACKS_REPO 为规则包指定独立目录"
            raise Conflict([problem("packs_in_checkout", message, "packs_repo", str(root))]) from None
        repo = Repo.init(str(root))
    with repo:
        try:
            return repo.head().decode()
        except KeyError:
            porcelain.add(repo, paths=[str(p) for p in sorted(root.rglob("*.yaml"))])
            return porcelain.commit(repo, message="规则包初始版本".encode(), author=SYSTEM, committer=SYSTEM).decode()


def _ignored(outer: Path, folder: Path) -> bool:
    """Whether the repository at ``outer`` ignores ``folder``, one of its working tree's folders."""
    try:
        with Repo(str(outer)) as repo:
            return IgnoreFilterManager.from_repo(repo).is_ignored(folder.relative_to(outer).as_posix() + "/") is True
    except NotGitRepository:
        return False  # a .git that is no repository ignores nothing: the folder is refused, as inside any checkout


def head(root: Path) -> str:
    with Repo(str(root)) as repo:
        return repo.head().decode()


def read_at(root: Path, commit: str, path: str) -> str | None:
    """The text of ``path`` (under the packs) at ``commit``; None when it did not exist then."""
    with Repo(str(root)) as repo:
        tree = repo[commit.encode()]
        assert isinstance(tree, Commit)
        try:
            _, sha = tree_lookup_path(repo.__getitem__, tree.tree, path.encode())
        except KeyError:
            return None
        blob = repo[sha]
        assert isinstance(blob, Blob)
        return blob.data.decode()


def export(root: Path, commit: str, target: Path) -> None:
    """Write every file of the packs as they were at ``commit`` under ``target``."""
    with Repo(str(root)) as repo:
        found = repo[commit.encode()]
        assert isinstance(found, Commit)
        for entry in repo.object_store.iter_tree_contents(found.tree):
            if entry.path is None or entry.sha is None:
                continue
            blob = repo[entry.sha]
            assert isinstance(blob, Blob)
            path = target / entry.path.decode()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blob.data)


def commit(root: Path, files: dict[str, str], message: str, author: str, committer: str) -> str:
    """Write ``files`` (path under the packs → text) into the working tree and commit them; the new commit's id."""
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    with Repo(str(root)) as repo:
        porcelain.add(repo, paths=[str(root / path) for path in files])
        return porcelain.commit(repo, message=message.encode(), author=_person(author), committer=_person(committer)).decode()


def _person(email: str) -> bytes:
    return f"{email.split('@')[0]} <{email}>".encode()
