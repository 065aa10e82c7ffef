"""The certificates' signed status list (certificates/statuslist.py), regenerated from the records and served.

A version's bit is set once it is no longer in force: superseded (已换发), recovered because a sub-permit ended
(收回, recorded in the transaction that ended it), or past its earliest sub-permit's term. Regenerating is one
indexed scan of the certificate table; the worker does it after each change (``publish.py``), skipping changes an
earlier regeneration already covered, and the page does it when the stored list's day has passed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import or_
from sqlmodel import Session, col, select

from certificates import statuslist
from certificates.face import ISSUER
from service.certs.keys import signing_ring
from service.certs.models import Certificate, StatusList
from service.compose import TIMEZONE
from service.jobs.models import OutboxRow
from service.models import utcnow

PATH = "/status/certificates"


def list_url(public_url: str) -> str:
    return f"{public_url.rstrip('/')}{PATH}"


def regenerate(session: Session, keys_dir: Path, public_url: str, now: datetime | None = None) -> StatusList:
    """Compute, sign and store the list as the records stand once its row is locked; the caller commits."""
    head = session.get(StatusList, 1, with_for_update=True, populate_existing=True)
    if head is None:
        raise LookupError("status_list has no row: run the migrations")
    now = now or utcnow()
    today = now.astimezone(TIMEZONE).date()
    ended = or_(
        col(Certificate.superseded_at).is_not(None),
        col(Certificate.recovered_at).is_not(None),
        col(Certificate.expires_on) < today,
    )
    revoked = session.exec(select(Certificate.list_index).where(col(Certificate.list_index).is_not(None), ended)).all()
    encoded = statuslist.encode((i for i in revoked if i is not None), statuslist.size_for(head.next_index))
    midnight = datetime.combine(today + timedelta(days=1), time(), TIMEZONE)
    credential = statuslist.credential(list_url(public_url), ISSUER, encoded, now, midnight)
    signer = signing_ring(session, keys_dir).signer
    if signer is None:
        raise LookupError("no signing key")
    head.jws = statuslist.sign(credential, signer)
    head.generated_at = now
    session.add(head)
    return head


def deliver(session: Session, keys_dir: Path, public_url: str, row: OutboxRow) -> None:
    """The worker's regeneration for one change, unless a list made after the change was owed already covers it."""
    head = session.get(StatusList, 1)
    if head is not None and head.generated_at is not None and _aware(head.generated_at) >= _aware(row.created_at):
        return
    regenerate(session, keys_dir, public_url)


def current(session: Session, keys_dir: Path, public_url: str) -> str:
    """The signed list to serve: the stored one, or a fresh one (committed) when there is none or its day has passed."""
    head = session.get(StatusList, 1)
    now = utcnow()
    if (
        head is None
        or head.generated_at is None
        or _aware(head.generated_at).astimezone(TIMEZONE).date() < now.astimezone(TIMEZONE).date()
    ):
        head = regenerate(session, keys_dir, public_url, now)
        session.commit()
    return head.jws


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)  # SQLite hands timestamps back naive
