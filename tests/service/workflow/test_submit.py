"""Submit: a complete draft becomes one application, pinned to what the applicant saw; anything wrong writes nothing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from composer import Composer
from service.models import Draft
from service.workflow import audit
from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound
from service.workflow.models import Application, AuditEvent, IdempotencyKey, MaterialFile
from service.workflow.storage import MAX_BYTES, LocalFileStore, Upload, check
from service.workflow.submit import Submitted
from tests.service.wfcase import CASE, EXE, PDF, PNG, Staff, uploads


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def nothing_written(session: Session, store: LocalFileStore) -> Callable[[], None]:
    """A check that the submission left no application, file row, audit event or stored file behind."""

    def check() -> None:
        assert (_count(session, Application), _count(session, MaterialFile), _count(session, AuditEvent)) == (0, 0, 0)
        assert not Path(store.root).exists() or not any(p.is_file() for p in Path(store.root).rglob("*"))

    return check


def test_a_complete_draft_becomes_an_application(
    session: Session,
    staff: Staff,
    make_draft: Callable[..., Draft],
    composer: Composer,
    store: LocalFileStore,
    submit_draft: Callable[..., Submitted],
) -> None:
    draft = make_draft(staff.applicant)
    application = submit_draft(draft).application

    assert re.fullmatch(r"DC-\d{8}-00001", application.number)
    assert (application.status, application.channel, application.owner_id) == ("submitted", "online", staff.applicant.id)
    assert (application.pack_id, application.pack_version) == ("mini", composer.pack.version)
    assert [p["id"] for p in application.composition["permits"]] == ["food_business", "fire_check", "hotel_trade"]
    assert application.form_values["uscc"] == "91110101MA01ABCD06"
    assert application.form_values["rooms"] == 12
    assert (application.applicant_name, application.uscc) == ("东城示例旅店有限公司", "91110101MA01ABCD06")
    (letter,) = application.commitments
    assert letter["permit"] == "food_business"
    assert letter["letter"].startswith("本人承诺经营场所符合食品安全要求")
    assert letter["accepted_at"]
    assert application.departments == ["fire", "market", "police"]

    files = session.exec(select(MaterialFile).order_by(MaterialFile.material)).all()
    assert [(f.material, f.media_type, f.filename, f.size) for f in files] == [
        ("fire_rules", "image/png", "消防制度.png", len(PNG)),
        ("floor_plan", "application/pdf", "平面图.pdf", len(PDF)),
    ]
    for f in files:
        assert store.get(f.sha256) == (PNG if f.material == "fire_rules" else PDF)
        assert hashlib.sha256(store.get(f.sha256)).hexdigest() == f.sha256
        assert (store.root / f.sha256[:2] / f.sha256[2:4] / f.sha256).is_file()
    (event,) = audit.history(session, application.id)
    assert (event.action, event.from_state, event.to_state, event.actor_id) == ("submit", None, "submitted", staff.applicant.id)


def test_numbers_count_up_within_the_day(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    numbers = [submit_draft(make_draft(staff.applicant)).application.number for _ in range(3)]
    assert [n[-5:] for n in numbers] == ["00001", "00002", "00003"]
    assert len({n[:-6] for n in numbers}) == 1


def test_a_retry_with_the_same_key_returns_the_first_result(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    draft = make_draft(staff.applicant)
    first = submit_draft(draft, idempotency_key="k-1")
    again = submit_draft(draft, idempotency_key="k-1")
    assert (first.repeated, again.repeated) == (False, True)
    assert again.application.id == first.application.id
    assert (_count(session, Application), _count(session, MaterialFile), _count(session, IdempotencyKey)) == (1, 2, 1)


def test_a_key_used_for_a_different_request_is_refused(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    submit_draft(make_draft(staff.applicant), idempotency_key="k-2")
    with pytest.raises(Invalid) as raised:
        submit_draft(make_draft(staff.applicant), idempotency_key="k-2")
    assert raised.value.problems[0].code == "idempotency_key_reused"
    assert _count(session, Application) == 1


def test_a_second_submit_of_the_same_draft_is_refused(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    draft = make_draft(staff.applicant)
    first = submit_draft(draft).application
    with pytest.raises(Conflict) as raised:
        submit_draft(draft)
    assert raised.value.problems[0].message == f"这份草稿已经提交过，受理编号 {first.number}"
    assert _count(session, Application) == 1


def test_an_incomplete_draft_lists_everything_and_writes_nothing(
    staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted], nothing_written: Callable[[], None]
) -> None:
    draft = make_draft(staff.applicant, form={"applicant_name": "东城示例旅店有限公司", "uscc": "91110101MA01ABCD07"})
    with pytest.raises(Invalid) as raised:
        submit_draft(draft, uploads=[Upload("floor_plan", "平面图.pdf", PDF)], signed=[])
    found = {(p.code, p.where) for p in raised.value.problems}
    assert found == {
        ("form_invalid", "form_values.uscc"),
        ("form_invalid", "form_values.premises_area"),
        ("form_invalid", "form_values.food_safety_manager"),
        ("form_invalid", "form_values.rooms"),
        ("commitment_unsigned", "commitments.food_business"),
        ("material_missing", "materials.fire_rules"),
    }
    assert all(re.search(r"[\u4e00-\u9fff]", p.message) for p in raised.value.problems)
    nothing_written()


def test_an_open_question_keeps_a_draft_from_being_submitted(
    staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted], nothing_written: Callable[[], None]
) -> None:
    open_case = CASE.model_copy(update={"answers": {"sells_tobacco": False, "area_m2": 80}, "commit": []})
    draft = make_draft(staff.applicant, open_case)
    with pytest.raises(Invalid) as raised:
        submit_draft(draft, signed=[])
    assert ("question_open", "answers.food_prep") in {(p.code, p.where) for p in raised.value.problems}
    nothing_written()


@pytest.mark.parametrize(
    ("upload", "code", "says"),
    [
        (Upload("floor_plan", "平面图.pdf", EXE), "file_type", "内容不是 PDF、JPEG 或 PNG"),
        (Upload("floor_plan", "../../etc/passwd.pdf", PDF), "bad_filename", "不能包含路径"),
        (Upload("floor_plan", "C:\\平面图.pdf", PDF), "bad_filename", "不能包含路径"),
        (Upload("floor_plan", "平面图.pdf", b""), "empty_file", "空文件"),
        (Upload("floor_plan", "平面图.pdf", PDF + b"\0" * 2048), "file_too_large", "超过 1 KB"),
        (Upload("business_license", "执照.pdf", PDF), "material_unexpected", "不需要提交"),
    ],
)
def test_a_bad_file_is_refused_by_its_content_and_nothing_is_written(
    staff: Staff,
    make_draft: Callable[..., Draft],
    upload: Upload,
    code: str,
    says: str,
    submit_draft: Callable[..., Submitted],
    nothing_written: Callable[[], None],
) -> None:
    draft = make_draft(staff.applicant)
    with pytest.raises(Invalid) as raised:
        submit_draft(draft, uploads=[upload, *uploads()], max_bytes=1024)
    (found,) = [p for p in raised.value.problems if p.where == "materials." + upload.material + "[0]"]
    assert found.code == code
    assert says in found.message
    nothing_written()


@pytest.mark.parametrize(
    ("owner", "actor", "refusal"),
    [("other_applicant", "applicant", NotFound), ("applicant", "market", Forbidden)],
    ids=["someone_elses_draft_does_not_exist_for_an_applicant", "a_reviewer_cannot_submit_anything"],
)
def test_a_submission_without_the_right_is_refused_and_nothing_is_written(
    staff: Staff,
    make_draft: Callable[..., Draft],
    submit_draft: Callable[..., Submitted],
    owner: str,
    actor: str,
    refusal: type[Exception],
    nothing_written: Callable[[], None],
) -> None:
    draft = make_draft(getattr(staff, owner))
    with pytest.raises(refusal):
        submit_draft(draft, actor=getattr(staff, actor))
    nothing_written()


def test_a_clerk_registers_a_walk_in_applicant_as_the_same_record(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    draft = make_draft(staff.applicant)
    done = submit_draft(draft, actor=staff.clerk)
    application = done.application
    assert (application.owner_id, application.channel, application.registered_by) == (
        staff.applicant.id,
        "counter",
        staff.clerk.id,
    )
    assert application.status == "submitted"


def test_the_default_limit_refuses_a_file_over_twenty_megabytes() -> None:
    item, problems = check(Upload("floor_plan", "扫描件.pdf", PDF + bytes(MAX_BYTES)), "materials.floor_plan[0]")
    assert item is None
    assert [(p.code, p.message) for p in problems] == [("file_too_large", "文件“扫描件.pdf”超过 20 MB，请压缩后再上传")]
