"""The composer's own words: Chinese msgids in the code, English in the Babel catalog ``locale/en``.

Rule content (names, conditions, legal basis) is pack data with its own zh/en texts; these are
the fixed phrases the composer wraps around it and the messages that refuse a request. The
catalog is read from its ``.po`` when first used, so there is no compiled file to keep in step;
``composer/babel.cfg`` says how to extract new messages into it.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale as BabelLocale
from babel.messages.pofile import read_po

from composer.model import Locale

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "composer"

YES = frozenset({"true", "yes", "y", "on", "1", "是", "有"})
"""What an applicant may write for yes: on the compose API and in the form alike."""
NO = frozenset({"false", "no", "n", "off", "0", "否", "无", "没有"})
"""What an applicant may write for no."""


def N_(message: str) -> str:
    """Mark a msgid for extraction; it is translated where it is said."""
    return message


@cache
def catalog(locale: str) -> dict[str, str]:
    """A locale's translations by msgid; fuzzy ones are not yet translations."""
    with (LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        messages = read_po(fh, locale=locale, domain=DOMAIN)
    return {m.id: m.string for m in messages if isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}


def say(message: str, locale: Locale, **params: object) -> str:
    """``message`` (a Chinese msgid) in ``locale``, its ``%(name)s`` placeholders filled."""
    text = message if locale == "zh" else catalog(locale).get(message, message)
    return text % params if params else text


@cache
def plurals(locale: str) -> dict[str, tuple[str, ...]]:
    """A locale's plural translations by singular msgid, each form in the catalog's order."""
    with (LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        messages = read_po(fh, locale=locale, domain=DOMAIN)
    return {
        m.id[0]: tuple(m.string)
        for m in messages
        if isinstance(m.id, tuple) and isinstance(m.string, tuple | list) and all(m.string) and not m.fuzzy
    }


def say_n(message: str, locale: Locale, n: int, **params: object) -> str:
    """``message`` for a count ``n``, its ``%(n)s`` filled: the singular or plural the locale's
    rule (from Babel) picks, "1 working day" but "2 working days"."""
    text = message
    if locale != "zh":
        forms = plurals(locale).get(message)
        text = (forms[0] if BabelLocale.parse(locale).plural_form(n) == "one" else forms[-1]) if forms else message
    return text % {"n": n, **params}


def join(items: list[str], locale: Locale) -> str:
    return say("、", locale).join(items)


def yes_no(value: bool, locale: Locale) -> str:
    return say("是", locale) if value else say("否", locale)


def read_yes_no(text: str) -> bool | None:
    """True or False for a word of ``YES`` or ``NO`` (any case, spaces around), else None."""
    word = text.strip().lower()
    return True if word in YES else False if word in NO else None


def day(on: date, locale: Locale) -> str:
    """A day as a notice writes it: 2026年12月7日, or 2026-12-07 in English."""
    return f"{on.year}年{on.month}月{on.day}日" if locale == "zh" else on.isoformat()
