"""The certificate's life in real browsers (Debian chromium), one context per person, against ``yiye serve``.

From the last department decision: the window issues the certificate → the holder downloads the PDF, its QR is
rendered to an image and decoded (zxing-cpp) → the verify page it opens shows every sub-permit's live state →
the holder applies for an extension, the window accepts, the department approves: the same scan shows the new
term, no new certificate → a face change is re-issued: the old scan says 已换发 → 歇业 through the window, the scan
says 歇业, then 复业 before the period ends, 有效 again → an extension the department leaves undecided past the
term's end is deemed granted by the worker (行政许可法 Art. 50): the scan shows the new term → a change adds the
tobacco permit (its department grants it) and takes off the fire check (注销 on request): re-issued, never void →
the police revoke their permit: the new scan says 作废. Every page the holder, the window and the departments look at passes axe.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from certificates.seal import check, load_certificate
from composer import Composer
from composer.workdays import add_working_days
from service import db
from service.certs import deemed, holdings
from service.certs.models import Certificate
from service.compose import today
from service.db import make_engine
from service.workflow.models import PermitTask
from service.workflow.review import Decision, decide
from service.workflow.storage import LocalFileStore
from service.workflow.submit import submit
from service.workflow.window import accept
from tests.fixtures.qrscan import scan_pdf
from tests.service.svcutil import FIXTURE_PACKS, serving
from tests.service.wfcase import SIGNED, stored_draft, uploads

playwright_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.service.pages.browserutil import CASE_PEOPLE, PASSWORD, Desks, accounts, needs_chromium  # noqa: E402

PUBLIC = "HTTPS://YIYE.EXAMPLE.GOV.CN"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PEOPLE = CASE_PEOPLE

pytestmark = needs_chromium


def _seed(url: str, files: Path) -> tuple[uuid.UUID, str]:
    """The people, and the hotel-and-shop case accepted with every permit decided but the police's; its id and number."""
    db.upgrade(url)
    engine = make_engine(url)
    composer = Composer.load("mini", FIXTURE_PACKS)
    with Session(engine, expire_on_commit=False) as session:
        users = accounts(PEOPLE)
        session.add_all(users.values())
        session.commit()
        draft = stored_draft(session, composer, users["applicant"])
        store = LocalFileStore(files)
        done = submit(
            session, actor=users["applicant"], draft_id=draft.id, composer=composer, store=store, uploads=uploads(), signed=SIGNED
        )
        application = done.application
        accept(session, actor=users["clerk"], application_id=application.id, version=application.version)
        for permit, reviewer in (("food_business", "market"), ("fire_check", "fire")):
            task = session.exec(
                select(PermitTask).where(PermitTask.application_id == application.id, PermitTask.permit == permit)
            ).one()
            decide(session, actor=users[reviewer], task_id=task.id, decision=Decision.approve, version=task.version)
        found = (application.id, application.number)
    engine.dispose()
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, uuid.UUID, str, str]]:
    root = tmp_path_factory.mktemp("certificate-browser")
    url = f"sqlite:///{root / 'yiye.db'}"
    application_id, number = _seed(url, root / "files")
    env = {
        "YIYE_DATABASE_URL": url,
        "YIYE_PACKS_DIR": str(FIXTURE_PACKS),
        "YIYE_DEFAULT_PACK": "mini",
        "YIYE_FILES_DIR": str(root / "files"),
        "YIYE_KEYS_DIR": str(root / "keys"),
        "YIYE_PUBLIC_URL": PUBLIC.lower(),
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_LOG_LEVEL": "WARNING",
        "YIYE_SECRET_KEY": "browser-test-secret-0123456789",
    }
    with serving(["--workers", "1"], env, "/sign-in") as base:
        yield base, application_id, number, url


