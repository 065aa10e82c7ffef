"""The receipt (回执): linked from the confirmation and the application page, its PDF read back as text."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pypdf
from fastapi.testclient import TestClient
from sqlmodel import Session

from composer import Composer
from service.workflow.models import Application
from tests.service.wfcase import stored_draft
from tests.service.window.deskutil import Account, People
from tests.service.window.flow import submit


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_the_receipt_lists_the_number_pack_materials_and_signed_letters_with_their_time(
    session: Session, composer: Composer, people: People, browser_of: Callable[[Account], TestClient]
) -> None:
    made = stored_draft(session, composer, people.applicant.user)
    browser = browser_of(people.applicant)
    application_id = submit(browser, made.id, ["food_business"], ("floor_plan", "fire_rules"))
    application = session.get(Application, application_id)
    assert application is not None

    confirmation = browser.get(f"/applications/{application_id}/submitted").text
    page = browser.get(f"/applications/{application_id}").text
    link = f'href="/applications/{application_id}/receipt.pdf"'
    response = browser.get(f"/applications/{application_id}/receipt.pdf")

    assert link in confirmation
    assert link in page
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = _text(response.content)
    signed = application.commitments[0]["accepted_at"]  # UTC; the receipt shows Beijing time
    hour = (int(signed[11:13]) + 8) % 24
    for shown in (
        application.number,
        "申请材料接收回执",
        "mini",
        application.pack_version[:12],
        "平面图.pdf",
        "消防制度.png",
        "食品经营许可",
        "签署于",
        f"{hour:02d}:{signed[14:16]}",
        "五个工作日内",
        "网上申请",
    ):
        assert shown in text, shown


def test_the_receipt_is_in_english_on_request_and_nobody_else_may_read_it(
    session: Session, composer: Composer, people: People, browser_of: Callable[[Account], TestClient]
) -> None:
    made = stored_draft(session, composer, people.applicant.user)
    application_id = submit(browser_of(people.applicant), made.id, ["food_business"], ("floor_plan", "fire_rules"))

    english = browser_of(people.applicant).get(f"/applications/{application_id}/receipt.pdf?lang=en")
    foreign = browser_of(people.other_applicant).get(f"/applications/{application_id}/receipt.pdf")

    assert "Materialsreceived" in _text(english.content)
    assert foreign.status_code == 404
    assert foreign.headers["content-type"].startswith("text/html")
