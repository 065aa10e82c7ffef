"""Full-width punctuation inside Chinese: which marks are slips, and how they read fixed."""

from __future__ import annotations

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from rules.typography import FULL_WIDTH, full_width, half_width_marks


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("灯箱、电子显示屏等, 不含本单位名称牌匾", "灯箱、电子显示屏等，不含本单位名称牌匾"),
        ("承诺: 所提交材料真实; 如与承诺不符", "承诺：所提交材料真实；如与承诺不符"),
        ("《条例》(2024年修订, 2025-01-20施行) 第二条", "《条例》（2024年修订，2025-01-20施行）第二条"),
        ("经营场所(含6㎡)", "经营场所（含6㎡）"),
        ("相关体育设施符合国家标准(GB 19079.1)", "相关体育设施符合国家标准（GB 19079.1）"),
        ("是否销售卷烟?", "是否销售卷烟？"),
        ("法定20, 承诺10个工作日", "法定20，承诺10个工作日"),
    ],
)
def test_slips_next_to_chinese_are_made_full_width(text: str, fixed: str) -> None:
    assert half_width_marks(text)
    assert full_width(text) == fixed
    assert half_width_marks(fixed) == []


@pytest.mark.parametrize("text", ["GB 19079.1 (2013)", "1.5㎡", "2025-01-20", "Pool: 25 m, lanes (6)", "《条例》第二条"])
def test_latin_digits_and_dates_are_left_alone(text: str) -> None:
    assert half_width_marks(text) == []
    assert full_width(text) == text


@given(st.text(alphabet="游泳馆面积 ,;:?!()ab12", max_size=30))
def test_fixing_leaves_nothing_to_fix_and_changes_only_marks_and_spaces(text: str) -> None:
    fixed = full_width(text)
    event("had slips" if half_width_marks(text) else "clean")
    assert half_width_marks(fixed) == []
    half = {full: half for half, full in FULL_WIDTH.items()}
    assert "".join(half.get(c, c) for c in fixed).replace(" ", "") == text.replace(" ", "")
