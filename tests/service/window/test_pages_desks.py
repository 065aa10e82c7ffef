"""Each desk clicked through with its own browser: the window, two departments, the inspector, the supervisor."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from composer import Composer
from composer.workdays import add_working_days, is_working_day
from service.compose import today
from service.models import User
from service.workflow.models import Application, CorrectionNotice, Inspection, PermitTask
from tests.service.wfcase import ON_SITE, stored_draft, the_visit_day_comes
from tests.service.window.deskutil import Account, People, error_beside
from tests.service.window.flow import FILES, post_form, submit, timeline

Browsers = Callable[[Account], TestClient]
FILE_KEYS = ("floor_plan", "fire_rules")


def _status(session: Session, application_id: object) -> str:
    session.expire_all()
    application = session.get(Application, application_id)
    assert application is not None
    return application.status


def _task(session: Session, permit: str) -> PermitTask:
    session.expire_all()
    return session.exec(select(PermitTask).where(PermitTask.permit == permit)).one()


def _submitted(session: Session, composer: Composer, people: People, applicant: TestClient) -> tuple[uuid.UUID, str]:
    """The applicant's case sent through the pages, the food letter signed and both files uploaded: (id, the window's page)."""
    application_id = submit(applicant, stored_draft(session, composer, people.applicant.user).id, ["food_business"], FILE_KEYS)
    return application_id, f"/window/applications/{application_id}"


def _accepted(
    session: Session, composer: Composer, people: People, applicant: TestClient, clerk: TestClient
) -> tuple[uuid.UUID, str]:
    """The case sent as ``_submitted`` does, then accepted at the window into the departments' parallel approval."""
    application_id, desk = _submitted(session, composer, people, applicant)
    assert post_form(clerk, desk, f"{desk}/accept", {}).status_code == 303
    return application_id, desk


