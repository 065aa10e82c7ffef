"""The certificate's life after issue: change, extension, suspension and cancellation through the window, and a
department ending its own permit — each state change audited, the scan showing it at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from certificates.face import CertificateFace
from composer import Composer
from rules.model import LifecycleKind
from service.certs import holdings, life
from service.certs.keys import signing_ring
from service.certs.lifecycle import current, issue, to_issue
from service.certs.models import Certificate
from service.certs.verify import VerifyOut, verify
from service.workflow import audit
from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound
from service.workflow.inspection import checklist
from service.workflow.models import Application
from service.workflow.storage import LocalFileStore, Upload
from service.workflow.window import accept
from tests.service.certs.certcase import MONDAY, PDF, Staff, decide_each

Decided = Callable[..., Application]


def _scan(session: Session, keys_dir: Path, certificate: Certificate, on: date = MONDAY) -> VerifyOut:
    return verify(session, signing_ring(session, keys_dir).sign(certificate.id, certificate.version), on)


def _states(shown: VerifyOut) -> dict[str, str]:
    return {p.permit: p.state_label for p in shown.permits}


def _apply(
    session: Session,
    staff: Staff,
    composer: Composer,
    store: LocalFileStore,
    certificate: Certificate,
    asked: life.Asked,
    **kw: object,
) -> Application:
    args: dict[str, object] = {"actor": staff.applicant, "uploads": [], "today": MONDAY} | kw
    return life.apply(session, certificate_id=certificate.id, asked=asked, composer=composer, store=store, **args)  # type: ignore[arg-type]


def _through_window(session: Session, staff: Staff, application: Application, refuse: tuple[str, ...] = ()) -> None:
    """The window accepts it and each department decides its part (approving unless named in ``refuse``)."""
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    permits = life.request_of(session, application.id).permits  # type: ignore[union-attr]
    decide_each(session, staff, application, permits, refuse, ("不符合延续条件", "《中华人民共和国行政许可法》第五十条"))
    session.refresh(application)
    assert application.status == "decided"


def test_an_extension_goes_through_the_window_and_shows_on_the_next_scan_without_a_new_certificate(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    printed = {p.permit: p.valid_to for p in CertificateFace.model_validate(issued.face).permits}
    asked = life.Asked(LifecycleKind.extension, {"food_safety_manager": "王五"}, permits=["food_business"])
    application = _apply(session, staff, composer, store, issued, asked)
    assert application.composition["permits"][0]["id"] == "food_business"
    assert application.departments == ["market"]
    assert checklist(application) == {}  # decided on its papers: no joint visit to schedule
    assert _states(_scan(session, keys_dir, issued))["food_business"] == "延续中"  # applied for: under way
    _through_window(session, staff, application)
    shown = _scan(session, keys_dir, issued)
    food = next(p for p in shown.permits if p.permit == "food_business")
    before = printed["food_business"]
    assert before is not None
    assert food.valid_to == before.replace(year=before.year + 5)
    assert (food.state_label, shown.state_label, shown.version) == ("有效", "有效", 1)
    again = current(session, issued.application_id)
    assert again is not None
    assert again.id == issued.id  # the same certificate: no new version
    assert (
        _scan(session, keys_dir, issued, before + timedelta(days=1)).state_label == "有效"
    )  # the old term is past, the new holds
    held = holdings.holding(session, session.get(Application, issued.application_id), "food_business")  # type: ignore[arg-type]
    assert [(e.action, e.from_state, e.to_state) for e in audit.history(session, held.id)] == [("extend", "valid", "valid")]


def test_a_refused_extension_leaves_the_term_and_the_permit_expires_on_it(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    asked = life.Asked(LifecycleKind.extension, {"food_safety_manager": "王五"}, permits=["food_business"])
    _through_window(session, staff, _apply(session, staff, composer, store, issued, asked), refuse=("food_business",))
    end = {p.permit: p.valid_to for p in CertificateFace.model_validate(issued.face).permits}["food_business"]
    assert end is not None
    assert _scan(session, keys_dir, issued, end).state_label == "有效"
    after = _scan(session, keys_dir, issued, end + timedelta(days=1))
    assert (after.state_label, after.void_because, _states(after)["food_business"]) == ("作废", ["food_business"], "已过期")


def test_a_face_change_is_reissued_as_the_next_version_and_the_old_scan_says_reissued(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    asked = life.Asked(LifecycleKind.change, {"applicant_name": "东城新名称旅店有限公司"})
    upload = [Upload("floor_plan", "平面图.pdf", PDF)]  # the police's own addition for the hotel permit
    application = _apply(session, staff, composer, store, issued, asked, uploads=upload)
    # the change asks for the registered address too, which the holder never gave and may leave so
    assert [f["id"] for f in application.composition["lifecycle"]["fields"]] == ["applicant_name", "registered_address"]
    assert {m["key"]: m["status"] for m in application.composition["materials"]} == {
        "business_license": "exempt",
        "floor_plan": "submit",
    }
    _through_window(session, staff, application)
    assert [(a.number, r.kind if r else None) for a, r in to_issue(session)] == [(application.number, "change")]
    renewed = life.reissue(session, actor=staff.clerk, application_id=application.id, composer=composer, keys_dir=keys_dir)
    assert to_issue(session) == []
    face = CertificateFace.model_validate(renewed.face)
    assert (face.version, face.holder, face.number) == (2, "东城新名称旅店有限公司", issued.number)
    old = _scan(session, keys_dir, issued)
    assert (old.state_label, old.superseded_by_version, old.holder, old.permits) == ("已换发", 2, None, [])
    new = _scan(session, keys_dir, renewed)
    assert (new.state_label, new.holder) == ("有效", "东城新名称旅店有限公司")
    assert set(_states(new).values()) == {"已变更"}
    with pytest.raises(Conflict, match="证面未变化"):  # a later issue keeps the changed name: nothing to re-issue
        issue(session, actor=staff.clerk, application_id=issued.application_id, composer=composer, keys_dir=keys_dir)


def test_a_change_that_changes_nothing_or_misses_a_material_is_refused_whole(
    session: Session, staff: Staff, composer: Composer, store: LocalFileStore, issued: Certificate
) -> None:
    with pytest.raises(Invalid) as refused:
        _apply(
            session, staff, composer, store, issued, life.Asked(LifecycleKind.change, {"applicant_name": "东城示例旅店有限公司"})
        )
    assert {p.code for p in refused.value.problems} == {"nothing_changed", "material_missing"}
    with pytest.raises(Invalid) as refused:
        _apply(session, staff, composer, store, issued, life.Asked(LifecycleKind.change, {"applicant_name": " "}))
    assert "field_required" in {p.code for p in refused.value.problems}
    assert holdings.open_requests(session, issued.application_id) == []


def test_only_the_holder_applies_about_a_current_certificate_and_once_at_a_time(
    session: Session, staff: Staff, composer: Composer, store: LocalFileStore, issued: Certificate
) -> None:
    extension = life.Asked(LifecycleKind.extension, {"food_safety_manager": "王五"}, permits=["food_business"])
    with pytest.raises(NotFound):
        _apply(session, staff, composer, store, issued, extension, actor=staff.other_applicant)
    with pytest.raises(Forbidden):
        _apply(session, staff, composer, store, issued, extension, actor=staff.market)
    _apply(session, staff, composer, store, issued, extension)
    with pytest.raises(Conflict, match="已有一件延续申请"):
        _apply(session, staff, composer, store, issued, extension)
    with pytest.raises(Invalid) as refused:
        _apply(session, staff, composer, store, issued, life.Asked(LifecycleKind.cancellation, {}, permits=["tobacco"]))
    assert "permit_not_held" in {p.code for p in refused.value.problems}


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (MONDAY - timedelta(days=1), MONDAY + timedelta(days=30), "period_past"),
        (MONDAY, MONDAY, "period_order"),
        (MONDAY, MONDAY.replace(year=MONDAY.year + 3), "period_too_long"),  # 登记条例 Art. 30: at most three years
        (None, MONDAY, "period_required"),
    ],
)
def test_a_suspension_needs_a_period_of_at_most_three_years(
    session: Session,
    staff: Staff,
    composer: Composer,
    store: LocalFileStore,
    issued: Certificate,
    start: date | None,
    end: date,
    code: str,
) -> None:
    with pytest.raises(Invalid) as refused:
        _apply(
            session, staff, composer, store, issued, life.Asked(LifecycleKind.suspension, {}, suspend_from=start, suspend_to=end)
        )
    assert [p.code for p in refused.value.problems] == [code]


def test_suspensions_add_up_to_at_most_three_years(
    session: Session, staff: Staff, composer: Composer, store: LocalFileStore, issued: Certificate
) -> None:
    first = life.Asked(LifecycleKind.suspension, {}, suspend_from=MONDAY, suspend_to=MONDAY + timedelta(days=400))
    _through_window(session, staff, _apply(session, staff, composer, store, issued, first))
    later = MONDAY + timedelta(days=300)  # a longer period from then on (实施细则 Art. 41): 300 days are used
    three_years = MONDAY.replace(year=MONDAY.year + 3)  # 登记条例 Art. 30, 实施细则 Art. 42: three years in all
    longer = life.Asked(LifecycleKind.suspension, {}, suspend_from=later, suspend_to=three_years)
    with pytest.raises(Invalid) as refused:
        _apply(session, staff, composer, store, issued, longer)
    assert [(p.code, p.where) for p in refused.value.problems] == [("period_too_long", "suspend_to")]
    assert "此前已歇业 300 天" in refused.value.problems[0].message
    longest = life.Asked(LifecycleKind.suspension, {}, suspend_from=later, suspend_to=three_years - timedelta(days=1))
    _apply(session, staff, composer, store, issued, longest)


def test_a_suspension_shows_for_its_period_and_the_business_counts_as_resumed_after_it(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    until = MONDAY + timedelta(days=60)
    asked = life.Asked(LifecycleKind.suspension, {}, suspend_from=MONDAY, suspend_to=until, reason="店面装修")
    _through_window(session, staff, _apply(session, staff, composer, store, issued, asked))
    during = _scan(session, keys_dir, issued, until)
    assert (set(_states(during).values()), during.state_label) == ({"歇业"}, "有效")
    assert set(_states(_scan(session, keys_dir, issued, until + timedelta(days=1))).values()) == {"有效"}


def test_a_cancellation_voids_the_certificate_at_once_and_records_its_recovery(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    asked = life.Asked(LifecycleKind.cancellation, {}, permits=["fire_check"], reason="不再经营")
    _through_window(session, staff, _apply(session, staff, composer, store, issued, asked))
    shown = _scan(session, keys_dir, issued)
    assert (shown.state_label, shown.void_because, _states(shown)["fire_check"]) == ("作废", ["fire_check"], "已注销")
    session.refresh(issued)
    assert issued.recovered_at is not None
    assert "已注销" in issued.recovery_reason
    assert [e.action for e in audit.history(session, issued.id)] == ["issue", "recover"]
    with pytest.raises(Conflict, match="已作废"):
        _apply(
            session,
            staff,
            composer,
            store,
            issued,
            life.Asked(LifecycleKind.suspension, {}, suspend_from=MONDAY, suspend_to=MONDAY),
        )


@pytest.mark.parametrize(("how", "label"), [("revoke", "已吊销"), ("withdraw", "已撤销"), ("cancel", "已注销")])
def test_a_department_ending_its_own_permit_voids_the_certificate_and_no_other_department_may(
    session: Session, staff: Staff, keys_dir: Path, issued: Certificate, how: str, label: str
) -> None:
    ending = {"application_id": issued.application_id, "permit": "hotel_trade", "how": how, "reason": "违法经营"}
    with pytest.raises(Forbidden):
        holdings.end_permit(session, actor=staff.fire, **ending)  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        holdings.end_permit(session, actor=staff.police, **(ending | {"reason": ""}))  # type: ignore[arg-type]
    held = holdings.end_permit(session, actor=staff.police, **ending)  # type: ignore[arg-type]
    shown = _scan(session, keys_dir, issued)
    assert (shown.state_label, shown.void_because, _states(shown)["hotel_trade"]) == ("作废", ["hotel_trade"], label)
    assert [(e.action, e.to_state, e.reason) for e in audit.history(session, held.id)] == [(how, held.status, "违法经营")]
    with pytest.raises(Conflict):
        holdings.end_permit(session, actor=staff.police, **ending)  # type: ignore[arg-type]
    assert [(o.number, p, s.label) for o, _, p, _, s in holdings.held_by(session, "police", MONDAY).rows] == [
        (session.get(Application, issued.application_id).number, "hotel_trade", label)  # type: ignore[union-attr]
    ]


def test_a_department_reads_its_issued_permits_a_page_at_a_time_and_finds_a_holder_by_name(
    session: Session, issue_for: Callable[..., Certificate], decide_all: Callable[..., Application]
) -> None:
    applications = [decide_all() for _ in range(3)]
    for application in applications:
        issue_for(application)
    renamed = applications[1]
    renamed.applicant_name = "东城区百草药房有限公司"
    session.add(renamed)
    session.commit()
    numbers = sorted(a.number for a in applications)

    first = holdings.held_by(session, "police", MONDAY, size=2)
    assert [o.number for o, *_ in first.rows] == numbers[:2]
    assert first.next_after == numbers[1]
    last = holdings.held_by(session, "police", MONDAY, size=2, after=first.next_after)
    assert ([o.number for o, *_ in last.rows], last.next_after) == (numbers[2:], None)
    found = holdings.held_by(session, "police", MONDAY, search=" 百草药房 ")
    assert [o.number for o, *_ in found.rows] == [renamed.number]
    for bad in ({"search": "药" * 101}, {"after": "DC-" + "9" * 30}):
        with pytest.raises(Invalid):
            holdings.held_by(session, "police", MONDAY, **bad)  # type: ignore[arg-type]


def test_a_second_suspension_after_the_first_and_an_extension_during_one_are_recorded_on_the_permit(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    first = life.Asked(LifecycleKind.suspension, {}, suspend_from=MONDAY, suspend_to=MONDAY + timedelta(days=10))
    _through_window(session, staff, _apply(session, staff, composer, store, issued, first))
    extension = life.Asked(LifecycleKind.extension, {"food_safety_manager": "王五"}, permits=["food_business"])
    _through_window(session, staff, _apply(session, staff, composer, store, issued, extension))
    later = MONDAY + timedelta(days=20)
    second = life.Asked(LifecycleKind.suspension, {}, suspend_from=later, suspend_to=later + timedelta(days=10))
    _through_window(session, staff, _apply(session, staff, composer, store, issued, second))
    held = holdings.holding(session, session.get(Application, issued.application_id), "food_business")  # type: ignore[arg-type]
    assert [e.action for e in audit.history(session, held.id)] == ["suspend", "extend", "resume", "suspend"]
    assert _states(_scan(session, keys_dir, issued, later))["food_business"] == "歇业"
