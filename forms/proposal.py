"""A proposal to the city's catalogue (向市级目录提出的调整建议): a change set of the district's packs, what it changes
field by field and what it would change for applicants, printed on A4 like the notice.

Pure data in, a PDF out; the service fills a ``Proposal`` from the change set and its impact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from forms import i18n
from forms.render import _page_css, _t, environment, print_pdf


@dataclass(frozen=True)
class ProposedChange:
    label: str
    where: str
    before: str
    after: str


@dataclass(frozen=True)
class Proposal:
    title: str
    reason: str
    pack_id: str
    drafted_by: str
    drafted_on: date
    changes: tuple[ProposedChange, ...]
    composed: int
    """stored compositions composed again under both versions"""
    changed: int
    effects: tuple[tuple[str, int], ...]
    """(kind of change, how many compositions), for each kind that occurs"""


def render_proposal_html(proposal: Proposal, locale: str = "zh") -> str:
    """The proposal as a standalone HTML page."""
    locale = i18n.normalise(locale)
    footer = _t("规则包 %(pack)s · 调整建议", locale, pack=proposal.pack_id)
    return (
        environment(locale)
        .get_template("proposal.html")
        .render(
            p=proposal,
            day=i18n.fmt_date(proposal.drafted_on, locale),
            doc_title=_t("行业目录调整建议", locale),
            footer=footer,
            page_css=Markup(_page_css(footer, locale)),
        )
    )


def render_proposal_pdf(proposal: Proposal, locale: str = "zh") -> bytes:
    """The proposal printed on A4 by WeasyPrint."""
    return print_pdf(render_proposal_html(proposal, locale))
