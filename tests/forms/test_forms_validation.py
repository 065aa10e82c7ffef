"""Server-side validation of a one-form post: table-driven, one row per case."""

from __future__ import annotations

from typing import Any

import pytest

from composer.model import FieldOut, Form, FormSection, Sheet
from forms import validate


def field(type_: str, **kw: Any) -> FieldOut:
    labels = {
        "uscc": "统一社会信用代码",
        "id_number": "法定代表人身份证号码",
        "phone": "联系电话",
        "email": "电子邮箱",
        "number": "经营面积",
        "date": "拟开业日期",
        "choice": "主体类型",
        "boolean": "配备冷藏冷冻设备",
        "text": "申请人名称",
        "textarea": "备注",
    }
    kw.setdefault("required", True)
    kw.setdefault("permits", ["food_business"])
    return FieldOut(id="x", label=kw.pop("label", labels[type_]), type=type_, **kw)


def one(f: FieldOut, raw: Any, locale: str = "zh") -> tuple[dict[str, Any], dict[str, str]]:
    form = Form(title="t", sections=[FormSection(id="applicant", title="申请人", fields=[f])], sheets=[])
    return validate(form, {} if raw is None else {f.id: raw}, locale)


AREA = {"unit": "㎡", "min": 1, "max": 100000}
CHOICES = {"options": [("individual", "个体工商户"), ("llc", "有限责任公司")]}