class People(Desks):
    """The holder, the window and the three departments signed in, and the public (no sign-in)."""

    last_pdf = b""

    def scanned_qr(self, name: str, page: Page) -> str:
        """Download the certificate's PDF from ``page``, render it and decode its QR: the path it points to."""
        with page.expect_download() as download:
            page.get_by_role("link", name="下载凭证（PDF）").click()
        self.last_pdf = Path(download.value.path()).read_bytes()
        (url,) = scan_pdf(self.last_pdf)
        assert url.startswith(f"{PUBLIC}/V/"), url
        return url.removeprefix(PUBLIC)

    def decide(self, name: str, number: str) -> None:
        """The department opens the task of application ``number`` from its desk and approves it."""
        page = self.open(name, "/review")
        page.get_by_role("link", name=number).click()
        self.scan(name, page)
        page.locator("label[for='decision-approve']").click()
        page.get_by_role("button", name="提交决定").click()
        expect(page).to_have_url(re.compile(r"/review$"))

    def accept(self, application_id: str) -> None:
        page = self.open("clerk", f"/window/applications/{application_id}")
        page.get_by_role("button", name="材料齐全，予以受理").click()
        expect(page).to_have_url(re.compile(r"/window$"))
        expect(page.locator("h1")).to_have_text("综合窗口")  # the desk still opens with this application in approval

    def through_window(self, holder: Page, departments: tuple[str, ...] = ("market", "fire", "police")) -> None:
        """Submit the holder's application about the certificate; the window accepts it, each department approves."""
        holder.get_by_role("button", name="提交申请").click()
        application_id, number = _applied(holder)
        self.accept(application_id)
        for department in departments:
            self.decide(department, number)


@pytest.fixture
def people(chromium: Browser, site: tuple[str, uuid.UUID, str, str]) -> Iterator[People]:
    people = People(chromium, site[0], dict.fromkeys(PEOPLE, 1100), PASSWORD, anonymous=("public",))
    try:
        yield people
    finally:
        people.close()


def _applied(page: Page) -> tuple[str, str]:
    """The id and number of the application the page shows (after applying)."""
    expect(page).to_have_url(re.compile(r"/applications/[0-9a-f-]{36}$"))
    found = re.search(r"DC-\d{8}-\d{5}", page.locator(".caption").first.inner_text())
    assert found
    return page.url.rsplit("/", 1)[1], found.group(0)


def _rows(page: Page) -> dict[str, dict[str, str]]:
    """The verify page's permits: name → its cells by column heading (状态, 有效期, …)."""
    headings = [h.inner_text() for h in page.locator("table thead th").all()]
    rows = ([cell.inner_text() for cell in row.locator("td").all()] for row in page.locator("table tbody tr").all())
    return {cells[0]: dict(zip(headings, cells, strict=True)) for cells in rows}


