"""One answer to one question: read as the question's type and range, and shown as the applicant reads it."""

from __future__ import annotations

import math

from composer.model import Locale
from composer.words import N_, join, read_yes_no, say, yes_no
from rules.conditions import Value
from rules.model import Question, QuestionType

_NOT_A_NUMBER = N_("“%(question)s”应填写数字，收到“%(raw)s”")

MAX_NUMBER = 1e12
"""Numbers at or above this are refused: no area, count or sum in a permit comes near it."""

UNKNOWN = "unknown"
"""The answer that means "I don't know" (不确定), for questions that allow it."""


def parse_answer(question: Question, raw: Value) -> tuple[Value, tuple[str, str] | None]:
    """The answer as its question's type; or the problem code and message."""
    name = question.text.zh
    if isinstance(raw, tuple) and question.type is not QuestionType.multi_choice:
        return raw, ("bad_answer", say("“%(question)s”只能选一个回答，收到“%(raw)s”", "zh", question=name, raw="、".join(raw)))
    if question.type is QuestionType.multi_choice:
        return _options_chosen(question, raw)
    if question.type is QuestionType.boolean:
        if isinstance(raw, bool):
            return raw, None
        read = read_yes_no(str(raw))
        if read is not None:
            return read, None
        return raw, ("bad_answer", say("“%(question)s”只能回答是或否，收到“%(raw)s”", "zh", question=name, raw=raw))
    if question.type is QuestionType.choice:
        allowed = {o.value for o in question.options}
        if isinstance(raw, str) and raw in allowed:
            return raw, None
        labels = join([f"{o.value}({o.label.zh})" for o in question.options], "zh")
        return raw, (
            "bad_answer",
            say("“%(question)s”的回答“%(raw)s”不在可选项中：%(options)s", "zh", question=name, raw=raw, options=labels),
        )
    number: float
    if isinstance(raw, bool):
        return raw, ("bad_answer", say(_NOT_A_NUMBER, "zh", question=name, raw=raw))
    if isinstance(raw, int | float):
        number = raw
    else:
        try:
            number = float(str(raw).strip())
        except ValueError:
            return raw, ("bad_answer", say(_NOT_A_NUMBER, "zh", question=name, raw=raw))
    if abs(number) >= MAX_NUMBER or not math.isfinite(number):  # a huge int overflows isfinite
        return raw, ("bad_answer", say("“%(question)s”应填写合理范围内的数字，收到“%(raw)s”", "zh", question=name, raw=raw))
    number = round(number, 4)  # no answer needs finer figures, and rules compare at this precision
    if question.integer and number != int(number):
        return raw, ("bad_answer", say("“%(question)s”应填写整数，收到“%(raw)s”", "zh", question=name, raw=raw))
    unit = question.unit or ""
    if question.min is not None and number < question.min:
        least = f"{question.min:g}{unit}"
        return raw, (
            "out_of_range",
            say("“%(question)s”不能小于 %(min)s，收到 %(value)s", "zh", question=name, min=least, value=f"{number:g}"),
        )
    if question.max is not None and number > question.max:
        most = f"{question.max:g}{unit}"
        return raw, (
            "out_of_range",
            say("“%(question)s”不能大于 %(max)s，收到 %(value)s", "zh", question=name, max=most, value=f"{number:g}"),
        )
    value: Value = int(number) if number == int(number) else number
    return value, None


def _options_chosen(question: Question, raw: Value) -> tuple[Value, tuple[str, str] | None]:
    """A multi-choice answer: a list of option values (or one string of them, comma-separated, as a form sends it)."""
    picked = raw if isinstance(raw, tuple) else tuple(v.strip() for v in str(raw).replace("，", ",").split(",") if v.strip())
    allowed = {o.value for o in question.options}
    wrong = [v for v in picked if v not in allowed]
    if isinstance(raw, bool | int | float) or wrong:
        labels = join([f"{o.value}({o.label.zh})" for o in question.options], "zh")
        given = "、".join(wrong) if wrong else str(raw)
        message = say(
            "“%(question)s”的回答“%(raw)s”不在可选项中：%(options)s", "zh", question=question.text.zh, raw=given, options=labels
        )
        return raw, ("bad_answer", message)
    order = {o.value: i for i, o in enumerate(question.options)}
    return tuple(sorted(set(picked), key=order.__getitem__)), None


def shown(question: Question, value: Value, locale: Locale = "zh") -> str:
    """An answer as the applicant would read it."""
    if isinstance(value, tuple):
        labels = {o.value: o.label.in_(locale) for o in question.options}
        return join([labels.get(v, v) for v in value], locale) if value else say("都没有", locale)
    if isinstance(value, bool):
        return yes_no(value, locale)
    if question.type is QuestionType.choice:
        for option in question.options:
            if option.value == value:
                return option.label.in_(locale)
    if isinstance(value, float):
        return f"{value:g}{question.unit or ''}"
    return f"{value}{question.unit or ''}"


def agrees(answer: Value, implied: Value) -> bool:
    """An answer agrees with what the business implies: the same value, or for a multi-choice answer, a superset."""
    if isinstance(answer, tuple) and isinstance(implied, tuple):
        return set(implied) <= set(answer)
    return answer == implied
