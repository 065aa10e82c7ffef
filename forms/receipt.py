"""The receipt (回执) an applicant gets on submitting: what the window received, and what happens next.

Pure data in, an A4 PDF out, printed like the notice (the same print faces, page footer and catalogs),
so ``forms`` stays free of the service's tables: the service fills a ``Receipt`` from the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from forms import i18n
from forms.render import _page_css, _t, environment, print_pdf

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ReceivedFile:
    material: str
    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class SignedCommitment:
    permit_name: str
    accepted_at: datetime


@dataclass(frozen=True)
class Receipt:
    number: str
    applicant_name: str
    uscc: str
    channel: str
    """online, or counter (registered by a clerk)"""
    submitted_at: datetime
    pack_id: str
    pack_version: str
    permits: tuple[str, ...]
    files: tuple[ReceivedFile, ...]
    commitments: tuple[SignedCommitment, ...]


def _when(moment: datetime, locale: str) -> str:
    """A moment in Beijing time, to the minute."""
    local = moment.astimezone(BEIJING)
    return f"{i18n.fmt_date(local.date(), locale)} {local:%H:%M}"


def render_receipt_html(receipt: Receipt, locale: str = "zh") -> str:
    """The receipt as a standalone HTML page."""
    locale = i18n.normalise(locale)
    footer = _t("规则包 %(pack)s · 版本 %(version)s", locale, pack=receipt.pack_id, version=receipt.pack_version)
    template = environment(locale).get_template("receipt.html")
    return template.render(
        r=receipt,
        when=lambda moment: _when(moment, locale),
        doc_title=_t("申请材料接收回执", locale),
        footer=footer,
        page_css=Markup(_page_css(footer, locale)),
    )


def render_receipt_pdf(receipt: Receipt, locale: str = "zh") -> bytes:
    """The receipt printed on A4 by WeasyPrint."""
    return print_pdf(render_receipt_html(receipt, locale))