def test_the_certificates_life_from_the_last_decision_to_its_revocation(
    people: People, site: tuple[str, uuid.UUID, str, str], tmp_path: Path
) -> None:
    _, application_id, number, url = site

    # the last department decides; the window issues the certificate
    people.decide("police", number)
    holder = people.open("applicant", f"/applications/{application_id}")
    issue_by = add_working_days(today(), 10).isoformat()  # 行政许可法 Art. 44: ten working days from the decision
    expect(holder.locator("#certificate-due")).to_contain_text(f"综合窗口将为您发放凭证（最迟 {issue_by}）")
    clerk = people.open("clerk", "/window")  # the window's desk lists it among the certificates to issue
    expect(clerk.locator("#to-issue tr", has_text=number)).to_contain_text(issue_by)
    clerk.locator("#to-issue").get_by_role("link", name=number).click()
    clerk.get_by_role("button", name="发放行业综合许可证").click()  # the mini pack keeps the national words
    expect(clerk).to_have_url(re.compile(r"/certificates/[0-9a-f-]{36}/services$"))
    expect(clerk.locator(".caption")).to_contain_text("行业综合许可证")  # the mini pack keeps the national words
    people.scan("clerk", clerk)
    expect(clerk.get_by_role("link", name="查看凭证")).to_be_visible()

    # the holder downloads the PDF; its QR, decoded from the rendered page, opens the public verify page
    holder.reload()
    expect(holder.locator("#certificate-due")).to_have_count(0)
    holder.get_by_role("link", name=re.compile("凭证办理")).click()
    people.scan("applicant", holder)
    services = holder.url
    first = people.scanned_qr("applicant", holder)
    # the PDF carries the bureau's PAdES signature, valid against the (test) CA the service made
    ca = Path(url.removeprefix("sqlite:///")).parent / "keys" / "pades" / "ca.pem"
    with ThreadPoolExecutor(1) as thread:  # pyHanko runs its own event loop; Playwright's holds this thread's
        sealed = thread.submit(check, people.last_pdf, load_certificate(ca)).result()
    assert sealed.ok, sealed
    assert "政务服务" in sealed.signer, sealed.signer
    public = people.open("public", first)
    expect(public.locator("h1")).to_have_text("行业综合许可证：有效")
    rows = _rows(public)
    assert len(rows) == 3
    assert all(row["状态"] == "有效" for row in rows.values())
    printed_term = date.fromisoformat(re.findall(r"— (\d{4}-\d{2}-\d{2})", rows["食品经营许可"]["有效期"])[0])

    # an extension through the same window: 延续中, then the new term on the same scan, no new certificate
    holder.get_by_role("link", name="申请延续").click()
    people.scan("applicant", holder)
    holder.locator("#permit-food_business").check()
    holder.locator("#form_values-food_safety_manager").fill("王五")
    holder.get_by_role("button", name="提交申请").click()
    extension_id, extension_number = _applied(holder)
    people.open("public", first)
    assert _rows(people.pages["public"])["食品经营许可"]["状态"] == "延续中"
    people.accept(extension_id)
    people.decide("market", extension_number)
    public = people.open("public", first)
    expect(public.locator("h1")).to_have_text("行业综合许可证：有效")
    food = _rows(public)["食品经营许可"]
    extended = re.findall(r"— (\d{4}-\d{2}-\d{2})", food["有效期"])[0]
    assert date.fromisoformat(extended) == printed_term.replace(year=printed_term.year + 5)  # five more years
    assert food["状态"] == "有效"
    expect(public.locator("main")).to_contain_text("第 1 版")

    # a face change: every department approves its part, the window re-issues, the old scan says 已换发
    holder.goto(services)
    holder.get_by_role("link", name="申请变更").click()
    people.scan("applicant", holder)
    holder.locator("#form_values-applicant_name").fill("东城新名称旅店有限公司")
    plan = tmp_path / "平面图.pdf"
    plan.write_bytes(PDF)
    holder.locator("#materials-floor_plan").set_input_files(str(plan))
    people.through_window(holder)
    clerk = people.open("clerk", "/window")
    clerk.locator("#to-issue tr", has_text="变更后换发新版").get_by_role("link").click()
    expect(clerk.locator("#kind")).to_have_text("变更")
    clerk.get_by_role("button", name="换发新版凭证").click()
    people.scan("clerk", clerk)
    public = people.open("public", first)
    expect(public.locator("h1")).to_have_text("行业综合许可证：已换发")
    expect(public.locator("main")).not_to_contain_text("东城示例旅店有限公司")
    holder.goto(clerk.url)  # where the window's re-issue led: the new version's 凭证办理
    second = people.scanned_qr("applicant", holder)
    assert second != first
    public = people.open("public", second)
    expect(public.locator("h1")).to_have_text("行业综合许可证：有效")
    expect(public.locator("main")).to_contain_text("东城新名称旅店有限公司")
    services = clerk.url

    # 歇业 through the window, then 复业 before the period ends: the scan follows both
    holder.goto(services)
    holder.get_by_role("link", name="申请歇业").click()
    holder.locator("#suspend_from").fill(today().isoformat())
    holder.locator("#suspend_to").fill((today() + timedelta(days=90)).isoformat())
    holder.locator("#reason").fill("店面装修")
    people.through_window(holder)
    public = people.open("public", second)
    assert all(row["状态"] == "歇业" for row in _rows(public).values())
    holder.goto(services)
    holder.get_by_role("link", name="申请复业").click()
    people.scan("applicant", holder)
    holder.locator("#reason").fill("装修完毕，恢复营业")
    people.through_window(holder)
    public = people.open("public", second)
    expect(public.locator("h1")).to_have_text("行业综合许可证：有效")
    assert all(row["状态"] == "有效" for row in _rows(public).values())

    # an extension applied for in time that the department leaves undecided past the term's end: deemed granted
    holder.goto(services)
    holder.get_by_role("link", name="申请延续").click()
    holder.locator("#permit-food_business").check()
    holder.locator("#form_values-food_safety_manager").fill("王五")
    holder.get_by_role("button", name="提交申请").click()
    renewal_id, _ = _applied(holder)
    people.accept(renewal_id)
    engine = make_engine(url)
    with Session(engine) as session:
        ends = holdings.live(session, application_id, today()).terms["food_business"]
        assert ends is not None
        assert deemed.deem_extensions(session, ends) == 0  # the department's last day
        assert deemed.deem_extensions(session, deemed.decision_due(ends) + timedelta(days=1)) == 1  # the worker's run
        session.commit()
    engine.dispose()
    public = people.open("public", second)
    food = _rows(public)["食品经营许可"]
    assert re.findall(r"— (\d{4}-\d{2}-\d{2})", food["有效期"])[0] == ends.replace(year=ends.year + 5).isoformat()
    assert food["状态"] == "有效"

    # a change that adds the tobacco permit and takes off the fire check: each department decides its own part
    holder.goto(services)
    holder.get_by_role("link", name="申请变更").click()
    holder.locator("#add-tobacco").check()
    holder.get_by_role("button", name="列出所需材料").click()
    expect(holder).to_have_url(re.compile(r"add=tobacco"))
    people.scan("applicant", holder)
    expect(holder.locator("#adding-chosen")).to_contain_text("烟草专卖零售许可")
    expect(holder.locator("#form_values-uscc")).to_have_value("91110101MA01ABCD06")  # the tobacco permit's own field
    holder.locator("#remove-fire_check").check()
    people.through_window(holder, ("market", "fire"))
    regroup_id = holder.url.rsplit("/", 1)[1]
    clerk = people.open("clerk", f"/window/applications/{regroup_id}")
    expect(clerk.locator("#added")).to_have_text("烟草专卖零售许可")
    expect(clerk.locator("#removed")).to_have_text("公众聚集场所消防安全检查")
    clerk.get_by_role("button", name="换发新版凭证").click()
    people.scan("clerk", clerk)
    public = people.open("public", second)
    expect(public.locator("h1")).to_have_text("行业综合许可证：已换发")
    holder.goto(clerk.url)
    third = people.scanned_qr("applicant", holder)
    public = people.open("public", third)
    expect(public.locator("h1")).to_have_text("行业综合许可证：有效")  # the fire check ended on request: not void
    rows = _rows(public)
    assert sorted(rows) == ["烟草专卖零售许可", "特种行业许可证（旅馆业）", "食品经营许可"]
    assert all(row["状态"] == "有效" for row in rows.values())

    # the police revoke their permit from their desk: the scan says 作废 at once
    police = people.open("police", "/review/permits")
    police.locator("select[name='how']").first.select_option("revoke")
    police.locator("input[name='reason']").first.fill("违法经营，依法吊销")
    police.get_by_role("button", name="确认").first.click()
    expect(police.locator("#held")).to_contain_text("已吊销")
    public = people.open("public", third)
    expect(public.locator("h1")).to_have_text("行业综合许可证：作废")
    assert _rows(public)["特种行业许可证（旅馆业）"]["状态"] == "已吊销"

    engine = make_engine(url)
    with Session(engine) as session:
        versions = session.exec(select(Certificate).where(Certificate.application_id == application_id)).all()
        assert sorted((c.version, c.superseded_at is not None, c.recovered_at is not None) for c in versions) == [
            (1, True, False),
            (2, True, False),
            (3, False, True),
        ]
    engine.dispose()
    assert people.violations == []
