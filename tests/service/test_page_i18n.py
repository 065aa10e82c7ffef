"""Every Chinese text on the service's pages has an English translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from service.workflow.roles import ROLE_NAMES

SERVICE = Path(__file__).resolve().parents[2] / "service"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
RUNTIME_MSGIDS = {  # looked up at run time (error titles, problem messages), so not extractable
    "请求有误",
    "无法提交",
    "页面不存在",
    "请求方法不对",
    "提交的内容太大",
    "请求过于频繁",
    "服务器内部出错",
    "表单已失效，请刷新页面后重新提交",
    "没有找到这份草稿",
    "操作未生效",
    *ROLE_NAMES.values(),
}


def _extracted() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(SERVICE), METHODS, options_map=OPTIONS, keywords={"_": None, "gettext": None}
    ):
        if isinstance(message, str) and message:
            found.add(message)
    return found


def test_every_page_text_is_translated_into_english() -> None:
    with (SERVICE / "locale" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="en")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    wanted = _extracted() | RUNTIME_MSGIDS
    assert len(wanted) > 40
    assert sorted(wanted - translated) == []
