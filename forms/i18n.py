"""Fixed labels in Chinese and English: the gettext catalogs of forms/ and Babel formatting.

The msgids are Chinese (the primary audience); ``locale/en`` holds the English translation and
``locale/zh`` is an identity catalog kept for completeness. Texts that come from a rule pack are
already localised inside the Composition and never pass through gettext.

The compiled ``.mo`` files are committed. After editing a ``.po`` run ``python -m forms compile-catalogs`` to
recompile them (a test fails while a ``.mo`` is out of date). Should a ``.mo`` be missing, the
catalog is compiled from its ``.po`` in memory, so a fresh checkout never renders untranslated.
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LOCALES = ("zh", "en")

_BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en"}


def normalise(locale: str | None) -> str:
    """'zh', 'zh_CN', 'zh-Hans' → 'zh'; 'en', 'en_GB' → 'en'; anything else → 'zh'."""
    if locale and locale.lower().startswith("en"):
        return "en"
    return "zh"


def babel_locale(locale: str) -> Locale:
    return Locale.parse(_BABEL_LOCALE[normalise(locale)])


def _po(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _mo(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def compile_bytes(locale: str) -> bytes:
    """The .mo bytes of a locale's .po, compiled in memory."""
    with _po(locale).open("rb") as fh:
        catalog = read_po(fh, locale=_BABEL_LOCALE[locale], domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_catalogs() -> list[Path]:
    """Compile every locale's .po into its .mo; returns the files written."""
    written = []
    for locale in LOCALES:
        data = compile_bytes(locale)
        target = _mo(locale)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
            written.append(target)
    return written


@cache
def translations(locale: str) -> Translations:
    locale = normalise(locale)
    mo = _mo(locale)
    stale = not mo.exists() or mo.stat().st_mtime < _po(locale).stat().st_mtime
    data = compile_bytes(locale) if stale else mo.read_bytes()
    return Translations(io.BytesIO(data), domain=DOMAIN)


def gettext(message: str, locale: str, **params: object) -> str:
    """Translate a Chinese msgid into ``locale`` and fill ``%(name)s`` placeholders."""
    text = translations(locale).gettext(message)
    return text % params if params else text


def fmt_date(value: date | None, locale: str, fmt: str = "long") -> str:
    """2026年11月26日 / November 26, 2026."""
    if value is None:
        return ""
    return format_date(value, format=fmt, locale=babel_locale(locale))


def fmt_yuan(value: float, locale: str) -> str:
    """¥1,200.00; the caller says "free" for zero."""
    return format_currency(value, "CNY", locale=babel_locale(locale))


def fmt_number(value: float | int, locale: str) -> str:
    return format_decimal(value, locale=babel_locale(locale))
