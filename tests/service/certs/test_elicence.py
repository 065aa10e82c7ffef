"""The push to the e-licence library: owed with each change, delivered at least once through failures, idempotent."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session
from typer.testing import CliRunner

from service.certs.models import Certificate
from service.cli import app
from service.jobs import notifications, outbox
from service.settings import Settings
from service.workflow.models import Application
from service.workflow.review import record_verification
from tests.service.certs.certcase import Staff, task
from tests.service.certs.library import serving
from tests.service.svcutil import free_port, make_settings

Decided = Callable[..., Application]
Issuer = Callable[..., Certificate]


@pytest.fixture(autouse=True)
def _empty_outbox(session: Session) -> Iterator[None]:
    """Other tests leave the rows their changes owed; each test here starts and ends without any."""

    def empty() -> None:
        session.exec(text("DELETE FROM notification"))  # type: ignore[call-overload]
        session.exec(text("DELETE FROM outbox"))  # type: ignore[call-overload]
        session.commit()

    empty()
    yield
    empty()


def _settings(db_url: str, keys_dir: Path, port: int, **overrides: object) -> Settings:
    values: dict[str, object] = {"outbox_backoff_seconds": 0.01, "outbox_backoff_max_seconds": 0.05, "outbox_max_attempts": 30}
    return make_settings(
        db_url, keys_dir=keys_dir, elicence_url=f"http://127.0.0.1:{port}/licences", elicence_timeout=0.4, **(values | overrides)
    )


def _relay_until_done(engine: Engine, settings: Settings, seconds: float = 60) -> None:
    deliver = notifications.deliver(settings)
    deadline = time.monotonic() + seconds
    while True:
        outbox.relay(engine, settings, deliver)
        with Session(engine) as session:
            if outbox.status(session).pending == 0:
                return
        assert time.monotonic() < deadline, "the outbox did not drain"
        time.sleep(0.02)


def _faulty(n: int) -> tuple[int, float, bool]:
    """Every 4th request refused unheard; every 3rd kept but answered after the pusher gave up; every 5th slow."""
    if n % 4 == 1:
        return 503, 0.0, False
    if n % 3 == 0:
        return 200, 0.8, True
    return 200, 0.2 if n % 5 == 0 else 0.0, True


def test_a_faulty_library_ends_holding_exactly_each_versions_state(
    db_url: str, engine: Engine, session: Session, staff: Staff, keys_dir: Path, decide_all: Decided, issue_for: Issuer
) -> None:
    kept, changed, voided = decide_all(), decide_all(), decide_all()
    first_kept = issue_for(kept)
    first_changed = issue_for(changed)
    second_changed = issue_for(changed, form_values={"premises_address": "北京市东城区新址 1 号"})
    first_voided = issue_for(voided)
    food = task(session, voided, "food_business")
    record_verification(session, actor=staff.market, task_id=food.id, passed=False, version=food.version, reason="承诺不实")

    port = free_port()
    with serving(port, _faulty) as library:
        _relay_until_done(engine, _settings(db_url, keys_dir, port))
    assert library.violations == []
    assert library.states() == {
        (str(first_kept.id), 1): "valid",
        (str(first_changed.id), 1): "superseded",
        (str(second_changed.id), 2): "valid",
        (str(first_voided.id), 1): "void",
    }
    assert library.held[(str(first_changed.id), 1)]["superseded_by_version"] == 2
    assert library.held[(str(first_voided.id), 1)]["void_because"] == ["food_business"]
    assert library.held[(str(first_voided.id), 1)]["recovery_reason"] == "承诺不实"
    assert len(library.keys_seen) > len(set(library.keys_seen)), "the late answers should have caused duplicates"
    assert library.requests > len(set(library.keys_seen)), "the refusals should have caused retries"


def test_a_library_that_keeps_failing_is_listed_by_outbox_status(
    db_url: str, engine: Engine, keys_dir: Path, decide_all: Decided, issue_for: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue_for(decide_all())
    port = free_port()
    settings = _settings(db_url, keys_dir, port, outbox_max_attempts=3)
    with serving(port, lambda n: (500, 0.0, False)) as library:
        _relay_until_done(engine, settings)
    assert library.requests == 3
    monkeypatch.setenv("YIYE_DATABASE_URL", db_url)
    shown = CliRunner().invoke(app, ["outbox", "status"])
    assert shown.exit_code == 1
    assert "elicence" in shown.output
    assert "Refused: 500" in shown.output