def test_the_window_sends_one_correction_notice_and_the_applicant_answers_only_it(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk = browser_of(people.applicant), browser_of(people.clerk)
    application_id, desk = _submitted(session, composer, people, applicant)
    assert str(application_id) in clerk.get("/window").text

    no_reason = post_form(
        clerk, desk, f"{desk}/correction", {"finding.floor_plan": "received", "finding.fire_rules": "not_acceptable"}
    )
    assert no_reason.status_code == 400
    assert error_beside(no_reason.text, "finding-fire_rules") == "不符合要求的材料须写明理由"
    assert session.exec(select(CorrectionNotice)).all() == []

    sent = post_form(
        clerk,
        desk,
        f"{desk}/correction",
        {"finding.floor_plan": "received", "finding.fire_rules": "not_acceptable", "reason.fire_rules": "未加盖公章"},
    )
    assert sent.status_code == 303
    page = applicant.get(f"/applications/{application_id}")
    assert "一次性补正告知书" in page.text
    assert "未加盖公章" in page.text
    assert 'name="material.fire_rules"' in page.text
    assert 'name="material.floor_plan"' not in page.text

    own = f"/applications/{application_id}"
    wrong = post_form(applicant, own, f"{own}/correction", {}, files=[("material.floor_plan", FILES["floor_plan"])])
    assert wrong.status_code == 400
    assert "补正告知没有要求这项材料，无需重新提交" in wrong.text.split('class="error-summary"')[1].split("</div>")[0]
    assert error_beside(wrong.text, "materials-fire_rules").startswith("请补正")
    assert _status(session, application_id) == "correction_requested"

    answered = post_form(applicant, own, f"{own}/correction", {}, files=[("material.fire_rules", FILES["fire_rules"])])
    assert answered.status_code == 303
    assert _status(session, application_id) == "resubmitted"
    assert post_form(clerk, desk, f"{desk}/accept", {}).status_code == 303
    assert _status(session, application_id) == "in_approval"
    steps = timeline(applicant.get(own).text)
    assert (
        steps.index("已提交")
        < steps.index("待补正")
        < steps.index("已补正")
        < steps.index("已受理")
        < steps.index("各部门审批中")
    )


def test_the_window_shows_each_answer_due_puts_the_late_one_first_and_counts_it_accepted_on_receipt(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk = browser_of(people.applicant), browser_of(people.clerk)
    fresh, _ = _submitted(session, composer, people, applicant)
    late, _ = _submitted(session, composer, people, applicant)
    received = today() - timedelta(days=14)  # two weeks ago, and never answered
    row = session.get(Application, late)
    assert row is not None
    row.submitted_at = datetime.combine(received, time(4), tzinfo=UTC)  # noon in Beijing
    session.add(row)
    session.commit()

    queue = re.search(r'id="queue">.*?</table>', clerk.get("/window").text, re.S)
    assert queue is not None
    assert queue.group().index(str(late)) < queue.group().index(str(fresh))
    assert _due(queue.group(), late) == (add_working_days(received, 5).isoformat(), "已逾期")
    assert _due(queue.group(), fresh) == (add_working_days(today(), 5).isoformat(), "正常")
    told = re.search(r'id="answer-by">([^<]+)<', applicant.get(f"/applications/{fresh}").text)
    assert told is not None  # the applicant knows by when to hear from the window
    assert f"综合窗口将在 {add_working_days(today(), 5).isoformat()} 前核对材料" in told[1]
    told = re.search(r'id="answer-by">([^<]+)<', applicant.get(f"/applications/{late}").text)
    assert told is not None
    assert f"自收到材料之日（{received.isoformat()}）起即为受理" in told[1]
    watched = re.search(r'id="unanswered">.*?</table>', browser_of(people.supervisor).get("/supervision").text, re.S)
    assert watched is not None  # the district's supervisor sees the late one, and only it
    assert f'href="/applications/{late}"' in watched.group()
    assert str(fresh) not in watched.group()
    on_time = clerk.get(f"/window/applications/{fresh}").text
    assert f'id="answer-by">答复期限：<span class="nowrap">{add_working_days(today(), 5).isoformat()}</span></p>' in on_time
    assert 'id="deemed-accepted"' not in on_time
    desk = f"/window/applications/{late}"
    shown = clerk.get(desk).text
    deemed = re.search(r'id="deemed-accepted">([^<]+)<', shown)
    assert deemed is not None
    assert f"（{received.isoformat()}）起即为受理，不能再告知补正" in deemed[1]
    assert f"{desk}/correction" not in shown  # no notice form, the files still listed
    assert re.search(r'id="materials">.*?href="/applications/[^"]+/files/', shown, re.S)
    sent = post_form(clerk, desk, f"{desk}/correction", {"finding.floor_plan": "missing"})  # an old copy of the page
    assert sent.status_code == 400
    assert "依法已视为受理，不能再告知补正" in sent.text
    assert session.exec(select(CorrectionNotice).where(CorrectionNotice.application_id == late)).all() == []
    assert post_form(clerk, desk, f"{desk}/accept", {}).status_code == 303
    assert {t.clock_started_on for t in session.exec(select(PermitTask).where(PermitTask.application_id == late))} == {received}
    assert 'id="unanswered"' not in browser_of(people.supervisor).get("/supervision").text


def test_the_window_records_the_district_heads_extension_of_the_joint_limit_and_the_supervisor_sees_it_run_out(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk = browser_of(people.applicant), browser_of(people.clerk)
    application_id, desk = _accepted(session, composer, people, applicant, clerk)
    due = add_working_days(today(), 45)
    assert f'id="joint-due">各部门应于 {due.isoformat()} 前全部作出决定。</p>' in clerk.get(desk).text
    told = re.search(r'id="joint-due">([^<]+)<', applicant.get(f"/applications/{application_id}").text)
    assert told is not None
    assert f"最迟于 {due.isoformat()} 前全部作出决定" in told[1]

    version = re.findall(r'name="version" value="(\d+)"', clerk.get(desk).text)[-1]  # the extension form's, the last
    unsaid = post_form(clerk, desk, f"{desk}/extension", {"version": version, "joint_reason": "需三个部门会商"})
    assert unsaid.status_code == 400
    assert error_beside(unsaid.text, "joint_approved_by") == "须写明批准延长的区人民政府负责人"
    assert 'id="joint-extension" open' in unsaid.text
    sent = {"version": version, "joint_reason": "需三个部门会商", "joint_approved_by": "张区长"}
    assert post_form(clerk, desk, f"{desk}/extension", sent).status_code == 303
    extended = add_working_days(today(), 60)
    shown = clerk.get(desk).text
    assert f'id="joint-due">各部门应于 {extended.isoformat()} 前全部作出决定。</p>' in shown
    assert 'id="joint-extended"' in shown
    assert 'id="joint-extension"' not in shown  # once only
    page = applicant.get(f"/applications/{application_id}").text
    assert f"最迟于 {extended.isoformat()} 前全部作出决定" in page
    assert "批准延长 15 个工作日" in page
    assert re.search(r"联合办理期限已延长 [-0-9]+ [:0-9]+ 需三个部门会商", " ".join(timeline(page).split()))

    supervisor = browser_of(people.supervisor)
    assert 'id="joint-overdue"' not in supervisor.get("/supervision").text
    assert 'id="closing"' not in clerk.get("/window").text  # sixty working days to go
    row = session.get(Application, application_id)
    assert row is not None
    row.joint_due_on = today() - timedelta(days=1)  # as if the days had passed
    session.add(row)
    session.commit()
    watched = re.search(r'id="joint-overdue">.*?</table>', supervisor.get("/supervision").text, re.S)
    assert watched is not None
    assert f'href="/applications/{application_id}"' in watched.group()
    assert "（已延长）" in watched.group()
    chased = re.search(
        rf'id="joint-due-{application_id}"><span class="nowrap">([^<]+)</span> <span class="tag[^"]*">([^<]+)<',
        clerk.get("/window").text,
    )
    assert chased is not None  # the window sees it too, to chase the departments
    assert (chased[1], chased[2]) == ((today() - timedelta(days=1)).isoformat(), "已逾期")


def _due(queue: str, application_id: uuid.UUID) -> tuple[str, str]:
    """An application's answer due date and its standing, as the window's queue shows them."""
    cell = re.search(rf'id="due-{application_id}"><span class="nowrap">([^<]+)</span> <span class="tag[^"]*">([^<]+)<', queue)
    assert cell is not None
    return cell[1], cell[2]


def test_the_window_refuses_with_reasons_and_the_remedy(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk = browser_of(people.applicant), browser_of(people.clerk)
    application_id, desk = _submitted(session, composer, people, applicant)

    empty = post_form(clerk, desk, f"{desk}/refuse", {"reasons": "  "})
    assert empty.status_code == 400
    assert error_beside(empty.text, "reasons") == "不予受理须写明理由"
    refused = post_form(clerk, desk, f"{desk}/refuse", {"reasons": "经营场所位于禁止经营区域"})

    assert refused.status_code == 303
    page = applicant.get(f"/applications/{application_id}").text
    assert "经营场所位于禁止经营区域" in page
    assert "行政复议" in page


def test_each_department_sees_its_own_tasks_and_a_decision_releases_the_one_waiting(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk = browser_of(people.applicant), browser_of(people.clerk)
    fire, police = browser_of(people.fire), browser_of(people.police)
    application_id, desk = _accepted(session, composer, people, applicant, clerk)

    fire_list = fire.get("/review").text
    assert "公众聚集场所消防安全检查" in fire_list
    assert "食品经营许可" not in fire_list
    assert "等待前置许可结果" in police.get("/review").text
    fire_task = _task(session, "fire_check")
    assert police.get(f"/review/tasks/{fire_task.id}").status_code == 403

    url = f"/review/tasks/{fire_task.id}"
    unsaid = post_form(fire, url, f"{url}/extension", {"reason": "", "approved_by": "王局长"})
    assert unsaid.status_code == 400
    assert error_beside(unsaid.text, "reason") == "延长办理期限须说明理由"
    extension, due = {"reason": "需征求规划部门意见", "approved_by": "王局长"}, fire_task.due_on
    assert post_form(fire, url, f"{url}/extension", extension).status_code == 303
    assert 'id="extended"' in fire.get(url).text
    assert _task(session, "fire_check").due_on == add_working_days(due, 10)
    told = " ".join(timeline(applicant.get(f"/applications/{application_id}").text).split())
    assert re.search(r"公众聚集场所消防安全检查：办理期限已延长 [0-9-]+ [0-9:]+ 需征求规划部门意见", told)
    reject = post_form(fire, url, url, {"decision": "reject"})
    assert reject.status_code == 400
    assert error_beside(reject.text, "reasons") == "不予许可须说明理由"
    assert error_beside(reject.text, "legal_basis") == "不予许可须写明法律依据"
    assert post_form(fire, url, url, {"decision": "approve"}).status_code == 303

    hotel = _task(session, "hotel_trade")
    assert hotel.status == "pending"
    assert "审批中" in police.get("/review").text
    hotel_url = f"/review/tasks/{hotel.id}"
    assert post_form(police, hotel_url, hotel_url, {"decision": "approve"}).status_code == 303
    stale = post_form(police, hotel_url, hotel_url, {"decision": "approve", "version": "1"})
    assert stale.status_code == 409
    steps = timeline(applicant.get(f"/applications/{application_id}").text)
    assert steps.index("公众聚集场所消防安全检查：准予许可") < steps.index("特种行业许可证（旅馆业）：准予许可")


def test_a_reviewer_stops_the_clock_for_a_procedure_the_law_does_not_count_and_starts_it_again(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk, fire = browser_of(people.applicant), browser_of(people.clerk), browser_of(people.fire)
    application_id, desk = _accepted(session, composer, people, applicant, clerk)
    fire_task = _task(session, "fire_check")
    url, due = f"/review/tasks/{fire_task.id}", fire_task.due_on

    unsaid = post_form(fire, url, f"{url}/clock/stop", {"kind": "expert_review", "days": "0"})
    assert unsaid.status_code == 400
    assert error_beside(unsaid.text, "days") == "所需时间应为 1 至 250 个工作日"
    assert 'id="stop-clock" open' in unsaid.text
    asked = {"kind": "expert_review", "days": "10", "note": "需组织消防专家论证"}
    assert post_form(fire, url, f"{url}/clock/stop", asked).status_code == 303
    page = fire.get(url).text
    under_way = re.search(r'id="not-counted">([^<]+)<', page)
    assert under_way is not None
    assert f"正在进行专家评审（自 {today().isoformat()} 起，所需时间约 10 个工作日）" in under_way[1]
    assert f'action="{url}"' not in page  # no decision while it runs
    assert 'id="stop-clock"' not in page
    assert "计时暂停" in fire.get("/review").text
    told = " ".join(timeline(applicant.get(f"/applications/{application_id}").text).split())
    assert re.search(r"公众聚集场所消防安全检查：暂停计时 [0-9-]+ [0-9:]+ 专家评审，所需时间约 10 个工作日", told)
    assert "计时暂停" in clerk.get(desk).text  # the joint handling's clock stands still too
    shown = applicant.get(f"/applications/{application_id}").text
    row = re.search(r"<tr>\s*<td>公众聚集场所消防安全检查</td>.*?</tr>", shown, re.S)
    assert row is not None
    assert "计时暂停" in row.group()  # its due date will move: the applicant is not shown a stale one bare

    assert post_form(fire, url, f"{url}/clock/resume", {}).status_code == 303
    assert _task(session, "fire_check").due_on == due  # resumed the same day: no working day taken
    assert 'id="not-counted"' not in fire.get(url).text
    assert post_form(fire, url, url, {"decision": "reject", "reasons": "不符合", "legal_basis": "消防法"}).status_code == 303


def _next_working_day() -> str:
    return add_working_days(today(), 1).isoformat()


def _weekend() -> str:
    day = today() + timedelta(days=1)
    while is_working_day(day):
        day += timedelta(days=1)
    return day.isoformat()


def _accepted_on_site(session: Session, composer: Composer, owner: User, applicant: TestClient, clerk: TestClient) -> uuid.UUID:
    """The shop preparing food on site, submitted by the applicant and accepted by the window: its application's id."""
    made = stored_draft(session, composer, owner, ON_SITE)
    application_id = submit(applicant, made.id, [], ("floor_plan", "fire_rules", "operation_flow"))
    desk = f"/window/applications/{application_id}"
    assert post_form(clerk, desk, f"{desk}/accept", {}).status_code == 303
    return application_id


def _visit_day_tag(inspector: TestClient, inspection_id: str) -> str | None:
    """What the inspector's list says of the visit's day, if anything."""
    found = re.search(rf'id="day-{inspection_id}">([^<]*)<', inspector.get("/inspection").text)
    return found.group(1) if found else None


def _held_on_list(reviewer: TestClient, task_id: uuid.UUID) -> str | None:
    """Why the visit holds the task, as the department's list says beside its status."""
    found = re.search(rf'id="held-{task_id}">([^<]*)<', reviewer.get("/review").text)
    return found.group(1) if found else None


def test_one_joint_inspection_one_rectification_one_recheck(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk, inspector = browser_of(people.applicant), browser_of(people.clerk), browser_of(people.inspector)
    application_id = _accepted_on_site(session, composer, people.applicant.user, applicant, clerk)
    desk = f"/window/applications/{application_id}"
    assert str(application_id) in clerk.get("/window").text  # waiting for its visit to be scheduled

    weekend = post_form(clerk, desk, f"{desk}/inspection", {"visit_on": _weekend()})
    assert weekend.status_code == 400
    assert error_beside(weekend.text, "visit_on") == "踏勘日期须为今天或以后的工作日"
    assert post_form(clerk, desk, f"{desk}/inspection", {"visit_on": _next_working_day()}).status_code == 303
    # the applicant cannot come that day: the window moves the visit, saying why
    later = add_working_days(today(), 2).isoformat()
    no_reason = post_form(clerk, desk, f"{desk}/reschedule", {"visit_on": later})
    assert no_reason.status_code == 400
    assert error_beside(no_reason.text, "reason") == "改期须说明原因"
    assert post_form(clerk, desk, f"{desk}/reschedule", {"visit_on": later, "reason": "申请人当天不在店"}).status_code == 303
    assert f"联合踏勘：{later}" in clerk.get(desk).text
    told = applicant.get(f"/applications/{application_id}").text
    assert later in told
    checks = re.search(r'id="visit-checks">(.*?)</ul>\s*</li>\s*</ul>', told, re.S)  # what to have ready
    assert checks is not None
    assert re.sub(r"<[^>]+>", " ", checks.group(1)).split() == ["食品经营许可", "配备食品安全管理人员", "现场制售须有操作流程"]
    reviewer, food = browser_of(people.market), _task(session, "food_business").id
    assert _held_on_list(reviewer, food) == "联合踏勘尚未完成：核查合格后方可准予许可"  # the list says so before it is opened

    listing = inspector.get("/inspection").text
    inspection_url = listing.split('href="/inspection/')[1].split('"')[0]
    checklist = f"/inspection/{inspection_url}"
    page = inspector.get(checklist).text  # before the day: what to check, nothing to record yet
    assert "配备食品安全管理人员" in page
    assert "现场制售须有操作流程" in page
    assert f"踏勘日为 {later}" in page
    assert 'name="result.manager"' not in page
    assert _visit_day_tag(inspector, inspection_url) is None
    early = post_form(inspector, checklist, f"{checklist}/food_business", {"result.manager": "pass", "result.process": "pass"})
    assert early.status_code == 409  # a form kept from elsewhere
    assert "踏勘日尚未到，当天起方可记录踏勘结果" in early.text
    the_visit_day_comes(session, application_id)
    assert _visit_day_tag(inspector, inspection_url) == "今天踏勘"
    page = inspector.get(checklist).text
    assert 'id="not-yet"' not in page
    assert 'name="result.manager"' in page
    action = f"{checklist}/food_business"
    missing_note = post_form(inspector, checklist, action, {"result.manager": "pass", "result.process": "fail"})
    assert missing_note.status_code == 400
    assert error_beside(missing_note.text, "result-process") == "不符合的要素须写明整改意见"
    failed = post_form(
        inspector, checklist, action, {"result.manager": "pass", "result.process": "fail", "note.process": "操作流程未上墙"}
    )
    assert failed.status_code == 303
    assert _task(session, "food_business").status == "rectification_needed"
    assert "踏勘改期" not in clerk.get(desk).text  # the visit took place
    # the market's reviewer decides beside what the visit found and where the application's other permits stand
    market = reviewer.get(f"/review/tasks/{food}").text
    findings = re.search(r'<table class="table" id="findings">.*?</table>', market, re.S)
    others = re.search(r'id="others">.*?</table>', market, re.S)
    assert findings is not None
    assert others is not None
    row = re.sub(r"<[^>]+>", " ", findings.group().split("现场制售须有操作流程")[1].split("</tr>")[0]).split()
    assert row == ["不符合", "操作流程未上墙"]
    assert "区消防救援支队" in others.group()

    own = f"/applications/{application_id}"
    page = applicant.get(own).text
    assert "整改意见一口告知" in page
    assert "操作流程未上墙" in page
    assert post_form(applicant, own, f"{own}/rectified", {"inspection": inspection_url}).status_code == 303

    recheck = inspector.get(checklist).text
    assert "现场制售须有操作流程" in recheck
    assert post_form(inspector, checklist, action, {"result.manager": "pass", "result.process": "pass"}).status_code == 303
    assert _task(session, "food_business").status == "pending"
    assert "联合踏勘：踏勘通过" in timeline(applicant.get(own).text)
    assert _held_on_list(reviewer, food) is None


def test_a_visit_whose_day_passed_unfinished_is_marked_for_the_inspector_and_the_window_moves_it(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk, inspector = browser_of(people.applicant), browser_of(people.clerk), browser_of(people.inspector)
    application_id = _accepted_on_site(session, composer, people.applicant.user, applicant, clerk)
    desk = f"/window/applications/{application_id}"
    assert post_form(clerk, desk, f"{desk}/inspection", {"visit_on": _next_working_day()}).status_code == 303
    visit = session.exec(select(Inspection).where(Inspection.application_id == application_id)).one()
    visit.visit_on = today() - timedelta(days=1)  # the day went by and nobody recorded
    session.add(visit)
    session.commit()

    assert _visit_day_tag(inspector, str(visit.id)) == "踏勘日已过，尚未完成"
    assert f'class="tag tag--overdue" id="day-{visit.id}"' in inspector.get("/inspection").text
    overdue = re.search(r'id="overdue-visits">.*?</table>', clerk.get("/window").text, re.S)
    assert overdue is not None
    assert f'href="{desk}"' in overdue.group()
    assert 'id="visit-overdue"' in clerk.get(desk).text
    watched = re.search(r'id="overdue-visits">.*?</table>', browser_of(people.supervisor).get("/supervision").text, re.S)
    assert watched is not None  # the district's supervisor sees it too, with the departments that did not come
    assert f'href="/applications/{application_id}"' in watched.group()
    assert "区市场监督管理局" in watched.group()
    moved = {"visit_on": _next_working_day(), "reason": "检查人员当天另有任务"}
    assert post_form(clerk, desk, f"{desk}/reschedule", moved).status_code == 303
    assert 'id="overdue-visits"' not in clerk.get("/window").text
    assert 'id="visit-overdue"' not in clerk.get(desk).text
    assert _visit_day_tag(inspector, str(visit.id)) is None


def test_the_supervisor_reads_every_department_and_changes_nothing(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk, supervisor = browser_of(people.applicant), browser_of(people.clerk), browser_of(people.supervisor)
    application_id, desk = _accepted(session, composer, people, applicant, clerk)

    dashboard = supervisor.get("/supervision")
    assert dashboard.status_code == 200
    rows = dashboard.text.split("<tbody>")[1]
    for department in ("区消防救援支队", "区市场监督管理局", "区公安分局"):  # by name, never by id
        assert f"<td>{department}</td><td>1</td>" in rows
    token = supervisor.get("/supervision").text.split('name="csrf_token" value="')[1].split('"')[0]
    response = supervisor.post(f"{desk}/accept", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403
    assert _status(session, application_id) == "in_approval"


def test_a_permit_granted_on_commitment_comes_back_for_its_check_and_a_failed_check_revokes_it(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk, market = browser_of(people.applicant), browser_of(people.clerk), browser_of(people.market)
    application_id, desk = _accepted(session, composer, people, applicant, clerk)
    url = f"/review/tasks/{_task(session, 'food_business').id}"
    assert post_form(market, url, url, {"decision": "approve"}).status_code == 303

    listing = market.get("/review").text
    assert "告知承诺待核查" in listing
    assert url in listing.split('id="checks"')[1]
    unexplained = post_form(market, url, f"{url}/verification", {"outcome": "fail"})
    assert unexplained.status_code == 400
    assert error_beside(unexplained.text, "reason") == "核查不合格须写明事实与理由"
    revoked = post_form(market, url, f"{url}/verification", {"outcome": "fail", "reason": "现场未配备食品安全管理人员"})

    assert revoked.status_code == 303
    assert _task(session, "food_business").status == "revoked"
    steps = timeline(applicant.get(f"/applications/{application_id}").text)
    assert "食品经营许可：已撤销" in steps
    assert "现场未配备食品安全管理人员" in steps


def _listed(page: str, list_id: str) -> dict[str, str]:
    """A summary list on a page as label → value."""
    found = re.search(rf'<dl class="summary-list" id="{list_id}">(.*?)</dl>', page, re.S)
    assert found, list_id
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", found.group(1)))


def test_a_reviewer_reads_the_form_by_its_labels_their_own_permits_fields_first(
    session: Session, composer: Composer, people: People, browser_of: Browsers
) -> None:
    applicant, clerk, police = browser_of(people.applicant), browser_of(people.clerk), browser_of(people.police)
    _accepted(session, composer, people, applicant, clerk)
    page = police.get(f"/review/tasks/{_task(session, 'hotel_trade').id}").text
    assert _listed(page, "form") == {"申请人名称": "东城示例旅店有限公司", "客房数": "12"}
    others = {"统一社会信用代码": "91110101MA01ABCD06", "经营面积": "80 ㎡", "食品安全管理人员": "李明"}
    assert _listed(page, "other-fields") == others
    assert "premises_area" not in page  # the form's own words, never its field ids
