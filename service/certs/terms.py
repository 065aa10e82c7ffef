"""The earliest term end of a certificate's sub-permits, kept on the version in its ``expires_on`` column.

Printed terms are the face's; an extension moves a held permit's term (``PermitHolding.valid_to``) with no new
version. The column is set in the transaction of each such change — at issue and when an extension takes
effect — so the extension reminders (``service/jobs/reminders.py``) find the certificates near a term's end
through its index, and the status list sets the bit of a version past it.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from service.certs.models import Certificate, PermitHolding


def keep(session: Session, certificate: Certificate) -> None:
    """Set ``certificate.expires_on`` to the earliest live term of the sub-permits its face carries."""
    held = session.exec(select(PermitHolding).where(PermitHolding.application_id == certificate.application_id))
    live = {h.permit: h.valid_to for h in held}
    ends: list[date] = []
    for permit in certificate.face["permits"]:
        printed = date.fromisoformat(permit["valid_to"]) if permit.get("valid_to") else None
        end = live[permit["permit"]] if permit["permit"] in live else printed
        if end is not None:
            ends.append(end)
    certificate.expires_on = min(ends, default=None)
    session.add(certificate)
