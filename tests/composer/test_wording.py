"""Each jurisdiction's own words: the notice and the form never call the window or the certificate by another's name."""

from __future__ import annotations

from datetime import date

import pytest

from composer import Composer, ComposeRequest, Composition
from forms.render import render_html
from rules import packs

BEIJING_WORDS = ("区政务服务局", "综合许可凭证")
"""What Beijing calls the window and the certificate: no other jurisdiction's notice may say them."""


def composed(pack_id: str, locale: str = "zh") -> Composition:
    """The pack's first scenario that needs a permit, composed."""
    composer = Composer.load(pack_id)
    for s in composer.pack.scenarios:
        if s.expect.error is None and (s.expect.permits or s.expect.permits_include):
            asked = {"pack": pack_id, "industries": s.industries, "scope": s.scope, "answers": s.answers, "locale": locale}
            return composer.compose(ComposeRequest.model_validate(asked), today=s.as_of or date(2026, 3, 1))
    raise AssertionError(f"{pack_id} has no scenario that needs a permit")


@pytest.mark.parametrize("pack_id", packs.available())
def test_every_pack_says_its_own_window_and_certificate(pack_id: str) -> None:
    c = composed(pack_id)
    words = c.pack.wording
    assert words is not None
    assert words.window in c.notice.intro
    assert c.notice.title.startswith(words.reform)
    assert c.form.title.startswith(words.reform)
    if words.certificate:
        assert f"一张{words.certificate}" in c.notice.intro
    html = render_html("notice", c)
    for foreign in BEIJING_WORDS:
        if foreign not in (words.window, words.certificate):
            assert foreign not in c.notice.intro + "".join(c.notice.steps)
            assert foreign not in html


def test_pudong_issues_an_industry_comprehensive_license_from_its_approval_bureau() -> None:
    c = composed("shanghai-pudong")
    assert "浦东新区行政审批局一窗受理" in c.notice.intro
    assert "办结后发放一张行业综合许可证。" in c.notice.intro
    assert "领取行业综合许可证，扫描二维码可查看每项许可的实时状态。" in c.notice.steps


def test_hunan_has_no_combined_certificate_and_calls_the_reform_one_thing_one_go() -> None:
    c = composed("hunan")
    assert c.notice.title.startswith("一件事一次办 一次告知单")
    assert "办结后各项证照一次发放。" in c.notice.intro
    assert c.notice.steps[-1] == "一次领取各项证照。"
    assert c.pack.wording is not None
    assert c.pack.wording.certificate is None


def test_dongcheng_inherits_beijing_words() -> None:
    c = composed("beijing-dongcheng")
    assert "区政务服务局一窗受理" in c.notice.intro
    assert "办结后发放一张综合许可凭证。" in c.notice.intro


def test_english_uses_the_pack_words_too() -> None:
    c = composed("shanghai-pudong", "en")
    assert "The Pudong New Area Administrative Approval Bureau accepts them at one window" in c.notice.intro
    assert "one industry comprehensive license." in c.notice.intro
