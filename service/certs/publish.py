"""What a change of a certificate owes the outside, written in the transaction of the change (the outbox).

Every version issued, superseded or recovered (void) owes the city's e-licence library (市电子证照库) its
new state (``elicence.py``) and the status list a regeneration (``statuslist.py``); ``yiye worker`` delivers
both. The lifecycle calls ``issued`` and ``changed``, nothing else.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import Session, col

from service.certs import terms
from service.certs.models import Certificate, StatusList
from service.jobs import outbox

ELICENCE = "elicence"
STATUS_LIST = "status_list"


def issued(session: Session, certificate: Certificate) -> None:
    """A new version: its status-list index and earliest expiry set, and its publication owed."""
    certificate.list_index = _next_index(session)
    terms.keep(session, certificate)
    changed(session, certificate)


def changed(session: Session, certificate: Certificate) -> None:
    """Owe the e-licence library and the status list this version's state (a repeat of one revision adds nothing).

    The list's row is locked first, so the row owed is stamped after any regeneration under way has committed:
    a list generated at or after that stamp was computed after this change committed (``statuslist.deliver``).
    """
    session.execute(select(col(StatusList.id)).where(col(StatusList.id) == 1).with_for_update())
    version = f"{certificate.id}:{certificate.version}:{certificate.revision}"
    payload = {"certificate_id": str(certificate.id), "version": certificate.version, "revision": certificate.revision}
    outbox.add(session, topic=ELICENCE, key=f"{ELICENCE}:{version}", payload=payload)
    outbox.add(session, topic=STATUS_LIST, key=f"{STATUS_LIST}:{version}", payload=payload)


def _next_index(session: Session) -> int:
    """The next free index, counted on the list's one row (its lock orders concurrent issues)."""
    taken = session.execute(
        update(StatusList)
        .where(col(StatusList.id) == 1)
        .values(next_index=StatusList.next_index + 1)
        .returning(col(StatusList.next_index))
    ).scalar_one()
    return int(taken) - 1
