"""The desks in English: every page of the workflow (applicant, window, review, inspection, supervision) shows no
Chinese text of its own — only what people typed or the rule pack names (permits, materials, letters)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from composer import Composer
from composer.workdays import is_working_day
from service.compose import today
from service.i18n import translations
from service.pages.window import desk as desk_pages
from service.workflow import clock, states
from service.workflow import window as window_service
from service.workflow.models import Application, AuditEvent, Inspection, MaterialFile, PermitTask
from tests.service.wfcase import CASE, ON_SITE, stored_draft, the_visit_day_comes
from tests.service.window.deskutil import Account, People
from tests.service.window.flow import FILES, post_form, submit

Browsers = Callable[[Account], TestClient]
HAN = re.compile(r"[\u4e00-\u9fff]+")


def _english(browser_of: Browsers, person: Account) -> TestClient:
    client = browser_of(person)
    assert client.get("/?lang=en").status_code == 200  # remembered in the language cookie
    return client


def _visible(html: str) -> str:
    """The page's text and attribute values a person reads, without scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _data(session: Session, application: Application) -> set[str]:
    """The Chinese a page may show: the pack's names and texts, the form's values, the files' names, and the
    audit record's reasons (the record is kept as written, in Chinese)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.update(HAN.findall(value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(application.composition)
    walk(application.form_values)
    walk(application.commitments)
    walk(application.refusal)
    walk([f.filename for f in session.exec(select(MaterialFile).where(MaterialFile.application_id == application.id))])
    walk([e.reason for e in session.exec(select(AuditEvent))])
    return found


def test_every_desk_page_in_english_shows_no_chinese_of_its_own(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk = _english(browser_of, people.applicant), _english(browser_of, people.clerk)
    market, inspector = _english(browser_of, people.market), _english(browser_of, people.inspector)
    supervisor = _english(browser_of, people.supervisor)
    pages: list[tuple[str, str]] = []

    def see(client: TestClient, url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append((url, response.text))
        return response.text

    made = stored_draft(session, composer, people.applicant.user, ON_SITE)
    see(applicant, f"/drafts/{made.id}/submit")
    application_id = submit(applicant, made.id, [], ("floor_plan", "fire_rules", "operation_flow"))
    own, desk = f"/applications/{application_id}", f"/window/applications/{application_id}"
    see(applicant, f"{own}/submitted")
    see(applicant, "/applications")
    see(clerk, "/window")
    see(clerk, desk)
    findings = {"finding.floor_plan": "not_acceptable", "finding.fire_rules": "received", "finding.operation_flow": "received"}
    no_reason = post_form(clerk, desk, f"{desk}/correction", findings)
    assert no_reason.status_code == 400
    pages.append(("correction without a reason", no_reason.text))
    findings["reason.floor_plan"] = "floor plan unreadable"
    assert post_form(clerk, desk, f"{desk}/correction", findings).status_code == 303
    see(applicant, own)
    see(clerk, desk)
    answered = post_form(applicant, own, f"{own}/correction", {}, files=[("material.floor_plan", FILES["floor_plan"])])
    assert answered.status_code == 303
    assert post_form(clerk, desk, f"{desk}/accept", {}).status_code == 303
    see(clerk, desk)
    day = today() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    assert post_form(clerk, desk, f"{desk}/inspection", {"visit_on": day.isoformat()}).status_code == 303
    inspection = session.exec(select(Inspection).where(Inspection.application_id == application_id)).one()
    checklist = f"/inspection/{inspection.id}"
    see(inspector, "/inspection")
    see(inspector, checklist)  # before the day
    assert "A process for on-site preparation" in see(applicant, own)  # what the visit will check
    the_visit_day_comes(session, application_id)
    assert "Visit today" in see(inspector, "/inspection")
    see(inspector, checklist)
    failed = {"result.manager": "pass", "result.process": "fail", "note.process": "no written process"}
    assert post_form(inspector, checklist, f"{checklist}/food_business", failed).status_code == 303
    rectification = see(applicant, own)
    see(market, "/review")
    task = session.exec(select(PermitTask).where(PermitTask.permit == "fire_check")).one()
    see(supervisor, "/supervision")
    see(supervisor, own)
    food_task = f"/review/tasks/{session.exec(select(PermitTask).where(PermitTask.permit == 'food_business')).one().id}"
    see(market, food_task)
    see(_english(browser_of, people.fire), f"/review/tasks/{task.id}")
    pages.append(("another desk's page", clerk.get(f"/review/tasks/{task.id}").text))

    # the pack's permits by their English names, not the Chinese ones the application keeps (its record quotes them)
    assert "Food business license" in _visible(dict(pages)[own])
    assert "Food business license" in _visible(dict(pages)["/review"])
    assert "食品经营许可" not in _visible(dict(pages)["/review"])
    fire_task = _visible(dict(pages)[f"/review/tasks/{task.id}"])  # the form as the pack labels it
    assert "Applicant name" in fire_task
    assert "申请人名称" not in fire_task
    # and the requirements of the visit by the pack's English text: on the checklist, the rectification notice, the
    # findings (the timeline quotes the record as it was written)
    notice = rectification.split('aria-labelledby="rectify-title"')[1].split("</section>")[0]
    for page in (dict(pages)[checklist], notice, dict(pages)[food_task]):
        assert "A process for on-site preparation" in _visible(page)
        assert "现场制售须有操作流程" not in _visible(page)

    application = session.get(Application, application_id)
    assert application is not None
    allowed = _data(session, application) | {"中文"}  # the language switch names Chinese in Chinese
    leftovers = {
        url: sorted({run for run in HAN.findall(_visible(html)) if run not in allowed and not any(run in a for a in allowed)})
        for url, html in pages
    }
    shown = {url: runs for url, runs in leftovers.items() if runs}
    assert not shown, "\n".join(f"{url}: {'、'.join(runs)}" for url, runs in shown.items())


def _problem_messages() -> set[str]:
    """Every problem message the workflow and the desks' pages write as a plain string (no names in it)."""
    found = set()
    for folder in (Path(window_service.__file__).parent, Path(desk_pages.__file__).parent):
        for source in folder.glob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("problem", "Problem") and len(node.args) > 1:
                    message = node.args[1]
                    if isinstance(message, ast.Constant) and isinstance(message.value, str):
                        found.add(message.value)
    return found


def test_every_state_standing_finding_and_problem_of_the_desks_has_an_english_text() -> None:
    english = translations("en").gettext
    wanted = (
        set(states.APPLICATION_LABELS.values())
        | set(states.TASK_LABELS.values())
        | set(states.INSPECTION_LABELS.values())
        | set(clock.STANDING_LABELS.values())
        | set(window_service.FINDING_LABELS.values())
        | set(desk_pages.GENERAL.values())
        | _problem_messages()
    )
    assert len(wanted) > 80
    assert sorted(m for m in wanted if english(m) == m) == []


def test_the_commitment_letter_to_sign_is_titled_by_the_permits_english_name(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    """The letter is signed as written, in Chinese; the page names its permit in the page's language."""
    made = stored_draft(session, composer, people.applicant.user, CASE)
    page = _visible(_english(browser_of, people.applicant).get(f"/drafts/{made.id}/submit").text)
    assert "Food business license" in page
    assert "本人承诺经营场所符合食品安全要求。" in page
    assert "食品经营许可" not in page
