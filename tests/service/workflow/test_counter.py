"""Counter intake (窗口代录): a clerk registers a walk-in applicant through the same submit, the same record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from service.models import Draft, User
from service.workflow.errors import Invalid
from service.workflow.models import Application, AuditEvent, MaterialFile
from service.workflow.storage import LocalFileStore
from service.workflow.submit import Submitted
from tests.service.wfcase import Staff

WALK_IN = {"name": "王小明", "id_number": "11010519491231002x", "phone": "13912345678"}


def _count(session: Session, kind: type) -> int:
    return session.exec(select(func.count()).select_from(kind)).one()


def test_a_walk_in_gets_the_application_on_an_account_of_their_own_and_staff_see_the_channel(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    online = submit_draft(make_draft(staff.applicant)).application
    counter = submit_draft(make_draft(staff.clerk), actor=staff.clerk, walk_in=WALK_IN).application

    walker = session.exec(select(User).where(User.phone == "13912345678")).one()
    assert (walker.role, walker.display_name) == ("applicant", "王小明")
    assert (counter.owner_id, counter.channel, counter.registered_by) == (walker.id, "counter", staff.clerk.id)
    assert counter.walk_in == {"name": "王小明", "id_number": "11010519491231002X", "phone": "13912345678"}
    # the same record as online: the same pinned pack, composition, values, letters and files
    same = ("pack_id", "pack_version", "composition", "form_values", "departments", "status")
    assert [getattr(counter, f) for f in same] == [getattr(online, f) for f in same]
    assert [c["permit"] for c in counter.commitments] == [c["permit"] for c in online.commitments]
    files = select(MaterialFile.material, MaterialFile.sha256).order_by(MaterialFile.material)
    assert (
        session.exec(files.where(MaterialFile.application_id == counter.id)).all()
        == session.exec(files.where(MaterialFile.application_id == online.id)).all()
    )
    event = session.exec(select(AuditEvent).where(AuditEvent.subject_id == counter.id)).one()
    assert (event.action, event.data["channel"], event.actor_id) == ("submit", "counter", staff.clerk.id)


def test_a_second_walk_in_with_the_same_phone_finds_the_same_applicant(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    first = submit_draft(make_draft(staff.clerk), actor=staff.clerk, walk_in=WALK_IN).application
    second = submit_draft(make_draft(staff.clerk), actor=staff.clerk, walk_in=WALK_IN).application

    assert first.owner_id == second.owner_id
    assert _count(session, User) == 9  # the eight of the case and the one walk-in


@pytest.mark.parametrize(
    ("walk_in", "where"),
    [
        ({**WALK_IN, "id_number": "110105194912310021"}, ["applicant.id_number"]),
        ({**WALK_IN, "name": " ", "phone": "1234"}, ["applicant.name", "applicant.phone"]),
        ({"name": "", "id_number": "", "phone": ""}, ["applicant.name", "applicant.id_number", "applicant.phone"]),
    ],
)
def test_a_bad_identity_is_refused_field_by_field_with_the_other_problems_and_writes_nothing(
    session: Session,
    staff: Staff,
    store: LocalFileStore,
    make_draft: Callable[..., Draft],
    submit_draft: Callable[..., Submitted],
    walk_in: dict[str, str],
    where: list[str],
) -> None:
    draft = make_draft(staff.clerk)
    users = _count(session, User)

    with pytest.raises(Invalid) as refused:
        submit_draft(draft, actor=staff.clerk, walk_in=walk_in, signed=[])

    found = [p.where for p in refused.value.problems]
    assert found[: len(where)] == where
    assert "commitments.food_business" in found  # listed at once with the identity's problems
    assert (_count(session, Application), _count(session, User)) == (0, users)
    assert not any(p.is_file() for p in Path(store.root).rglob("*"))


def test_a_clerks_own_draft_needs_the_walk_ins_identity_and_a_staff_phone_is_refused(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    staff.fire.phone = "13700000000"
    session.add(staff.fire)
    session.commit()
    draft = make_draft(staff.clerk)

    with pytest.raises(Invalid) as missing:
        submit_draft(draft, actor=staff.clerk)
    with pytest.raises(Invalid) as staff_phone:
        submit_draft(draft, actor=staff.clerk, walk_in={**WALK_IN, "phone": "13700000000"})

    assert [p.code for p in missing.value.problems] == ["walk_in_missing"]
    assert [p.code for p in staff_phone.value.problems] == ["walk_in_phone_staff"]
    assert _count(session, Application) == 0


def test_a_retry_at_the_counter_with_the_same_key_returns_the_first_application(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    draft = make_draft(staff.clerk)

    first = submit_draft(draft, actor=staff.clerk, walk_in=WALK_IN, idempotency_key="counter-1")
    again = submit_draft(draft, actor=staff.clerk, walk_in=WALK_IN, idempotency_key="counter-1")

    assert (first.repeated, again.repeated) == (False, True)
    assert again.application.id == first.application.id
    assert _count(session, Application) == 1
