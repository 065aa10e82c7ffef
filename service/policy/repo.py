"""The git repository of the packs: the packs folder is its working tree, one commit per published change set."""

from __future__ import annotations

from pathlib import Path

from dulwich import porcelain
from dulwich.errors import NotGitRepository
from dulwich.object_store import tree_lookup_path
from dulwich.objects import Blob, Commit
from dulwich.repo import Repo

SYSTEM = b"yiye <policy-desk@yiye.invalid>"


def ensure(root: Path) -> str:
    """The packs' current commit; the first call makes the repository and commits the packs as they are."""
    try:
        repo = Repo(str(root))
    except NotGitRepository:
        repo = Repo.init(str(root))
    with repo:
        try:
            return repo.head().decode()
        except KeyError:
            porcelain.add(repo, paths=[str(p) for p in sorted(root.rglob("*.yaml"))])
            return porcelain.commit(repo, message="规则包初始版本".encode(), author=SYSTEM, committer=SYSTEM).decode()


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
