"""The push to the city's e-licence library (市电子证照库): each certificate version's state, at least once.

The worker POSTs one message per outbox row to ``YIYE_ELICENCE_URL`` (contract: docs/elicence-message.schema.json).
The message carries the version's state as the records have it when it is sent, with a ``revision`` that only
grows (1 issued, +1 superseded, +1 recovered); the library keeps, per certificate id and version, the message of
the highest revision, so a duplicate or a late retry changes nothing. ``Idempotency-Key`` is
``certificate_id:version:revision``. Any answer but 2xx, a timeout or a refused connection is a failed delivery,
retried by the outbox with backoff and listed by ``yiye outbox status`` once it keeps failing. With no URL set
the rows are marked delivered and nothing is sent (a district without a library yet).
"""

from __future__ import annotations

import logging
import uuid
from contextlib import nullcontext
from datetime import date
from typing import Any

import httpx
from sqlmodel import Session

from service.certs.models import Certificate
from service.certs.verify import Standing, records
from service.compose import today as beijing_today
from service.jobs.models import OutboxRow
from service.models import utcnow
from service.settings import Settings

log = logging.getLogger("yiye.elicence")

SCHEMA = "docs/elicence-message.schema.json"


class Refused(Exception):
    """The library answered, but not with 2xx."""


def message(session: Session, certificate: Certificate, today: date) -> dict[str, Any]:
    """The version as the library holds it: the face, the derived state, each sub-permit's live state."""
    standing = Standing.of(lambda: nullcontext(session), records(session, certificate.key_id, certificate.id), today)
    face, status = standing.face, standing.status
    items = {i.permit: i for i in status.items}
    return {
        "certificate_id": str(certificate.id),
        "number": face.number,
        "version": face.version,
        "revision": certificate.revision,
        "state": status.state.value,
        "state_label": status.label,
        "issuer": face.issuer,
        "holder": face.holder,
        "uscc": face.uscc,
        "legal_representative": face.legal_representative,
        "address": face.address,
        "industry": face.industry,
        "issued_on": face.issued_on.isoformat(),
        "permits": [
            {
                "permit": p.permit,
                "name": p.name,
                "number": p.number,
                "department_name": p.department_name,
                "valid_from": p.valid_from.isoformat(),
                "valid_to": p.valid_to.isoformat() if p.valid_to else None,
                "state": items[p.permit].state.value,
            }
            for p in face.permits
        ],
        "not_licensed": [{"name": n.name, "department_name": n.department_name, "reason": n.reason} for n in face.not_licensed],
        "superseded_by_version": standing.superseded_by,
        "void_because": status.void_because,
        "recovery_reason": certificate.recovery_reason or None,
        "status_list_index": certificate.list_index,
        "sent_at": utcnow().isoformat(),
    }


def deliver(session: Session, settings: Settings, row: OutboxRow) -> None:
    """POST the row's certificate version to the library; raises unless it answered 2xx."""
    certificate = session.get(Certificate, uuid.UUID(row.payload["certificate_id"]))
    if certificate is None or settings.elicence_url is None:
        return
    body = message(session, certificate, beijing_today())
    headers = {"Idempotency-Key": f"{certificate.id}:{certificate.version}:{certificate.revision}"}
    if settings.elicence_token:
        headers["Authorization"] = f"Bearer {settings.elicence_token}"
    answer = httpx.post(settings.elicence_url, json=body, headers=headers, timeout=settings.elicence_timeout)
    if not answer.is_success:
        raise Refused(f"{answer.status_code} {answer.text[:200]}")
    log.info("pushed to the e-licence library", extra={"certificate": body["number"], "version": body["version"]})
