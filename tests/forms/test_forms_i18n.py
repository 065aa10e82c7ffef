"""The forms catalogs: every fixed label has an English translation, the .mo files are current."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo

from forms import i18n

FORMS = Path(i18n.__file__).parent


def used_msgids() -> set[str]:
    found = extract_from_dir(
        str(FORMS),
        method_map=[("templates/**.html", "jinja2"), ("**.py", "python")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "_t": None, "N_": None},
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_templates_and_code_use_messages() -> None:
    ids = used_msgids()
    assert {"申请材料", "告知承诺书", "请填写%(label)s", "免于提交（政府部门已持有）"} <= ids


def test_every_message_has_an_english_translation() -> None:
    catalog = read_mo(io.BytesIO(i18n.compile_bytes("en")))
    missing = sorted(m for m in used_msgids() if not (catalog.get(m) and catalog[m].string))
    assert missing == []


def test_placeholders_survive_translation() -> None:
    import re

    catalog = read_mo(io.BytesIO(i18n.compile_bytes("en")))
    for message in catalog:
        if isinstance(message.id, str) and isinstance(message.string, str) and message.id:
            assert set(re.findall(r"%\((\w+)\)s", message.id)) == set(re.findall(r"%\((\w+)\)s", message.string)), message.id


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_committed_mo_is_current(locale: str) -> None:
    mo = FORMS / "locale" / locale / "LC_MESSAGES" / "messages.mo"
    assert mo.read_bytes() == i18n.compile_bytes(locale), "run: python -m forms compile-catalogs"


def test_gettext_and_formatting() -> None:
    assert i18n.gettext("申请材料", "zh") == "申请材料"
    assert i18n.gettext("申请材料", "en") == "Materials"
    assert i18n.gettext("请填写%(label)s", "en", label="Floor area") == "Enter Floor area"
    assert i18n.fmt_date(date(2026, 11, 26), "zh") == "2026年11月26日"
    assert i18n.fmt_date(date(2026, 11, 26), "en") == "November 26, 2026"
    assert i18n.fmt_yuan(1200, "zh") == "¥1,200.00"
    assert i18n.normalise("en_GB") == "en"
    assert i18n.normalise("zh-Hans-CN") == "zh"
    assert i18n.normalise(None) == "zh"
