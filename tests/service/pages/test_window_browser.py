"""The whole case in real browsers, one per person: the applicant, the window clerk, two department reviewers
and an inspector, each in a browser context of their own, against ``yiye serve`` on a temporary SQLite database.

submit (signing the food permit's commitment letter; the receipt PDF) → one correction → resubmit → accept (the
joint handling's limit extended once, as the district head approved) → parallel decisions with a dependency (fire
stops its clock for an expert review and starts it again; the hotel special-trade permit waits for the fire
inspection; fire grants only after the visit) → one joint inspection, moved once, recorded on its day, with one
rectification and one re-check → all decided → the commitment verified later (核查) by the market department, the
applicant's timeline showing it all. The case is the mini pack's hotel selling pre-packed food, with the fire check
made an on-site inspection (a copy of the fixture packs, changed for this test only). Every desk page passes axe.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from composer import Composer
from composer.model import ComposeRequest
from composer.workdays import add_working_days
from service import db
from service.compose import today
from service.db import make_engine
from service.models import Draft, StoredComposition
from service.workflow.models import Application
from service.workflow.roles import Role
from tests.service.svcutil import FIXTURE_PACKS, serve_env, serving
from tests.service.wfcase import the_visit_day_comes

playwright_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, expect  # noqa: E402

from tests.service.pages.browserutil import CASE_PEOPLE, PASSWORD, Desks, accounts, needs_chromium  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
FIRE_ON_SITE = """    inspection: true
    elements:
      - {id: exits, kind: premises, text: {zh: 安全出口、疏散通道畅通}, source: inferred}
      - {id: officer, kind: personnel, text: {zh: 确定消防安全管理人}, source: inferred}
"""
CASE = ComposeRequest(
    pack="mini",
    scope=["food_sales", "lodging"],
    answers={"food_prep": False, "sells_tobacco": False, "area_m2": 80},
    commit=["food_business"],
)
"""A hotel selling pre-packed food: the food permit (market) taken on commitment, the fire check (fire, on
site) and the special-trade permit (police), which waits for it."""
PEOPLE = CASE_PEOPLE | {"inspector": (Role.inspector, "fire")}

pytestmark = needs_chromium


def _packs(root: Path) -> Path:
    """The fixture packs with mini's fire check needing an on-site inspection."""
    packs = root / "packs"
    shutil.copytree(FIXTURE_PACKS, packs)
    permits = packs / "mini" / "permits.yaml"
    text = permits.read_text()
    anchor = '    department: fire\n    legal_basis: ["《消防法》第十五条"]\n'
    assert anchor in text
    permits.write_text(text.replace(anchor, anchor + FIRE_ON_SITE))
    return packs


def _seed(url: str, packs: Path) -> uuid.UUID:
    """The five people and the applicant's complete draft; the draft's id."""
    db.upgrade(url)
    engine = make_engine(url)
    composer = Composer.load("mini", packs)
    _, body = composer.compose_json(CASE)
    with Session(engine) as session:
        users = accounts(PEOPLE)
        session.add_all(users.values())
        stored = StoredComposition(
            pack_id="mini",
            pack_version=composer.pack.version,
            as_of=today(),
            input=CASE.model_dump(mode="json"),
            output_sha256=hashlib.sha256(body).hexdigest(),
        )
        session.add(stored)
        session.flush()
        draft = Draft(
            owner_id=users["applicant"].id,
            pack_id="mini",
            scope=list(CASE.scope),
            answers=dict(CASE.answers),
            commit=list(CASE.commit),
            form_values={
                "applicant_name": "东城胡同里旅店有限公司",
                "uscc": "91110101MA01AB123M",
                "premises_area": "80",
                "food_safety_manager": "李明",
                "rooms": "12",
            },
            composition_id=stored.id,
        )
        session.add(draft)
        session.commit()
        draft_id = draft.id
    engine.dispose()
    return draft_id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, uuid.UUID, str]]:
    """The server's address, the applicant's draft and the database's URL."""
    root = tmp_path_factory.mktemp("window-browser")
    packs = _packs(root)
    url = f"sqlite:///{root / 'yiye.db'}"
    draft_id = _seed(url, packs)
    env = serve_env(url, packs, "mini", YIYE_FILES_DIR=str(root / "files"))
    with serving(["--workers", "1"], env, "/sign-in") as base:
        yield base, draft_id, url


@pytest.fixture
def desks(chromium: Browser, site: tuple[str, uuid.UUID, str]) -> Iterator[Desks]:
    widths = {name: 390 if name == "applicant" else 1100 for name in PEOPLE}  # the applicant is on a phone
    desks = Desks(chromium, site[0], widths, PASSWORD)
    try:
        yield desks
    finally:
        desks.close()


