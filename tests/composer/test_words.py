"""The composer's words: every message it says is in its English catalog, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

import composer
from composer import words
from composer.answers import parse_answer
from composer.model import FieldOut
from forms.render import field_display
from rules.packs import load

COMPOSER = Path(composer.__file__).parent


def said() -> set[str]:
    found = extract_from_dir(str(COMPOSER), method_map=[("**.py", "python")], keywords={"say": None, "say_n": None, "N_": None})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_message_the_composer_says_has_an_english_translation() -> None:
    english = {**words.catalog("en"), **{m: forms[-1] for m, forms in words.plurals("en").items()}}
    messages = said()
    assert {"需办理“%(permit)s”：%(because)s。依据：%(basis)s", "申请人信息", "国家安全", "是"} <= messages
    missing = sorted(m for m in messages if m not in english)
    assert missing == []
    for message in messages:
        placeholders = set(re.findall(r"%\((\w+)\)s", message))
        assert placeholders == set(re.findall(r"%\((\w+)\)s", english[message])), message


def test_chinese_is_said_as_written_and_english_from_the_catalog() -> None:
    assert words.say("%(n)s个工作日", "zh", n=20) == "20个工作日"
    assert words.say_n("%(n)s个工作日", "en", 20) == "20 working days"
    assert words.say_n("%(n)s个工作日", "en", 1) == "1 working day"  # Babel's plural rule for English
    assert words.say_n("%(n)s个工作日", "zh", 1) == "1个工作日"
    assert words.join(["甲", "乙"], "zh") == "甲、乙"
    assert words.join(["a", "b"], "en") == "a, b"


def test_one_yes_no_vocabulary_for_compose_answers_and_printed_forms() -> None:
    question = next(q for q in load("beijing-dongcheng").questions.values() if q.type.value == "boolean")
    field = FieldOut(id="f", label="f", type="boolean", required=False, permits=[])
    for word in words.YES | {" Yes ", "是"}:
        assert parse_answer(question, word) == (True, None)
        assert field_display(field, {"f": word}, "zh") == "是"
    for word in words.NO | {"NO", "没有"}:
        assert parse_answer(question, word) == (False, None)
        assert field_display(field, {"f": word}, "en") == "No"
    assert parse_answer(question, "maybe")[1] is not None
    assert field_display(field, {"f": "maybe"}, "zh") == "maybe"
