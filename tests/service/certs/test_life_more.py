"""A change that adds or takes off a permit, 复业 on request, and what the worker records when a day passes: an
extension left undecided is deemed granted (行政许可法 Art. 50), a 歇业 period over counts as resumed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from certificates.face import CertificateFace
from composer import Composer
from rules.model import LifecycleKind
from service.certs import deemed, holdings, life
from service.certs.keys import signing_ring
from service.certs.lifecycle import to_issue
from service.certs.models import Certificate
from service.certs.verify import VerifyOut, verify
from service.jobs import notifications, outbox
from service.jobs.models import Notification
from service.workflow import audit
from service.workflow.errors import Conflict, Invalid
from service.workflow.models import Application
from service.workflow.storage import LocalFileStore, Upload
from service.workflow.window import accept
from tests.service.certs.certcase import MONDAY, PDF, Staff, apply_about, decide_each, task
from tests.service.svcutil import make_settings


def _scan(session: Session, keys_dir: Path, certificate: Certificate, on: date = MONDAY) -> VerifyOut:
    return verify(session, signing_ring(session, keys_dir).sign(certificate.id, certificate.version), on)


def _states(shown: VerifyOut) -> dict[str, str]:
    return {p.permit: p.state_label for p in shown.permits}


def _accepted(session: Session, staff: Staff, application: Application) -> None:
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)


def _origin(session: Session, certificate: Certificate) -> Application:
    found = session.get(Application, certificate.application_id)
    assert found is not None
    return found


def test_a_change_adding_a_permit_asks_what_the_pack_asks_of_it_and_its_department_decides_it(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    needs = life.what_it_asks(issued, composer, LifecycleKind.change, [], ["tobacco"], _origin(session, issued))
    assert {f.id: f.permits for f in needs.fields}["uscc"] == ["tobacco"]  # the tobacco permit's own field, from the pack
    asked = life.Asked(
        LifecycleKind.change, {"applicant_name": "东城示例旅店有限公司", "uscc": "91110101MA01ABCD06"}, add=["tobacco"]
    )
    application = apply_about(session, staff, composer, store, issued, asked)
    assert ([p["id"] for p in application.composition["permits"]], application.departments) == (["tobacco"], ["market"])
    assert _states(_scan(session, keys_dir, issued)) == dict.fromkeys(("food_business", "fire_check", "hotel_trade"), "有效")
    _accepted(session, staff, application)
    decide_each(session, staff, application, ["tobacco"])
    renewed = life.reissue(session, actor=staff.clerk, application_id=application.id, composer=composer, keys_dir=keys_dir)
    face = CertificateFace.model_validate(renewed.face)
    assert [(p.permit, p.number.rsplit("-", 1)[1]) for p in face.permits][-1] == ("tobacco", "04")
    assert (face.version, face.not_licensed) == (2, [])
    assert _scan(session, keys_dir, issued).state_label == "已换发"
    shown = _scan(session, keys_dir, renewed)
    assert (shown.state_label, _states(shown)["tobacco"]) == ("有效", "有效")
    tobacco = next(p for p in shown.permits if p.permit == "tobacco")
    assert (tobacco.department_name, tobacco.valid_to) == ("区市场监督管理局", None)
    assert [o.number for o, _, p, _, _ in holdings.held_by(session, "market", MONDAY).rows if p == "tobacco"] == [
        _origin(session, issued).number
    ]


def test_a_permit_taken_off_through_a_change_is_cancelled_and_reissued_without_it_never_voiding_the_certificate(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    asked = life.Asked(
        LifecycleKind.change, {"applicant_name": "东城示例旅店有限公司"}, remove=["hotel_trade"], reason="不再经营住宿"
    )
    application = apply_about(session, staff, composer, store, issued, asked)
    assert application.departments == ["police"]
    _accepted(session, staff, application)
    decide_each(session, staff, application, ["hotel_trade"])
    assert _scan(session, keys_dir, issued).state_label == "有效"  # decided: takes effect with the new version
    renewed = life.reissue(session, actor=staff.clerk, application_id=application.id, composer=composer, keys_dir=keys_dir)
    assert [p["permit"] for p in renewed.face["permits"]] == ["food_business", "fire_check"]
    shown = _scan(session, keys_dir, renewed)
    assert (shown.state_label, shown.void_because) == ("有效", [])
    assert _scan(session, keys_dir, issued).state_label == "已换发"
    held = holdings.holding(session, _origin(session, issued), "hotel_trade")
    assert [(e.action, e.to_state) for e in audit.history(session, held.id)] == [("cancel", "cancelled")]
    session.refresh(issued)
    session.refresh(renewed)
    assert (issued.recovered_at, renewed.recovered_at) == (None, None)  # no recovery: it was not voided


RENAMED = {"applicant_name": "东城新名称有限公司", "uscc": "91110101MA01ABCD06"}


def _renaming(
    session: Session, staff: Staff, composer: Composer, store: LocalFileStore, issued: Certificate, add: list[str]
) -> Application:
    """The holder's change of name, adding ``add``, with the floor plan a face change asks for the hotel permit."""
    return life.apply(
        session,
        actor=staff.applicant,
        certificate_id=issued.id,
        asked=life.Asked(LifecycleKind.change, RENAMED, add=add),
        composer=composer,
        store=store,
        uploads=[Upload("floor_plan", "平面图.pdf", PDF)],
        today=MONDAY,
    )


