"""Moments on the desks' and the applicant's pages read in Beijing time, whatever zone the database kept them in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from composer import Composer
from service.workflow.models import Application, AuditEvent
from tests.service.wfcase import stored_draft
from tests.service.window.deskutil import Account, People
from tests.service.window.flow import post_form, submit

Browsers = Callable[[Account], TestClient]
BEIJING = ZoneInfo("Asia/Shanghai")


def _minute(at: datetime, zone: ZoneInfo | None) -> str:
    """``at`` to the minute in ``zone``; a naive moment is UTC, as SQLite hands it back."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return f"{aware.astimezone(zone or UTC):%Y-%m-%d %H:%M}"


def test_the_window_queue_and_the_applications_history_show_beijing_time(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk = browser_of(people.applicant), browser_of(people.clerk)

    def submitted() -> uuid.UUID:
        draft = stored_draft(session, composer, people.applicant.user)
        return submit(applicant, draft.id, ["food_business"], ("floor_plan", "fire_rules"))

    waiting = submitted()
    application = session.get(Application, waiting)
    assert application is not None
    assert application.submitted_at is not None
    submitted_at = application.submitted_at
    queue = clerk.get("/window").text
    assert _minute(submitted_at, BEIJING) in queue
    assert _minute(submitted_at, None) not in queue  # eight hours apart, never the same text

    accepted = submitted()
    desk = f"/window/applications/{accepted}"
    assert post_form(clerk, desk, f"{desk}/accept", {}).status_code == 303
    session.expire_all()
    events = session.exec(select(AuditEvent).where(AuditEvent.subject_id == accepted).order_by(col(AuditEvent.seq))).all()
    moved = [event.at for event in events if event.to_state is not None and event.action not in ("create", "release")]
    assert len(moved) >= 2  # submitted, then accepted
    history = applicant.get(f"/applications/{accepted}").text
    for at in moved:
        assert _minute(at, BEIJING) in history
        assert _minute(at, None) not in history
