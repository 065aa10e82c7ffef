"""The Chinese the code itself says — problem messages, page and API errors, CLI output and help — is punctuated full-width
(GB/T 15834-2011), as the packs' texts are (``rules/typography.py``). Docstrings and comments are for developers, and
English text with a Chinese term in it (``"industry ids (行业)"``) keeps its own punctuation."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from rules.typography import half_width_marks

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rules", "composer", "forms", "service", "certificates")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def _texts(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Each string the module says, an f-string as one text with its placeholders read as a Latin ``x``; docstrings left out."""
    said_alone = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    parts = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(str(part.value) if isinstance(part, ast.Constant) else "x" for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in said_alone | parts:
            yield node.lineno, node.value


def _chinese(text: str) -> bool:
    """Text written in Chinese: a Chinese character says as much as a few Latin letters."""
    return 3 * len(_CJK.findall(text)) > len(_LATIN.findall(text))


def test_the_chinese_the_code_says_is_punctuated_full_width() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, text in _texts(ast.parse(path.read_text(encoding="utf-8"))):
                if _chinese(text) and half_width_marks(text):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert found == []


def test_the_check_finds_what_it_is_for() -> None:
    said = ast.parse('message = f"规则包 {pack} 有 {n} 个问题, 不能加载"\nhelp = "industry ids (行业)"\n"""文档, 不检查"""')
    texts = dict(_texts(said))
    assert [t for t in texts.values() if _chinese(t) and half_width_marks(t)] == ["规则包 x 有 x 个问题, 不能加载"]
    assert "文档, 不检查" not in texts.values()
