"""Where to go and when, whom to ask, and what to do if refused: the one window and each deciding department."""

from __future__ import annotations

from composer.case import Rulebook
from composer.memo import memoised
from composer.model import DepartmentOut, Locale, PermitOut, WindowOut
from composer.words import N_, say
from rules.model import Contact

REVIEW_DAYS = 60
"""行政复议: within 60 days of knowing the decision (《中华人民共和国行政复议法》（2023修订）第二十条第一款)."""
SUIT_MONTHS = 6
"""行政诉讼: within 6 months of knowing the decision (《中华人民共和国行政诉讼法》第四十六条第一款)."""
REMEDIES_BASIS = (N_("《中华人民共和国行政复议法》第二十条"), N_("《中华人民共和国行政诉讼法》第四十六条"))

REMEDIES = N_(
    "对%(department)s作出的决定不服的，可以自知道或者应当知道该决定之日起%(review_days)s日内向%(review_body)s申请行政复议，"
    "或者自知道或者应当知道该决定之日起%(months)s个月内向%(court)s提起行政诉讼；被申请人（被告）为%(department)s。"
)
NO_REVIEW_BODY = N_("依法负责行政复议的机关")
NO_COURT = N_("有管辖权的人民法院")


def windows(rules: Rulebook, permits: list[PermitOut], locale: Locale) -> list[WindowOut]:
    """The windows the permits are applied for at, each once, in the permits' order."""
    return list(_windows(rules, tuple(dict.fromkeys(p.department for p in permits)), locale))


def departments(rules: Rulebook, permits: list[PermitOut], locale: Locale) -> list[DepartmentOut]:
    """Each deciding department once, in the permits' order, with the permits it decides."""
    by_department: dict[str, list[str]] = {}
    for p in permits:
        by_department.setdefault(p.department, []).append(p.id)
    return [_department(rules, did, tuple(pids), locale) for did, pids in by_department.items()]


@memoised
def _windows(rules: Rulebook, department_ids: tuple[str, ...], locale: Locale) -> tuple[WindowOut, ...]:
    found: dict[str, WindowOut] = {}
    for did in department_ids:
        window = rules.pack.departments[did].window
        if window is not None and window.zh not in found:
            found[window.zh] = WindowOut(name=window.in_(locale), **_reached(window.contact, locale))
    return tuple(found.values())


@memoised
def _department(rules: Rulebook, did: str, permit_ids: tuple[str, ...], locale: Locale) -> DepartmentOut:
    department = rules.pack.departments[did]
    name = department.name.in_(locale)
    remedies = department.remedies
    review_body = remedies.review_body.in_(locale) if remedies else say(NO_REVIEW_BODY, locale)
    court = remedies.court.in_(locale) if remedies and remedies.court else say(NO_COURT, locale)
    said = say(
        REMEDIES, locale, department=name, review_days=REVIEW_DAYS, review_body=review_body, months=SUIT_MONTHS, court=court
    )
    return DepartmentOut(
        id=did,
        name=name,
        permits=list(permit_ids),
        remedies=said,
        remedies_basis=[say(basis, locale) for basis in REMEDIES_BASIS],
        **_reached(department.contact, locale),
    )


def _reached(contact: Contact | None, locale: Locale) -> dict[str, str | None]:
    if contact is None:
        return {}
    return {
        "address": contact.address.in_(locale) if contact.address else None,
        "hours": contact.hours.in_(locale) if contact.hours else None,
        "phone": contact.phone,
        "complaints": contact.complaints,
        "online": contact.online,
    }
