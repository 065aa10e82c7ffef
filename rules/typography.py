"""Chinese typography of the texts citizens read: punctuation inside Chinese is full-width (GB/T 15834-2011).

A comma, semicolon, colon, question or exclamation mark, or a parenthesis, written half-width next to a
Chinese character reads as a typing slip (「灯箱、电子显示屏等, 不含」). Half-width marks between Latin
letters and digits (「GB 19079.1」, 「2025-01-20」, 「1.5㎡」) stay as they are.
"""

from __future__ import annotations

import re

FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
"""Each half-width mark and the full-width one Chinese text uses instead."""

_CJK = "\u3300-\u33ff\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef《》“”‘’"
_AFTER_CJK = re.compile(rf"(?<=[{_CJK}]) ?[,;:?!()]")
_BEFORE_CJK = re.compile(rf"[,;:?!(] ?(?=[{_CJK}])")
_CLOSING_AFTER_CJK = re.compile(rf"(?<=[{_CJK}]) ?\)")


def half_width_marks(text: str) -> list[int]:
    """Positions of the half-width marks in ``text`` that touch a Chinese character (a space between counts as touching)."""
    found: set[int] = set()
    for pattern in (_AFTER_CJK, _BEFORE_CJK, _CLOSING_AFTER_CJK):
        for match in pattern.finditer(text):
            found.update(i for i in range(match.start(), match.end()) if text[i] in FULL_WIDTH)
    return sorted(found | _partners(text, found))


def _partners(text: str, found: set[int]) -> set[int]:
    """The other parenthesis of each pair one of whose parentheses is found: a pair is made full-width together."""
    partner: dict[int, int] = {}
    opened: list[int] = []
    for i, char in enumerate(text):
        if char == "(":
            opened.append(i)
        elif char == ")" and opened:
            start = opened.pop()
            partner[start], partner[i] = i, start
    return {partner[i] for i in found if i in partner}


def full_width(text: str) -> str:
    """``text`` with each mark :func:`half_width_marks` finds made full-width, and the spaces around it dropped.

    Repeated until none is left: a mark made full-width can expose its half-width neighbour (「等,,」).
    """
    fixed = _once(text)
    return fixed if fixed == text else full_width(fixed)


def _once(text: str) -> str:
    marks = set(half_width_marks(text))
    out: list[str] = []
    for i, char in enumerate(text):
        if i in marks:
            while out and out[-1] == " ":
                out.pop()
            out.append(FULL_WIDTH[char])
        elif char == " " and out and out[-1] in FULL_WIDTH.values() and i - 1 in marks:
            continue
        else:
            out.append(char)
    return "".join(out)