VALID: list[tuple[str, dict[str, Any], Any, Any]] = [
    # type, field options, posted, clean
    ("uscc", {}, "91110000600037341L", "91110000600037341L"),
    ("uscc", {}, "9111 0000 6000 3734 1L", "91110000600037341L"),
    ("uscc", {}, "911100-0060003-7341l", "91110000600037341L"),
    ("uscc", {}, "９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),  # full-width
    ("id_number", {}, "11010519491231002X", "11010519491231002X"),
    ("id_number", {}, "110105 19491231 002x", "11010519491231002X"),
    ("id_number", {}, "360426199101010071", "360426199101010071"),
    ("phone", {}, "13800138000", "13800138000"),
    ("phone", {}, "138 0013 8000", "13800138000"),
    ("phone", {}, "138-0013-8000", "13800138000"),
    ("phone", {}, "+86 138 0013 8000", "13800138000"),
    ("phone", {}, "0086-13800138000", "13800138000"),
    ("phone", {}, "010-12345678", "010-12345678"),
    ("phone", {}, "(010) 1234 5678", "010-12345678"),
    ("phone", {}, "01012345678", "010-12345678"),
    ("phone", {}, "0755-8888-8888", "0755-88888888"),
    ("phone", {}, "0571-8765432", "0571-8765432"),
    ("phone", {}, "010-12345678转801", "010-12345678-801"),
    ("phone", {}, "010-12345678-801", "010-12345678-801"),
    ("email", {}, "li.si@example.com", "li.si@example.com"),
    ("email", {}, " Li.Si@Example.COM ", "Li.Si@example.com"),
    ("email", {}, "shop＠example.cn", "shop@example.cn"),
    ("number", AREA, "80", 80),
    ("number", AREA, "80.5", 80.5),
    ("number", AREA, " 80 ㎡", 80),
    ("number", AREA, "80平方米", 80),
    ("number", AREA, "８０", 80),
    ("number", AREA, "1,200", 1200),
    ("number", AREA, "1", 1),
    ("number", AREA, "100000", 100000),
    ("number", {"min": 0}, "0", 0),
    ("date", {}, "2027-01-05", "2027-01-05"),
    ("date", {}, "2027/1/5", "2027-01-05"),
    ("date", {}, "2027年1月5日", "2027-01-05"),
    ("date", {}, "2027.01.05", "2027-01-05"),
    ("date", {}, "20270105", "2027-01-05"),
    ("date", {}, "2028-02-29", "2028-02-29"),
    ("choice", CHOICES, "llc", "llc"),
    ("choice", CHOICES, "有限责任公司", "llc"),
    ("boolean", {}, "true", True),
    ("boolean", {}, "是", True),
    ("boolean", {}, "no", False),
    ("boolean", {}, True, True),
    ("text", {"max_length": 10}, "  北京  便民  ", "北京 便民"),
    ("text", {"max_length": 10}, "一二三四五六七八九十", "一二三四五六七八九十"),
    ("textarea", {"max_length": 20}, "第一行\r\n第二行", "第一行\n第二行"),
]


@pytest.mark.parametrize(("type_", "options", "posted", "expected"), VALID)
def test_valid(type_: str, options: dict[str, Any], posted: Any, expected: Any) -> None:
    clean, errors = one(field(type_, **options), posted)
    assert errors == {}
    assert clean == {"x": expected}
    assert type(clean["x"]) is type(expected)


INVALID: list[tuple[str, dict[str, Any], Any, str]] = [
    # type, field options, posted, the Chinese message
    ("uscc", {}, "91110000600037341X", "统一社会信用代码校验位不正确，请核对后重新填写"),
    ("uscc", {}, "9111000060003734", "统一社会信用代码应为18位，您填写了16位"),
    ("uscc", {}, "91110000600037341I", "统一社会信用代码前8位应为数字，其余为数字或大写英文字母（不使用I、O、S、V、Z）"),
    ("uscc", {}, "A1110000600037341L", "统一社会信用代码前8位应为数字，其余为数字或大写英文字母（不使用I、O、S、V、Z）"),
    ("id_number", {}, "110105194912310021", "法定代表人身份证号码校验位不正确，请核对后重新填写"),
    ("id_number", {}, "110105491231002", "法定代表人身份证号码应为18位，您填写了15位"),
    ("id_number", {}, "11010519491231A02X", "法定代表人身份证号码前17位应为数字，最后一位为数字或X"),
    ("id_number", {}, "110105194913310021", "法定代表人身份证号码中的地区码或出生日期不正确，请核对后重新填写"),  # 13th month
    ("id_number", {}, "99999919800101002X", "法定代表人身份证号码中的地区码或出生日期不正确，请核对后重新填写"),  # no region
    ("phone", {}, "12345", "联系电话应为11位手机号码或带区号的固定电话，例如 13800138000 或 010-12345678"),
    ("phone", {}, "12800138000", "联系电话应为11位手机号码或带区号的固定电话，例如 13800138000 或 010-12345678"),
    ("phone", {}, "1380013800", "联系电话应为11位手机号码或带区号的固定电话，例如 13800138000 或 010-12345678"),
    ("phone", {}, "12345678", "联系电话应为11位手机号码或带区号的固定电话，例如 13800138000 或 010-12345678"),
    ("phone", {}, "010-1234567", "联系电话应为11位手机号码或带区号的固定电话，例如 13800138000 或 010-12345678"),
    ("phone", {}, "电话", "联系电话应为11位手机号码或带区号的固定电话，例如 13800138000 或 010-12345678"),
    ("email", {}, "li.si", "电子邮箱格式不正确，例如 name@example.com"),
    ("email", {}, "li@si", "电子邮箱格式不正确，例如 name@example.com"),
    ("email", {}, "li si@example.com", "电子邮箱格式不正确，例如 name@example.com"),
    ("email", {}, "li..si@example.com", "电子邮箱格式不正确，例如 name@example.com"),
    ("number", AREA, "八十", "经营面积应为数字，例如 80"),
    ("number", AREA, "80㎡ 左右", "经营面积应为数字，例如 80"),
    ("number", AREA, "nan", "经营面积应为数字，例如 80"),
    ("number", AREA, "Infinity", "经营面积应为数字，例如 80"),
    ("number", AREA, "0", "经营面积不能小于1㎡"),
    ("number", AREA, "0.5", "经营面积不能小于1㎡"),
    ("number", AREA, "-3", "经营面积不能小于1㎡"),
    ("number", AREA, "100001", "经营面积不能大于100000㎡"),
    ("number", {"min": 0.5, "max": 2.5, "unit": "万元", "label": "注册资金"}, "3", "注册资金不能大于2.5万元"),
    ("date", {}, "2027-02-30", "拟开业日期应为真实的日期，例如 2026-11-26"),
    ("date", {}, "2027-13-01", "拟开业日期应为真实的日期，例如 2026-11-26"),
    ("date", {}, "明年一月", "拟开业日期应为真实的日期，例如 2026-11-26"),
    ("date", {}, "05/01/2027", "拟开业日期应为真实的日期，例如 2026-11-26"),
    ("choice", CHOICES, "partnership", "请从列出的选项中选择主体类型"),
    ("boolean", {}, "maybe", "请选择“配备冷藏冷冻设备”：是或否"),
    ("text", {"max_length": 10}, "一二三四五六七八九十一", "申请人名称不能超过10个字"),
    ("textarea", {"max_length": 5}, "123456", "备注不能超过5个字"),
]


@pytest.mark.parametrize(("type_", "options", "posted", "message"), INVALID)
def test_invalid(type_: str, options: dict[str, Any], posted: Any, message: str) -> None:
    clean, errors = one(field(type_, **options), posted)
    assert errors == {"x": message}
    assert clean == {}


REQUIRED = [
    ("text", "请填写申请人名称"),
    ("uscc", "请填写统一社会信用代码"),
    ("number", "请填写经营面积"),
    ("date", "请填写拟开业日期"),
    ("choice", "请选择主体类型"),
    ("boolean", "请选择“配备冷藏冷冻设备”：是或否"),
]


@pytest.mark.parametrize(("type_", "message"), REQUIRED)
@pytest.mark.parametrize("posted", [None, "", "   "])
def test_required(type_: str, message: str, posted: Any) -> None:
    options = CHOICES if type_ == "choice" else {}
    assert one(field(type_, **options), posted) == ({}, {"x": message})


@pytest.mark.parametrize("posted", [None, "", "  "])
def test_optional_empty_is_left_out(posted: Any) -> None:
    assert one(field("email", required=False), posted) == ({}, {})


ENGLISH = [
    ("uscc", {"label": "Unified social credit code"}, "91110000600037341X",
     "Unified social credit code has a wrong check character: check it and enter it again"),
    ("number", {**AREA, "label": "Floor area"}, "0", "Floor area must be 1㎡ or more"),
    ("phone", {"label": "Contact phone"}, "123",
     "Contact phone must be an 11-digit mobile number or a landline with its area code, like 13800138000 or 010-12345678"),
    ("text", {"label": "Applicant name"}, None, "Enter Applicant name"),
]  # fmt: skip


@pytest.mark.parametrize(("type_", "options", "posted", "message"), ENGLISH)
def test_english_messages(type_: str, options: dict[str, Any], posted: Any, message: str) -> None:
    assert one(field(type_, **options), posted, "en")[1] == {"x": message}


def test_date_in_three_parts() -> None:
    f = field("date")
    form = Form(title="t", sections=[FormSection(id="other", title="其他", fields=[f])], sheets=[])
    assert validate(form, {"x-year": "2027", "x-month": "1", "x-day": "5"}) == ({"x": "2027-01-05"}, {})
    assert validate(form, {"x-year": "2027", "x-month": "2", "x-day": "30"})[1] == {
        "x": "拟开业日期应为真实的日期，例如 2026-11-26"
    }


def test_whole_sample_form(sample: Any, values: dict[str, str]) -> None:
    clean, errors = validate(sample.form, {**values, "csrf_token": "abc", "uscc": "9111-0000-6000-3734-1L"})
    assert errors == {}
    assert "csrf_token" not in clean
    assert clean["uscc"] == "91110000600037341L"
    assert clean["premises_area"] == 80
    assert clean["has_cold_storage"] is True
    assert set(clean) == set(values)


def test_errors_come_in_form_order_sheets_last(sample: Any) -> None:
    _, errors = validate(sample.form, {"email": "bad"})
    ordered = [f.id for s in sample.form.sections for f in s.fields] + [f.id for s in sample.form.sheets for f in s.fields]
    ordered = list(dict.fromkeys(ordered))
    assert list(errors) == [fid for fid in ordered if fid in errors]
    assert list(errors)[-1] == "publication_area"
    assert errors["email"] == "电子邮箱格式不正确，例如 name@example.com"


def test_a_field_on_a_sheet_and_in_a_section_is_checked_once() -> None:
    f = field("text", max_length=5)
    form = Form(
        title="t",
        sections=[FormSection(id="applicant", title="申请人", fields=[f])],
        sheets=[Sheet(permit="hotel_trade", title="附表", fields=[f])],
    )
    assert validate(form, {"x": "123456"})[1] == {"x": "申请人名称不能超过5个字"}
