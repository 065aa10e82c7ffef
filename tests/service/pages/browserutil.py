"""What the browser tests share: Debian's chromium (never downloaded), and desks — one signed-in browser context per
person, every page they open scanned with axe and checked for sideways scrolling and for radios and checkboxes too
small to tap."""

from __future__ import annotations

from collections.abc import Mapping

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from service.models import User
from service.security import hash_password
from service.workflow.roles import Role
from tests.service.svcutil import chromium_browser, needs_chromium

__all__ = ["CASE_PEOPLE", "Desks", "accounts", "chromium_browser", "needs_chromium"]

PASSWORD = "correct-horse-9"

CASE_PEOPLE = {
    "applicant": (Role.applicant, None),
    "clerk": (Role.clerk, None),
    "market": (Role.reviewer, "market"),
    "fire": (Role.reviewer, "fire"),
    "police": (Role.reviewer, "police"),
}
"""The applicant, the window clerk and the reviewers of the departments the mini pack's hotel-and-shop case involves."""


def accounts(people: Mapping[str, tuple[Role, str | None]]) -> dict[str, User]:
    """One account per person, ``name@example.com`` with ``PASSWORD``, in the role and department given."""
    secret = hash_password(PASSWORD)
    return {
        name: User(email=f"{name}@example.com", password_hash=secret, role=r, department=d) for name, (r, d) in people.items()
    }


SMALL_CHOICES = """[...document.querySelectorAll("input[type=radio], input[type=checkbox]")]
  .filter((e) => e.offsetParent !== null)
  .filter((e) => { const r = e.getBoundingClientRect(); return r.width < 24 || r.height < 24; })
  .map((e) => e.id || e.name)"""
"""The ids of the visible radios and checkboxes too small to tap: a page's own must carry the designed size."""


class Desks:
    """A browser context per person (``name@example.com``, at the width given; ``anonymous`` ones not signed in)."""

    def __init__(
        self, chromium: Browser, base: str, widths: Mapping[str, int], password: str, anonymous: tuple[str, ...] = ()
    ) -> None:
        self.base = base
        self.axe = Axe()
        self.violations: list[str] = []
        self.pages: dict[str, Page] = {}
        for name, width in {**widths, **dict.fromkeys(anonymous, 1100)}.items():
            context = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(20_000)
            if name not in anonymous:
                page.goto(f"{base}/sign-in")
                page.locator("#login").fill(f"{name}@example.com")
                page.locator("#password").fill(password)
                page.get_by_role("button", name="登录").click()
                page.wait_for_load_state()
            self.pages[name] = page

    def open(self, name: str, path: str) -> Page:
        page = self.pages[name]
        page.goto(f"{self.base}{path}")
        self.scan(name, page)
        return page

    def scan(self, name: str, page: Page) -> None:
        for v in self.axe.run(page).response["violations"]:
            self.violations.append(f"{name} {page.url}: {v['id']} ({v['impact']}) {v['help']} — {v['nodes'][0]['target']}")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{name} {page.url}: the page scrolls sideways ({scroll} > {inner})"
        small = page.evaluate(SMALL_CHOICES)
        assert not small, f"{name} {page.url}: radios or checkboxes under 24 × 24 px (WCAG 2.5.8): {small}"

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()