def test_one_case_from_submission_to_the_last_decision(desks: Desks, site: tuple[str, uuid.UUID, str], tmp_path: Path) -> None:
    _, draft_id, url = site
    pdf, png = tmp_path / "平面图.pdf", tmp_path / "消防制度.png"
    pdf.write_bytes(PDF)
    png.write_bytes(PNG)

    # the applicant submits: one file per material, the number on the confirmation
    for name, page in desks.pages.items():
        expect(page, name).to_have_url(re.compile(r"/(drafts|window|review|inspection)$"))
    applicant = desks.open("applicant", f"/drafts/{draft_id}/submit")
    applicant.locator("#materials-floor_plan").set_input_files(str(pdf))
    applicant.locator("#materials-fire_rules").set_input_files(str(png))
    applicant.locator("label[for='commitments-food_business']").click()
    applicant.get_by_role("button", name="提交申请").click()
    number = applicant.locator(".application-number").inner_text()
    assert re.fullmatch(r"DC-\d{8}-\d{5}", number)
    desks.scan("applicant", applicant)
    receipt = applicant.request.get(desks.base + (applicant.locator("#receipt").get_attribute("href") or ""))
    assert (receipt.status, receipt.headers["content-type"]) == (200, "application/pdf")

    # the window finds one material not acceptable: one correction notice, within the five working days it has
    answer_by = add_working_days(today(), 5).isoformat()
    clerk = desks.open("clerk", "/window")
    expect(clerk.locator("#queue tr", has_text=number)).to_contain_text(answer_by)
    clerk.get_by_role("link", name=number).click()
    desks.scan("clerk", clerk)
    clerk.locator("label[for='finding-fire_rules-not_acceptable']").click()
    clerk.locator("#reason-fire_rules").fill("未加盖单位公章")
    clerk.get_by_role("button", name="发出一次性补正告知").click()
    expect(clerk).to_have_url(re.compile(r"/window$"))

    # the applicant answers only what it asks for
    applicant.get_by_role("link", name="我的申请").click()
    applicant.get_by_role("link", name="已提交的申请").click()
    applicant.get_by_role("link", name=number).click()
    desks.scan("applicant", applicant)
    expect(applicant.locator("#correction-title")).to_be_visible()
    expect(applicant.locator("#materials-floor_plan")).to_have_count(0)
    applicant.locator("#materials-fire_rules").set_input_files(str(png))
    applicant.get_by_role("button", name="提交补正材料").click()
    expect(applicant.locator("#status")).to_have_text("已补正")
    expect(applicant.locator("#answer-by")).to_contain_text(answer_by)  # corrected today: the window's five days again

    # the window accepts, then books one joint inspection on a working day
    clerk.reload()
    clerk.get_by_role("link", name=number).click()
    clerk.get_by_role("button", name="材料齐全，予以受理").click()
    clerk.get_by_role("link", name=number).click()  # now under "to schedule"
    desks.scan("clerk", clerk)
    clerk.locator("#visit_on").fill(add_working_days(today(), 1).isoformat())
    clerk.get_by_role("button", name="安排一次联合踏勘").click()
    expect(clerk.locator("#status")).to_have_text("各部门审批中")
    later = add_working_days(today(), 2).isoformat()  # the applicant cannot come that day: the window moves it once
    clerk.locator("summary", has_text="踏勘改期").click()
    clerk.locator("#visit_on").fill(later)
    clerk.locator("#reason").fill("申请人当天不在店")
    clerk.get_by_role("button", name="改期", exact=True).click()
    expect(clerk.locator("#visit-day")).to_have_text(f"联合踏勘：{later}")
    joint = add_working_days(today(), 45 + 15).isoformat()  # the district head approves fifteen more working days, once
    clerk.locator("summary", has_text="延长联合办理期限").click()
    clerk.locator("#joint_approved_by").fill("张区长")
    clerk.locator("#joint_reason").fill("三个部门需会商")
    clerk.locator("#joint-extension button[type=submit]").click()
    expect(clerk.locator("#joint-due")).to_contain_text(joint)
    expect(clerk.locator("#joint-extended")).to_contain_text("15 个工作日")
    applicant.reload()
    expect(applicant.locator("#joint-due")).to_contain_text(joint)
    expect(applicant.locator("#timeline")).to_contain_text("三个部门需会商")

    # parallel approval: market and fire are at work, the hotel permit waits for fire; food goes on the commitment
    market = desks.open("market", "/review")
    market.get_by_role("link", name=number).click()
    desks.scan("market", market)
    market.locator("label[for='decision-approve']").click()
    market.get_by_role("button", name="提交决定").click()
    expect(market.locator("#checks")).to_contain_text(number)  # its 核查 is due later
    fire = desks.open("fire", "/review")
    expect(fire.locator("#tasks")).to_contain_text("公众聚集场所消防安全检查")
    expect(fire.locator("#tasks")).to_contain_text("联合踏勘尚未完成")  # the list says what holds it
    fire.get_by_role("link", name=number).click()  # before the visit: fire may require rectification or refuse, not grant
    expect(fire.locator("#held")).to_have_text("联合踏勘尚未完成：核查合格后方可准予许可")
    expect(fire.locator("label[for='decision-approve']")).to_have_count(0)
    fire.locator("#approved_by").fill("王局长")  # the visit may run late: the head approves ten more working days
    fire.locator("#reason").fill("联合踏勘日期较晚，需延长办理期限")
    fire.get_by_role("button", name="延长办理期限").click()
    expect(fire.locator("#extended")).to_contain_text("10 个工作日")
    fire.locator("summary", has_text="暂停计时").click()  # an expert review first: its time does not count (Art. 45)
    fire.locator("#kind").select_option("expert_review")
    fire.locator("#days").fill("5")
    fire.locator("#note").fill("需组织消防专家论证")
    fire.get_by_role("button", name="暂停计时并告知申请人").click()
    expect(fire.locator("#not-counted")).to_contain_text("正在进行专家评审")
    applicant.reload()
    expect(applicant.locator("#timeline")).to_contain_text("专家评审，所需时间约 5 个工作日")
    fire.get_by_role("button", name="程序已结束，恢复计时").click()
    expect(fire.locator("#not-counted")).to_have_count(0)
    fire.get_by_role("link", name="返回部门审批").click()
    police = desks.open("police", "/review")
    expect(police.locator("#tasks")).to_contain_text("等待前置许可结果")

    # one visit: before its day the inspector reads what to check; on the day one element fails, one rectification notice
    inspector = desks.open("inspector", "/inspection")
    inspector.get_by_role("link", name=number).click()
    expect(inspector.locator("#not-yet")).to_contain_text(later)
    expect(inspector.get_by_role("button", name="提交核查结果")).to_have_count(0)
    desks.scan("inspector", inspector)
    engine = make_engine(url)
    with Session(engine) as session:
        the_visit_day_comes(session, session.exec(select(Application.id).where(Application.number == number)).one())
    engine.dispose()
    inspector.get_by_role("link", name="返回联合踏勘").click()
    expect(inspector.locator("#visits")).to_contain_text("今天踏勘")
    desks.scan("inspector", inspector)
    inspector.get_by_role("link", name=number).click()
    desks.scan("inspector", inspector)
    inspector.locator("label[for='result-exits-fail']").click()
    inspector.locator("#note-exits").fill("疏散通道堆放杂物")
    inspector.locator("label[for='result-officer-pass']").click()
    inspector.get_by_role("button", name="提交核查结果").click()
    expect(inspector).to_have_url(re.compile(r"/inspection$"))

    applicant.reload()
    expect(applicant.locator("#timeline")).to_contain_text("联合踏勘日期较晚，需延长办理期限")  # told why it takes longer
    expect(applicant.locator("#rectify-title")).to_be_visible()
    expect(applicant.locator("main")).to_contain_text("疏散通道堆放杂物")
    applicant.get_by_role("button", name="报告整改完成").click()

    # one re-check, then the decisions: fire first, which releases the hotel permit
    inspector.reload()
    inspector.get_by_role("link", name=number).click()
    inspector.locator("label[for='result-exits-pass']").click()
    inspector.locator("label[for='result-officer-pass']").click()
    inspector.get_by_role("button", name="提交核查结果").click()

    fire.reload()
    fire.get_by_role("link", name=number).click()
    desks.scan("fire", fire)
    expect(fire.locator("#held")).to_have_count(0)
    fire.locator("label[for='decision-approve']").click()
    fire.get_by_role("button", name="提交决定").click()
    expect(fire).to_have_url(re.compile(r"/review$"))

    police.reload()
    expect(police.locator("#tasks")).to_contain_text("审批中")
    police.get_by_role("link", name=number).click()
    police.locator("label[for='decision-approve']").click()
    police.get_by_role("button", name="提交决定").click()

    applicant.reload()
    expect(applicant.locator("#status")).to_have_text("办结")

    # later: the market department verifies the commitment on site
    market.reload()
    market.locator("#checks").get_by_role("link", name=number).click()
    desks.scan("market", market)
    market.locator("label[for='outcome-pass']").click()
    market.get_by_role("button", name="提交核查结果").click()
    expect(market).to_have_url(re.compile(r"/review$"))
    expect(market.locator("#checks")).to_have_count(0)

    applicant.reload()
    timeline = applicant.locator("#timeline")
    for step in (
        "已提交",
        "待补正",
        "已补正",
        "已受理",
        "各部门审批中",
        "联合踏勘：待整改",
        "联合踏勘：踏勘通过",
        "公众聚集场所消防安全检查：准予许可",
        "特种行业许可证（旅馆业）：准予许可",
        "食品经营许可：告知承诺准予许可",
        "办结",
        "食品经营许可：核查通过",
    ):
        expect(timeline).to_contain_text(step)
    desks.scan("applicant", applicant)
    assert desks.violations == []
