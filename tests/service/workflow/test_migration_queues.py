"""Migrations the desks' queues read, down and up again on SQLite and PostgreSQL with cases in them: what each rebuilds."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import inspect
from sqlmodel import Session, select

from composer.workdays import add_working_days
from service import db
from service.db import make_engine
from service.models import Draft
from service.workflow.models import Application, DecisionTally, PermitTask
from service.workflow.review import Decision, decide
from service.workflow.submit import Submitted
from service.workflow.window import accept
from tests.service.wfcase import ON_SITE, Staff, on_site_uploads

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own (the migration is taken down and up, which a shared one cannot bear)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'queues.db'}"
        db.upgrade(url)
        yield url
        return
    schema = f"wfbench_migration_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
            db.upgrade(url)
            yield url
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _snapshot(url: str) -> tuple[list[tuple[str, date]], list[tuple[str, str, int, int, int]]]:
    engine = make_engine(url)
    with Session(engine) as session:
        tasks = sorted((t.permit, t.due_soon_on) for t in session.exec(select(PermitTask)))
        tallies = sorted((t.department, t.permit, t.decided, t.days, t.limit_days) for t in session.exec(select(DecisionTally)))
    engine.dispose()
    return tasks, tallies


def test_down_and_up_again_rebuilds_what_the_queues_read(
    db_url: str, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application = make_submitted()
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version)
    fire = session.exec(select(PermitTask).where(PermitTask.permit == "fire_check")).one()
    decide(session, actor=staff.fire, task_id=fire.id, decision=Decision.approve, version=fire.version)
    session.close()
    before = _snapshot(db_url)
    assert before[1] == [("fire", "fire_check", 1, 0, 13)]

    db.downgrade(db_url, "0007_window")
    engine = make_engine(db_url)
    schema = inspect(engine)
    assert "decision_tally" not in schema.get_table_names()
    assert "due_soon_on" not in {c["name"] for c in schema.get_columns("permit_task")}
    engine.dispose()

    db.upgrade(db_url)
    assert _snapshot(db_url) == before
    command.check(db.alembic_config(db_url))


def _on_site(url: str) -> list[tuple[str, bool]]:
    engine = make_engine(url)
    with Session(engine) as session:
        marked = sorted((t.permit, t.on_site) for t in session.exec(select(PermitTask)))
    engine.dispose()
    return marked


def test_down_and_up_again_marks_again_the_permits_the_joint_visit_holds(
    db_url: str,
    session: Session,
    staff: Staff,
    make_draft: Callable[..., Draft],
    submit_draft: Callable[..., Submitted],
    make_submitted: Callable[[], Application],
) -> None:
    """Migration 0014_task_on_site: a permit inspected before its decision, not one taken on 告知承诺 or one decided on papers."""
    visited = submit_draft(make_draft(staff.applicant, ON_SITE), uploads=on_site_uploads(), signed=[]).application
    committed = make_submitted()
    for application in (visited, committed):
        accept(session, actor=staff.clerk, application_id=application.id, version=application.version)
    session.close()
    before = _on_site(db_url)
    assert ("food_business", False) in before  # the committed application's: checked after its decision
    assert [p for p, on_site in before if on_site] == ["food_business"]

    db.downgrade(db_url, "0013_account_disabled")
    engine = make_engine(db_url)
    assert "on_site" not in {c["name"] for c in inspect(engine).get_columns("permit_task")}
    engine.dispose()

    db.upgrade(db_url)
    assert _on_site(db_url) == before
    command.check(db.alembic_config(db_url))


def _joint_limits(url: str) -> list[tuple[str, date | None]]:
    engine = make_engine(url)
    with Session(engine) as session:
        limits = sorted((a.number, a.joint_due_on) for a in session.exec(select(Application)))
    engine.dispose()
    return limits


def test_down_and_up_again_gives_each_accepted_application_its_joint_limit_again(
    db_url: str, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    """Migration 0017_joint_limit: 45 working days from the day the departments' clocks started; none before acceptance."""
    accepted, waiting = make_submitted(), make_submitted()
    accept(session, actor=staff.clerk, application_id=accepted.id, version=accepted.version, today=date(2026, 12, 7))
    session.close()
    before = _joint_limits(db_url)
    assert before == sorted([(accepted.number, add_working_days(date(2026, 12, 7), 45)), (waiting.number, None)])

    db.downgrade(db_url, "0016_task_extension")
    engine = make_engine(db_url)
    assert "joint_due_on" not in {c["name"] for c in inspect(engine).get_columns("application")}
    engine.dispose()

    db.upgrade(db_url)
    assert _joint_limits(db_url) == before
    command.check(db.alembic_config(db_url))
