"""Page language: Chinese first, English on request (``?lang=en``, remembered in a cookie).

Msgids are Chinese; ``locale/en`` translates them. The catalog is compiled from its ``.po`` in
memory when first used, so there is no compiled file to keep in step.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


@cache
def translations(lang: str) -> NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def parse_lang(value: str | None) -> Lang | None:
    if not value:
        return None
    value = value.strip().lower()
    if value.startswith("en"):
        return "en"
    if value.startswith("zh"):
        return "zh"
    return None


def negotiate(request: Request, cookie_name: str) -> Lang:
    """``?lang=``, then the cookie, then Chinese.

    The browser's Accept-Language is deliberately not followed: this is a Chinese service first,
    and a browser set to English (as many kiosks and test browsers are) still shows Chinese until
    the visitor picks English.
    """
    return parse_lang(request.query_params.get("lang")) or parse_lang(request.cookies.get(cookie_name)) or "zh"
