"""The signing keys: private halves as files in ``YIYE_KEYS_DIR``, public halves in ``certificate_key``.

The newest key that is not retired and whose private file this host has signs; every key not retired
verifies, so a rotation leaves earlier certificates verifiable until their key is retired. The first
key is made the first time one is needed. The folder is the service's secret: keep it out of backups
of the database and out of the repository (``var/`` is git-ignored).

The PDF's PAdES seal lives beside them in ``pades/``: the bureau's certificate, its key and the CA
certificate checkers trust. Outside production a test CA is made there at first need.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key
from sqlalchemy import update
from sqlmodel import Session, col, select

from certificates.seal import SIGNER_CERT_FILE, Seal, make_test_ca
from certificates.tokens import KeyRing, key_id, public_raw
from service.certs.models import CertificateKey, StatusList
from service.models import utcnow


def _path(folder: Path, kid: str) -> Path:
    return folder / f"{kid}.pem"


def _load(folder: Path, kid: str) -> Ed25519PrivateKey | None:
    path = _path(folder, kid)
    if not path.is_file():
        return None
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey) or key_id(key.public_key()) != kid:
        raise ValueError(f"{path} is not the Ed25519 key {kid}")
    return key


def rotate(session: Session, folder: Path) -> str:
    """A new signing key: its private half written (owner-only) to ``folder``, its public half added. Returns its id."""
    key = Ed25519PrivateKey.generate()
    kid = key_id(key.public_key())
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    partial = folder / f".{kid}.pem.new"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    partial.replace(_path(folder, kid))
    session.add(CertificateKey(key_id=kid, public_key=public_raw(key.public_key()).hex()))
    session.commit()
    return kid


def retire(session: Session, kid: str) -> bool:
    """Retire a key: what it signed no longer verifies. False when there is no such key in use."""
    row = session.get(CertificateKey, kid)
    if row is None or row.retired_at is not None:
        return False
    row.retired_at = utcnow()
    # the stored status list may be signed by it: have the next fetch sign a new one
    session.execute(update(StatusList).values(generated_at=None))
    session.commit()
    return True


def listing(session: Session) -> list[CertificateKey]:
    return list(session.exec(select(CertificateKey).order_by(col(CertificateKey.created_at))))


def verifying_ring(session: Session) -> KeyRing:
    """Every known public key, retired ones marked; signs nothing."""
    return KeyRing.of(None, [(bytes.fromhex(k.public_key), k.retired_at is not None) for k in listing(session)])


def signing_ring(session: Session, folder: Path) -> KeyRing:
    """The ring with this host's newest usable private key to sign, made now if there is none."""
    rows = listing(session)
    for row in sorted(rows, key=_created, reverse=True):
        if row.retired_at is None and (signer := _load(folder, row.key_id)) is not None:
            return KeyRing.of(signer, [(bytes.fromhex(k.public_key), k.retired_at is not None) for k in rows])
    rotate(session, folder)
    return signing_ring(session, folder)


def _created(row: CertificateKey) -> datetime:
    return row.created_at.replace(tzinfo=None)


_seals: dict[Path, Seal] = {}
_seal_lock = threading.Lock()


def seal(folder: Path, *, test_ca: bool) -> Seal:
    """The bureau's PAdES seal from ``folder/pades``, loaded once; with ``test_ca``, a test CA is made there if none is."""
    where = folder / "pades"
    with _seal_lock:
        if where not in _seals:
            if test_ca and not (where / SIGNER_CERT_FILE).is_file():
                make_test_ca(where)
            _seals[where] = Seal.load(where)
        return _seals[where]
