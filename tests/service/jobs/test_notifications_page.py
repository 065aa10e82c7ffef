"""The 通知 page: a signed-in user's own notifications, newest first, linked from every page."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.jobs.models import Notification
from service.models import User
from tests.service.svcutil import sign_up


def test_a_user_sees_only_their_own_notifications_newest_first(db_client: TestClient, engine: Engine) -> None:
    sign_up(db_client, "reader@example.com")
    with Session(engine) as session:
        me = session.exec(select(User).where(User.email == "reader@example.com")).one()
        other = User(email="other@example.com", password_hash="x")
        session.add(other)
        session.flush()  # no relationship tells the unit of work that a notification needs its user first
        submitted = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
        accepted = datetime(2026, 12, 8, 2, 30, tzinfo=UTC)
        session.add(Notification(key="a", user_id=me.id, title="申请：已提交", body="现为“已提交”。", created_at=submitted))
        session.add(Notification(key="b", user_id=me.id, title="申请：已受理", created_at=accepted))
        session.add(Notification(key="c", user_id=other.id, title="别人的通知"))
        session.commit()

    page = db_client.get("/notifications")
    assert page.status_code == 200
    assert '<a href="/notifications">通知</a>' in page.text
    assert page.text.index("已受理") < page.text.index("已提交")
    assert "2026-12-08 10:30" in page.text  # Beijing time
    assert "现为“已提交”。" in page.text
    assert "别人的通知" not in page.text


def test_the_notifications_page_asks_a_visitor_to_sign_in_and_speaks_english_on_request(
    db_client: TestClient,
) -> None:
    assert db_client.get("/notifications", follow_redirects=False).status_code == 303
    sign_up(db_client, "empty@example.com")
    page = db_client.get("/notifications?lang=en")
    assert "You have no notifications yet." in page.text
    assert ">Notifications</a>" in page.text


def test_the_english_page_shows_each_notification_in_english_and_an_older_one_as_it_was_written(
    db_client: TestClient, engine: Engine
) -> None:
    sign_up(db_client, "bilingual@example.com")
    with Session(engine) as session:
        me = session.exec(select(User).where(User.email == "bilingual@example.com")).one()
        session.add(
            Notification(
                key="new",
                user_id=me.id,
                title="您的申请 DC-1：已受理",
                body="申请 DC-1 现为“已受理”。",
                title_en="Your application DC-1: Accepted",
                body_en="Application DC-1 is now “Accepted”.",
            )
        )
        session.add(Notification(key="old", user_id=me.id, title="您的申请 DC-0：已提交"))  # from before English was kept
        session.commit()

    english = db_client.get("/notifications?lang=en").text
    assert "Your application DC-1: Accepted" in english
    assert "Application DC-1 is now “Accepted”." in english
    assert "您的申请 DC-1" not in english
    assert "您的申请 DC-0：已提交" in english
    chinese = db_client.get("/notifications?lang=zh").text
    assert "您的申请 DC-1：已受理" in chinese
    assert "Your application" not in chinese
