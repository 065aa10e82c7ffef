"""The published packs in their own repository (YIYE_PACKS_REPO), made from the shipped packs at first start; never a
``.git`` made inside another working tree such as the project's checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from dulwich import porcelain
from dulwich.repo import Repo
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.app import create_app
from service.models import User
from service.policy import desk, repo
from service.workflow.errors import Conflict
from service.workflow.roles import Role
from tests.service.svcutil import FIXTURE_PACKS, ROOT, make_settings, serving


def _person(session: Session, role: Role) -> User:
    user = User(email=f"{role}@example.com", password_hash="x", role=role)
    session.add(user)
    session.commit()
    return user


def test_the_first_start_makes_the_repository_from_the_shipped_packs_and_serves_it(db_url: str, tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    shutil.copytree(FIXTURE_PACKS, shipped)
    published = tmp_path / "var" / "packs"
    settings = make_settings(db_url, packs_dir=shipped, packs_repo=published)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/packs/mini/permits").status_code == 200
    assert (published / "mini" / "permits.yaml").read_bytes() == (shipped / "mini" / "permits.yaml").read_bytes()
    with Repo(str(published)) as git:
        assert [entry.commit.message.decode() for entry in git.get_walker()] == ["规则包初始版本"]
    assert not (shipped / ".git").exists()

    # what is published there is served at the next start; the shipped packs are neither copied again nor touched
    text = (published / "mini" / "permits.yaml").read_text().replace("days: 20}, committed", "days: 18}, committed", 1)
    (published / "mini" / "permits.yaml").write_text(text)
    with TestClient(create_app(settings)) as client:
        permit = client.get("/api/v1/packs/mini/permits/food_business").json()
    assert "18" in str(permit["statutory_limit"])
    assert "days: 20}, committed" in (shipped / "mini" / "permits.yaml").read_text()


def test_a_change_set_is_published_into_the_repository_not_the_shipped_packs(session: Session, tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    shutil.copytree(FIXTURE_PACKS, shipped)
    published = tmp_path / "packs-repo"
    assert repo.seed(shipped, published)
    assert not repo.seed(shipped, published)  # a second start keeps what is there
    author, approver = _person(session, Role.policy_author), _person(session, Role.policy_approver)
    change_set = desk.open_change_set(session, author, title="调整时限", reason="试行", pack_id="mini", root=published)
    desk.save_permit(session, change_set, author, "food_business", {"time_limit.statutory.days": "12"}, published)
    desk.submit(session, change_set, author, published)
    today = change_set.created_at.date()
    desk.approve(session, change_set, approver, today, today)
    commit = desk.publish(session, change_set, approver, published, today)
    assert repo.head(published) == commit
    assert "days: 12" in (published / "mini" / "permits.yaml").read_text()
    assert (shipped / "mini" / "permits.yaml").read_bytes() == (FIXTURE_PACKS / "mini" / "permits.yaml").read_bytes()
    assert not (shipped / ".git").exists()


def test_the_desk_refuses_to_make_a_repository_inside_a_checkout(session: Session, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)
    packs = checkout / "rules" / "packs"
    shutil.copytree(FIXTURE_PACKS, packs)
    with pytest.raises(Conflict) as refused:
        desk.open_change_set(session, _person(session, Role.policy_author), title="t", reason="r", pack_id="mini", root=packs)
    assert "YIYE_PACKS_REPO" in refused.value.problems[0].message
    assert not (packs / ".git").exists()


def test_a_folder_the_checkout_ignores_is_the_packs_own(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    Repo.init(str(checkout), mkdir=True).close()
    (checkout / ".gitignore").write_text("/var/\n")
    published = checkout / "var" / "packs"
    assert repo.seed(FIXTURE_PACKS, published)
    assert [version.title for version in repo.history(published)] == ["规则包初始版本"]
    with pytest.raises(Conflict) as refused:
        repo.seed(FIXTURE_PACKS, checkout / "published")  # a folder the checkout keeps
    assert refused.value.problems[0].code == "packs_in_checkout"
    assert not (checkout / "published").exists()
    assert [p.name for p in checkout.iterdir()] == sorted([".git", ".gitignore", "var"])


def test_make_run_starts_on_a_fresh_clone_with_the_packs_repository_in_its_var(tmp_path: Path) -> None:
    """``make run`` keeps YIYE_PACKS_REPO in the checkout's var/, which the project's .gitignore leaves out."""
    checkout = tmp_path / "clone"
    Repo.init(str(checkout), mkdir=True).close()
    shutil.copy(ROOT / ".gitignore", checkout / ".gitignore")
    published = checkout / "var" / "packs"
    env = {
        "YIYE_DATABASE_URL": f"sqlite:///{checkout / 'var' / 'yiye.db'}",
        "YIYE_PACKS_DIR": str(FIXTURE_PACKS),
        "YIYE_PACKS_REPO": str(published),
        "YIYE_DEFAULT_PACK": "mini",
        "YIYE_LOG_LEVEL": "WARNING",
    }
    with serving(["--demo"], env, "/api/v1/packs") as base:
        assert httpx.get(f"{base}/api/v1/packs/mini/permits").status_code == 200
    assert [version.title for version in repo.history(published)] == ["规则包初始版本"]
    assert porcelain.status(str(checkout)).untracked == [b".gitignore"]  # the clone's own repository sees none of it


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from service.settings import Settings

    monkeypatch.setenv("YIYE_PACKS_REPO", str(tmp_path / "repo"))
    settings = Settings()
    assert settings.packs_root == (tmp_path / "repo").resolve()
    monkeypatch.delenv("YIYE_PACKS_REPO")
    assert Settings().packs_root == Settings().packs_dir
