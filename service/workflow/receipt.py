"""The receipt (回执) of a submitted application: its number, pack, the files received and the letters signed."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from forms.receipt import Receipt, ReceivedFile, SignedCommitment
from service.workflow.models import Application, MaterialFile


def receipt_of(session: Session, application: Application) -> Receipt:
    """What the window received with the submission (round 0), named as the composition names materials."""
    names = {m["key"]: m["name"] for m in application.composition.get("materials", [])}
    files = session.exec(
        select(MaterialFile)
        .where(MaterialFile.application_id == application.id, MaterialFile.round == 0)
        .order_by(col(MaterialFile.material), col(MaterialFile.filename))
    )
    return Receipt(
        number=application.number,
        applicant_name=application.applicant_name,
        uscc=application.uscc,
        channel=application.channel,
        submitted_at=application.submitted_at,
        pack_id=application.pack_id,
        pack_version=application.pack_version,
        permits=tuple(p["name"] for p in application.composition.get("permits", [])),
        files=tuple(ReceivedFile(names.get(f.material, f.material), f.filename, f.size, f.sha256) for f in files),
        commitments=tuple(
            SignedCommitment(c["permit_name"], datetime.fromisoformat(c["accepted_at"])) for c in application.commitments
        ),
    )