def _renamed_adding_tobacco(
    session: Session,
    staff: Staff,
    composer: Composer,
    keys_dir: Path,
    store: LocalFileStore,
    issued: Certificate,
    refuse: str,
) -> Certificate:
    """The change of name adding the tobacco permit, accepted, each department deciding and ``refuse``'s refusing: re-issued."""
    application = _renaming(session, staff, composer, store, issued, ["tobacco"])
    _accepted(session, staff, application)
    decide_each(session, staff, application, ["food_business", "fire_check", "hotel_trade", "tobacco"], refuse=[refuse])
    return life.reissue(session, actor=staff.clerk, application_id=application.id, composer=composer, keys_dir=keys_dir)


def test_a_permit_refused_in_a_change_that_renames_the_holder_is_reissued_as_not_licensed(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    renewed = _renamed_adding_tobacco(session, staff, composer, keys_dir, store, issued, refuse="tobacco")
    face = CertificateFace.model_validate(renewed.face)
    assert (face.version, face.holder) == (2, "东城新名称有限公司")
    assert [p.permit for p in face.permits] == ["food_business", "fire_check", "hotel_trade"]
    assert [(n.permit, n.reason) for n in face.not_licensed] == [("tobacco", "不予许可")]
    shown = _scan(session, keys_dir, renewed)
    assert (shown.state, _scan(session, keys_dir, issued).state_label) == ("partial", "已换发")
    assert "tobacco" not in [p for _, _, p, _, _ in holdings.held_by(session, "market", MONDAY).rows]


def test_a_permit_granted_in_a_change_whose_new_name_a_department_refused_is_reissued_under_the_old_name(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    renewed = _renamed_adding_tobacco(session, staff, composer, keys_dir, store, issued, refuse="hotel_trade")
    face = CertificateFace.model_validate(renewed.face)
    assert (face.version, face.holder, face.not_licensed) == (2, "东城示例旅店有限公司", [])
    assert [p.permit for p in face.permits] == ["food_business", "fire_check", "hotel_trade", "tobacco"]
    assert _states(_scan(session, keys_dir, renewed))["tobacco"] == "有效"
    assert [o.number for o, _, p, _, _ in holdings.held_by(session, "market", MONDAY).rows if p == "tobacco"] == [
        _origin(session, issued).number
    ]


def test_a_change_of_name_a_department_refused_is_not_reissued_and_the_certificate_stands(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    application = _renaming(session, staff, composer, store, issued, [])
    _accepted(session, staff, application)
    decide_each(session, staff, application, ["food_business", "fire_check", "hotel_trade"], refuse=["hotel_trade"])
    with pytest.raises(Invalid) as refused:
        life.reissue(session, actor=staff.clerk, application_id=application.id, composer=composer, keys_dir=keys_dir)
    assert [p.code for p in refused.value.problems] == ["change_refused"]
    assert to_issue(session) == []  # nothing for the window to issue
    shown = _scan(session, keys_dir, issued)
    assert (shown.state_label, shown.version, shown.holder) == ("有效", 1, "东城示例旅店有限公司")


def test_a_change_whose_only_added_permit_is_refused_ends_without_a_new_version(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    same = {"applicant_name": "东城示例旅店有限公司", "uscc": "91110101MA01ABCD06"}
    application = apply_about(session, staff, composer, store, issued, life.Asked(LifecycleKind.change, same, add=["tobacco"]))
    _accepted(session, staff, application)
    decide_each(session, staff, application, ["tobacco"], refuse=["tobacco"])
    with pytest.raises(Conflict) as refused:
        life.reissue(session, actor=staff.clerk, application_id=application.id, composer=composer, keys_dir=keys_dir)
    assert [p.code for p in refused.value.problems] == ["change_unchanged"]
    assert (_scan(session, keys_dir, issued).state_label, holdings.open_requests(session, issued.application_id)) == ("有效", [])
    renaming = _renaming(session, staff, composer, store, issued, [])
    _accepted(session, staff, renaming)
    decide_each(session, staff, renaming, ["food_business", "fire_check", "hotel_trade"])
    renewed = life.reissue(session, actor=staff.clerk, application_id=renaming.id, composer=composer, keys_dir=keys_dir)
    face = CertificateFace.model_validate(renewed.face)
    assert (face.version, face.holder, face.not_licensed) == (2, "东城新名称有限公司", [])  # the ended change left no trace


def test_a_change_taking_one_permit_off_and_adding_a_refused_one_is_reissued_with_each_decision(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    same = {"applicant_name": "东城示例旅店有限公司", "uscc": "91110101MA01ABCD06"}
    asked = life.Asked(LifecycleKind.change, same, add=["tobacco"], remove=["hotel_trade"], reason="不再经营住宿")
    application = apply_about(session, staff, composer, store, issued, asked)
    _accepted(session, staff, application)
    decide_each(session, staff, application, ["tobacco", "hotel_trade"], refuse=["tobacco"])
    renewed = life.reissue(session, actor=staff.clerk, application_id=application.id, composer=composer, keys_dir=keys_dir)
    face = CertificateFace.model_validate(renewed.face)
    assert [p.permit for p in face.permits] == ["food_business", "fire_check"]
    assert [n.permit for n in face.not_licensed] == ["tobacco"]
    held = holdings.holding(session, _origin(session, issued), "hotel_trade")
    assert [(e.action, e.to_state) for e in audit.history(session, held.id)] == [("cancel", "cancelled")]


def test_a_change_refuses_a_permit_it_cannot_add_or_taking_every_permit_off(
    session: Session, staff: Staff, composer: Composer, store: LocalFileStore, issued: Certificate
) -> None:
    name = {"applicant_name": "东城示例旅店有限公司"}
    with pytest.raises(Invalid) as refused:
        apply_about(
            session, staff, composer, store, issued, life.Asked(LifecycleKind.change, name, add=["food_business", "nonsense"])
        )
    found = [(p.code, p.where) for p in refused.value.problems]
    assert found[:3] == [("permit_not_addable", "add[0]"), ("permit_not_addable", "add[1]"), ("nothing_changed", "form_values")]
    every = life.Asked(LifecycleKind.change, name, remove=["food_business", "fire_check", "hotel_trade"])
    with pytest.raises(Invalid) as refused:
        apply_about(session, staff, composer, store, issued, every)
    assert [p.code for p in refused.value.problems] == ["removes_all"]
    assert holdings.open_requests(session, issued.application_id) == []


def _extension(
    session: Session, staff: Staff, composer: Composer, store: LocalFileStore, issued: Certificate, ends: date
) -> Application:
    """An extension of the food permit, applied for now with its term set to end on ``ends``, accepted, undecided."""
    held = holdings.holding(session, _origin(session, issued), "food_business")
    held.valid_to = ends
    session.add(held)
    session.commit()
    asked = life.Asked(LifecycleKind.extension, {"food_safety_manager": "王五"}, permits=["food_business"])
    application = apply_about(session, staff, composer, store, issued, asked)
    _accepted(session, staff, application)
    return application


def _deem(session: Session, on: date) -> int:
    done = deemed.deem_extensions(session, on)
    session.commit()
    return done


def test_an_extension_undecided_at_the_term_end_is_deemed_granted_the_day_after_and_the_holder_is_told(
    session: Session,
    engine: Engine,
    db_url: str,
    staff: Staff,
    composer: Composer,
    keys_dir: Path,
    store: LocalFileStore,
    issued: Certificate,
) -> None:
    ends = date(2027, 3, 31)  # a Wednesday, a working day
    application = _extension(session, staff, composer, store, issued, ends)
    assert _deem(session, ends) == 0  # the department may still decide on the term's last day
    assert _states(_scan(session, keys_dir, issued, ends))["food_business"] == "延续中"
    assert _states(_scan(session, keys_dir, issued, ends + timedelta(days=1)))["food_business"] == "延续中"  # job not run
    assert _deem(session, ends + timedelta(days=1)) == 1
    assert _deem(session, ends + timedelta(days=2)) == 0  # once
    shown = _scan(session, keys_dir, issued, ends + timedelta(days=1))
    food = next(p for p in shown.permits if p.permit == "food_business")
    assert (shown.state_label, food.state_label, food.valid_to) == ("有效", "有效", date(2032, 3, 31))
    session.refresh(application)
    assert (application.status, task(session, application, "food_business").status) == ("decided", "approved")
    held = holdings.holding(session, _origin(session, issued), "food_business")
    (event,) = audit.history(session, held.id)
    assert (event.action, event.actor_id, event.reason, event.data["deemed"]) == ("extend", None, life.DEEMED, True)
    settings = make_settings(db_url)
    outbox.relay(engine, settings, notifications.deliver(settings))
    session.expire_all()
    told = session.exec(
        select(Notification).where(Notification.user_id == staff.applicant.id).order_by(col(Notification.created_at))
    )
    assert any("视为准予延续" in n.body and n.title == "食品经营许可：有效" for n in told)


def test_a_term_ending_on_a_weekend_leaves_the_department_the_next_working_day_and_a_late_application_no_deemed_grant(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    saturday = date(2027, 3, 27)
    assert deemed.decision_due(saturday) == date(2027, 3, 29)  # 行政许可法 Art. 82: the agency's days are working days
    _extension(session, staff, composer, store, issued, saturday)
    assert _deem(session, saturday + timedelta(days=2)) == 0  # Monday: still the department's
    assert _deem(session, saturday + timedelta(days=3)) == 1


def test_an_extension_applied_for_under_thirty_days_before_the_term_end_is_not_deemed_granted_and_the_term_ends(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    ends = date.today() + timedelta(days=20)  # applied now: 20 days before, not 30 (Art. 50)
    _extension(session, staff, composer, store, issued, ends)
    assert _states(_scan(session, keys_dir, issued, ends))["food_business"] == "延续中"
    assert _deem(session, ends + timedelta(days=10)) == 0
    after = _scan(session, keys_dir, issued, ends + timedelta(days=1))
    assert (after.state_label, after.void_because, _states(after)["food_business"]) == ("作废", ["food_business"], "已过期")


def _suspended(
    session: Session, staff: Staff, composer: Composer, store: LocalFileStore, issued: Certificate, until: date
) -> None:
    asked = life.Asked(LifecycleKind.suspension, {}, suspend_from=MONDAY, suspend_to=until, reason="店面装修")
    application = apply_about(session, staff, composer, store, issued, asked)
    _accepted(session, staff, application)
    decide_each(session, staff, application, ("food_business", "fire_check", "hotel_trade"))


def test_a_suspended_holder_resumes_before_the_period_ends_through_the_window(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    with pytest.raises(Invalid) as refused:  # nothing is suspended yet
        apply_about(session, staff, composer, store, issued, life.Asked(LifecycleKind.resumption, {}))
    assert [p.code for p in refused.value.problems] == ["not_suspended"]
    until = MONDAY + timedelta(days=90)
    _suspended(session, staff, composer, store, issued, until)
    assert set(_states(_scan(session, keys_dir, issued)).values()) == {"歇业"}
    application = apply_about(
        session, staff, composer, store, issued, life.Asked(LifecycleKind.resumption, {}, reason="装修完毕")
    )
    assert sorted(application.departments) == ["fire", "market", "police"]
    _accepted(session, staff, application)
    decide_each(session, staff, application, ("food_business", "fire_check", "hotel_trade"))
    shown = _scan(session, keys_dir, issued)
    assert (shown.state_label, set(_states(shown).values())) == ("有效", {"有效"})
    held = holdings.holding(session, _origin(session, issued), "fire_check")
    assert [(e.action, e.reason) for e in audit.history(session, held.id)] == [("suspend", "店面装修"), ("resume", "装修完毕")]
    assert deemed.resume_after_period(session, until + timedelta(days=1)) == 0  # resumed already: nothing to deem


def test_a_period_ended_without_resumption_counts_as_resumed_and_the_worker_records_it(
    session: Session, staff: Staff, composer: Composer, keys_dir: Path, store: LocalFileStore, issued: Certificate
) -> None:
    until = MONDAY + timedelta(days=30)
    _suspended(session, staff, composer, store, issued, until)
    assert deemed.resume_after_period(session, until) == 0
    assert set(_states(_scan(session, keys_dir, issued, until + timedelta(days=1))).values()) == {"有效"}  # read from the date
    assert deemed.resume_after_period(session, until + timedelta(days=1)) == 3
    session.commit()
    held = holdings.holding(session, _origin(session, issued), "hotel_trade")
    assert (held.status, audit.history(session, held.id)[-1].reason) == ("valid", deemed.RESUMED)
    with pytest.raises(Invalid):  # nothing suspended any more
        apply_about(session, staff, composer, store, issued, life.Asked(LifecycleKind.resumption, {}))
