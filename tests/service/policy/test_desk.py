"""The policy desk: a change set edited, checked, approved by a second person, published as one git commit."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from dulwich.objects import Commit
from dulwich.repo import Repo
from sqlmodel import Session

from composer import Composer
from rules import packs
from service.models import Draft, User
from service.policy import catalogue, desk, edits, impact, repo
from service.policy.models import ChangeSet, ChangeSetStatus
from service.workflow.errors import Conflict, Forbidden, Invalid
from service.workflow.roles import Role
from tests.service.wfcase import Staff

TODAY = date(2026, 12, 5)
PERMITS = "mini/permits.yaml"


def _user(session: Session, role: Role) -> User:
    user = User(email=f"{role}-{uuid.uuid4().hex[:8]}@example.com", password_hash="x", role=role)
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def author(session: Session) -> User:
    return _user(session, Role.policy_author)


@pytest.fixture
def approver(session: Session) -> User:
    return _user(session, Role.policy_approver)


def _open(session: Session, author: User, packs_copy: Path, title: str = "缩短食品经营许可时限") -> ChangeSet:
    return desk.open_change_set(session, author, title=title, reason="按2025年国务院令797号调整", pack_id="mini", root=packs_copy)


def _approved(session: Session, author: User, approver: User, packs_copy: Path, days: str) -> ChangeSet:
    change_set = _open(session, author, packs_copy)
    desk.save_permit(session, change_set, author, "food_business", {"time_limit.statutory.days": days}, packs_copy)
    desk.submit(session, change_set, author, packs_copy)
    return desk.approve(session, change_set, approver, TODAY, TODAY)


def test_a_structured_edit_changes_only_the_value_it_sets(packs_copy: Path) -> None:
    before = (packs_copy / PERMITS).read_text()
    after = edits.apply(before, "food_business", {"time_limit.statutory.days": "15", "valid_from": "2027-01-01"})
    old, new = before.splitlines(), after.splitlines()
    assert len(new) == len(old) + 1
    changed = [line for line in new if line not in old]
    assert changed == [
        "    valid_from: 2027-01-01",
        "    time_limit: {statutory: {days: 15}, committed: {days: 10}, source: inferred}",
    ]
    assert edits.apply(after, "food_business", {"time_limit.statutory.days": "20", "valid_from": ""}) == before


def test_every_pack_file_survives_an_edit_byte_for_byte_outside_the_value() -> None:
    root = Path(__file__).resolve().parents[3] / "rules" / "packs"
    text = (root / "cn" / "permits" / "fire.yaml").read_text()
    key = next(f.key for f in edits.permit_fields(text, "construction_fire_acceptance") if f.key.startswith("applies_when"))
    edited = edits.apply(text, "construction_fire_acceptance", {key: "12"})
    differing = [(a, b) for a, b in zip(text.splitlines(), edited.splitlines(), strict=True) if a != b]
    assert len(differing) == 1
    assert "12" in differing[0][1]


def test_a_bad_value_names_the_field_and_changes_nothing(packs_copy: Path) -> None:
    text = (packs_copy / PERMITS).read_text()
    with pytest.raises(Invalid) as caught:
        edits.apply(text, "food_business", {"time_limit.statutory.days": "二十", "valid_to": "明年"})
    assert {(p.where, p.message) for p in caught.value.problems} == {
        ("time_limit.statutory.days", "“法定办理时限（工作日）”须为正整数"),
        ("valid_to", "“失效日期”须为日期，如 2027-01-01"),
    }


def test_a_change_set_that_fails_its_checks_cannot_be_submitted(session: Session, author: User, packs_copy: Path) -> None:
    change_set = _open(session, author, packs_copy)
    broken = (packs_copy / PERMITS).read_text().replace("department: market", "department: nowhere", 1)
    desk.save_file(session, change_set, author, PERMITS, broken, packs_copy)
    assert [(p["code"], p["where"]) for p in change_set.problems][:1] == [("dangling_reference", "mini/permits.yaml:2")]
    with pytest.raises(Invalid):
        desk.submit(session, change_set, author, packs_copy)
    assert session.get(ChangeSet, change_set.id).status == ChangeSetStatus.draft  # type: ignore[union-attr]


def test_the_author_cannot_approve_their_own_change(session: Session, author: User, packs_copy: Path) -> None:
    both = _user(session, Role.policy_approver)
    change_set = _open(session, author, packs_copy)
    change_set.author_id, change_set.status = both.id, ChangeSetStatus.submitted  # drafted by someone who may approve
    session.add(change_set)
    session.commit()
    with pytest.raises(Forbidden) as caught:
        desk.approve(session, change_set, both, TODAY, TODAY)
    assert caught.value.problems[0].message == "审核人不能是起草人本人"


def test_an_approver_sees_the_change_field_by_field_and_publishing_is_one_commit(
    session: Session, author: User, approver: User, packs_copy: Path
) -> None:
    change_set = _approved(session, author, approver, packs_copy, "15")
    changes = desk.diff(change_set, packs_copy)
    assert [(c.label, c.before, c.after) for c in changes] == [("许可事项 › food_business › 办理时限 › 法定 › 天数", 20, 15)]

    commit = desk.publish(session, change_set, approver, packs_copy, TODAY)

    with Repo(str(packs_copy)) as git:
        made = git[commit.encode()]
        assert isinstance(made, Commit)
        message = made.message.decode()
        assert made.author.decode().endswith(f"<{author.email}>")
    assert "理由：按2025年国务院令797号调整" in message
    assert f"审核：{approver.email}" in message
    assert Composer.load("mini", packs_copy).pack.permits["food_business"].time_limit.statutory.days == 15
    assert desk.latest_release(session) == commit


def test_sent_back_with_comments_returns_to_the_author(session: Session, author: User, approver: User, packs_copy: Path) -> None:
    change_set = _open(session, author, packs_copy)
    desk.save_permit(session, change_set, author, "food_business", {"time_limit.statutory.days": "15"}, packs_copy)
    desk.submit(session, change_set, author, packs_copy)
    with pytest.raises(Invalid):
        desk.send_back(session, change_set, approver, " ")
    desk.send_back(session, change_set, approver, "请附上国务院令原文")
    assert (change_set.status, change_set.comments) == (ChangeSetStatus.draft, "请附上国务院令原文")


def test_publishing_waits_for_the_effective_date(session: Session, author: User, approver: User, packs_copy: Path) -> None:
    change_set = _open(session, author, packs_copy)
    desk.save_permit(session, change_set, author, "food_business", {"time_limit.statutory.days": "15"}, packs_copy)
    desk.submit(session, change_set, author, packs_copy)
    desk.approve(session, change_set, approver, TODAY + timedelta(days=3), TODAY)
    head = repo.head(packs_copy)
    with pytest.raises(Conflict):
        desk.publish(session, change_set, approver, packs_copy, TODAY)
    assert repo.head(packs_copy) == head
    desk.publish(session, change_set, approver, packs_copy, TODAY + timedelta(days=3))
    assert repo.head(packs_copy) != head


def test_two_change_sets_on_one_field_the_second_sees_a_conflict(
    session: Session, author: User, approver: User, packs_copy: Path
) -> None:
    first = _open(session, author, packs_copy, "十五天")
    second = _open(session, author, packs_copy, "十二天")
    for change_set, fields in (
        (first, {"time_limit.statutory.days": "15"}),
        (second, {"time_limit.statutory.days": "12", "time_limit.committed.days": "9"}),
    ):
        desk.save_permit(session, change_set, author, "food_business", fields, packs_copy)
        desk.submit(session, change_set, author, packs_copy)
        desk.approve(session, change_set, approver, TODAY, TODAY)
    desk.publish(session, first, approver, packs_copy, TODAY)
    head = repo.head(packs_copy)

    with pytest.raises(Conflict) as caught:
        desk.publish(session, second, approver, packs_copy, TODAY)
    assert [(p.code, p.where) for p in caught.value.problems] == [
        ("conflict", "mini/permits.yaml:permits.food_business.time_limit.statutory.days")
    ]
    assert repo.head(packs_copy) == head
    assert "days: 15" in (packs_copy / PERMITS).read_text()

    desk.catch_up(session, second, author, packs_copy)  # the author resolves: their value, reviewed again
    assert second.status == ChangeSetStatus.draft
    assert [(c.key, c.before, c.after) for c in desk.diff(second, packs_copy)] == [
        ("permits.food_business.time_limit.committed.days", 10, 9),
        ("permits.food_business.time_limit.statutory.days", 15, 12),
    ]


def test_the_impact_counts_the_drafts_whose_time_limit_changes(
    session: Session, staff: Staff, author: User, make_draft: Callable[..., Draft], packs_copy: Path
) -> None:
    draft = make_draft(staff.applicant)
    change_set = _open(session, author, packs_copy)
    desk.save_permit(session, change_set, author, "fire_check", {"time_limit.statutory.days": "40"}, packs_copy)
    found = desk.impact_of(session, change_set, packs_copy, workers=1)
    assert (found.total, found.changed) == (1, 1)
    assert dict(found.counts) == {"days_longer": 1}
    assert found.examples == {"days_longer": [str(draft.composition_id)]}


def test_the_impact_is_the_same_over_two_processes_and_counts_equal_inputs_once_each(packs_copy: Path) -> None:
    changed = packs_copy.parent / "changed"
    shutil.copytree(packs_copy, changed)
    text = (changed / PERMITS).read_text()
    (changed / PERMITS).write_text(edits.apply(text, "fire_check", {"time_limit.statutory.days": "40"}))
    hotel = {"pack": "mini", "scope": ["lodging"], "answers": {}}
    shop = {"pack": "mini", "scope": ["food_sales"], "answers": {"food_prep": False, "sells_tobacco": False}}
    inputs = [("h1", hotel), ("s1", shop), ("h2", hotel), ("s2", shop), ("h3", hotel)]
    found = impact.impact("mini", packs_copy, changed, inputs, workers=2, chunk=1)
    assert (found.total, found.changed, dict(found.counts)) == (5, 3, {"days_longer": 3})
    assert found.examples == {"days_longer": ["h1", "h2", "h3"]}


def test_a_file_outside_the_packs_is_refused(session: Session, author: User, packs_copy: Path) -> None:
    change_set = _open(session, author, packs_copy)
    for path in ("../outside.yaml", "mini/../../etc/passwd", "mini/new.yaml"):
        with pytest.raises(Invalid) as caught:
            desk.save_file(session, change_set, author, path, "x: 1\n", packs_copy)
        assert caught.value.problems[0].message == f"“{path}”不是规则包中的 YAML 文件"
    assert change_set.files == {}


def test_an_approved_change_set_is_published_on_its_effective_date_and_not_before(
    session: Session, author: User, approver: User, packs_copy: Path
) -> None:
    later = TODAY + timedelta(days=3)
    change_set = _open(session, author, packs_copy)
    desk.save_permit(session, change_set, author, "food_business", {"time_limit.statutory.days": "15"}, packs_copy)
    desk.submit(session, change_set, author, packs_copy)
    desk.approve(session, change_set, approver, later, TODAY)
    with pytest.raises(Conflict, match="届时将自动发布"):
        desk.publish(session, change_set, approver, packs_copy, TODAY)
    first = repo.head(packs_copy)

    assert desk.publish_due(session, packs_copy, later - timedelta(days=1)) == []
    assert repo.head(packs_copy) == first
    assert [c.id for c in desk.publish_due(session, packs_copy, later)] == [change_set.id]
    session.refresh(change_set)
    assert change_set.status == ChangeSetStatus.published
    assert repo.head(packs_copy) == change_set.published_commit != first
    assert "days: 15" in (packs_copy / PERMITS).read_text()
    assert repo.history(packs_copy)[0].approver == approver.email  # in the approver's name, as approved
    assert desk.publish_due(session, packs_copy, later) == []  # once


def test_a_due_change_set_that_conflicts_stays_approved_and_the_others_are_published(
    session: Session, author: User, approver: User, packs_copy: Path
) -> None:
    stale = _approved(session, author, approver, packs_copy, "15")
    fresh = _approved(session, author, approver, packs_copy, "12")
    desk.publish(session, fresh, approver, packs_copy, TODAY)
    other = _open(session, author, packs_copy, title="消防检查时限")
    desk.save_permit(session, other, author, "fire_check", {"time_limit.statutory.days": "9"}, packs_copy)
    desk.submit(session, other, author, packs_copy)
    desk.approve(session, other, approver, TODAY, TODAY)

    assert [c.id for c in desk.publish_due(session, packs_copy, TODAY)] == [other.id]
    session.refresh(stale)
    assert stale.status == ChangeSetStatus.approved  # the same field was published since: people resolve it
    assert "days: 12" in (packs_copy / PERMITS).read_text()


def test_the_catalogue_says_which_entries_have_not_yet_entered_or_have_left_it(packs_copy: Path) -> None:
    permits = (packs_copy / PERMITS).read_text()
    (packs_copy / PERMITS).write_text(permits.replace("  - id: tobacco\n", "  - id: tobacco\n    valid_from: 2027-01-01\n"))
    catalog = packs_copy / "mini" / "catalog.yaml"
    catalog.write_text(catalog.read_text().replace("  - id: hotel\n", "  - id: hotel\n    valid_to: 2026-06-30\n"))
    shown = {(e.kind, e.id): e.period for e in catalogue.entries(packs.load("mini", packs_copy), TODAY)}
    assert shown[("permits", "tobacco")] == "尚未生效（2027-01-01 起）"
    assert shown[("industries", "hotel")] == "已失效（2026-06-30 止）"
    assert shown[("permits", "food_business")] == ""
    assert {(e.kind, e.id): e.period for e in catalogue.entries(packs.load("mini", packs_copy), date(2027, 1, 1))}[
        ("permits", "tobacco")
    ] == "有效（2027-01-01 起）"


@pytest.mark.parametrize("pack_id", packs.available(packs.PACKS_DIR))
def test_every_field_of_every_shipped_permit_is_named_in_words_and_its_values_read_as_yaml(pack_id: str) -> None:
    rows = [row for pid in packs.load(pack_id).permits for row in catalogue.resolved_permit(pack_id, pid, packs.PACKS_DIR)]
    # a dated version's key (versions.pre2021) is the pack author's own name for it
    unnamed = {
        word
        for row in rows
        for word in re.sub(r"versions\.[^.\[]+", "versions", row.path).replace("[", ".[").split(".")
        if word and not word.startswith("[") and word not in catalogue.FIELD_WORDS
    }
    values = {row.value for row in rows}
    assert unnamed == set()
    assert values & {"true", "false"}  # the pack's flags, as its YAML writes them
    assert not values & {"True", "False", "None"}
