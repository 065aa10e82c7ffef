"""The signed status list: fetched and checked as an offline verifier would, a version's bit following its life."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from joserfc.jwk import OKPKey
from sqlalchemy import Engine, text
from sqlmodel import Session

from certificates import statuslist
from service.app import create_app
from service.certs.keys import signing_ring
from service.certs.models import Certificate
from service.jobs import notifications, outbox
from service.workflow.models import Application
from service.workflow.review import record_verification
from tests.service.certs.certcase import Staff, task
from tests.service.svcutil import make_settings

Decided = Callable[..., Application]
Issuer = Callable[..., Certificate]
API_KEY = "status-list-test-key-0123456789"
PUBLIC = "https://yiye.example.gov.cn"


@pytest.fixture
def client(db_url: str, keys_dir: Path, session: Session) -> Iterator[TestClient]:
    session.exec(text("DELETE FROM outbox"))  # type: ignore[call-overload]
    session.exec(text("UPDATE status_list SET generated_at = NULL"))  # type: ignore[call-overload]  # signed by a deleted key
    session.commit()
    settings = make_settings(db_url, keys_dir=keys_dir, api_keys=[API_KEY], public_url=PUBLIC)
    with TestClient(create_app(settings)) as c:
        yield c


def _relay(engine: Engine, db_url: str, keys_dir: Path) -> None:
    settings = make_settings(db_url, keys_dir=keys_dir, public_url=PUBLIC)
    outbox.relay(engine, settings, notifications.deliver(settings))


def _bit(client: TestClient, index: int) -> bool:
    """The bit as a checker finds it: the JWKS fetched, the list's signature checked with it, the bits decoded."""
    jwks = client.get("/status/keys").json()["keys"]
    keys = {k["kid"]: OKPKey.import_key(k).as_der(private=False) for k in jwks}
    public = {kid: _public(der) for kid, der in keys.items()}
    answer = client.get("/status/certificates")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vc+jwt")
    credential = statuslist.verify(answer.text, public)
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["id"] == f"{PUBLIC}/status/certificates"
    subject = credential["credentialSubject"]
    assert subject["statusPurpose"] == "revocation"
    bits = statuslist.decode(subject["encodedList"])
    assert len(bits) * 8 >= statuslist.MIN_ENTRIES
    return statuslist.is_set(bits, index)


def _public(der: bytes) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    key = load_der_public_key(der)
    assert isinstance(key, Ed25519PublicKey)
    return key


def _index(client: TestClient, session: Session, keys_dir: Path, certificate: Certificate) -> int:
    token = signing_ring(session, keys_dir).sign(certificate.id, certificate.version)
    shown = client.get(f"/api/v1/certificates/verify/{token}", headers={"X-API-Key": API_KEY}).json()
    index: int = shown["status_list_index"]
    return index


def test_a_voided_certificates_bit_is_set_once_the_worker_regenerates(
    client: TestClient,
    db_url: str,
    engine: Engine,
    session: Session,
    staff: Staff,
    keys_dir: Path,
    decide_all: Decided,
    issue_for: Issuer,
) -> None:
    kept, voided = decide_all(), decide_all()
    kept_cert, voided_cert = issue_for(kept), issue_for(voided)
    _relay(engine, db_url, keys_dir)
    kept_index, voided_index = _index(client, session, keys_dir, kept_cert), _index(client, session, keys_dir, voided_cert)
    assert kept_index != voided_index
    assert (_bit(client, kept_index), _bit(client, voided_index)) == (False, False)

    food = task(session, voided, "food_business")
    record_verification(session, actor=staff.market, task_id=food.id, passed=False, version=food.version, reason="承诺不实")
    assert _bit(client, voided_index) is False  # not regenerated yet: the list is what was signed last
    _relay(engine, db_url, keys_dir)
    assert (_bit(client, kept_index), _bit(client, voided_index)) == (False, True)


def test_a_superseded_versions_bit_is_set_and_the_new_versions_is_not(
    client: TestClient, db_url: str, engine: Engine, keys_dir: Path, decide_all: Decided, issue_for: Issuer
) -> None:
    application = decide_all()
    first = issue_for(application)
    second = issue_for(application, form_values={"premises_address": "北京市东城区新址 1 号"})
    _relay(engine, db_url, keys_dir)
    assert _bit(client, second.list_index or 0) is False
    assert _bit(client, first.list_index or 0) is True


def test_a_forged_or_foreign_list_does_not_verify(client: TestClient, keys_dir: Path, session: Session) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signed = client.get("/status/certificates").text
    ring = signing_ring(session, keys_dir)
    assert ring.signer is not None
    keys = {ring.signing_key_id: ring.signer.public_key()}
    statuslist.verify(signed, keys)
    head, payload, signature = signed.split(".")
    with pytest.raises(statuslist.StatusListError):
        statuslist.verify(f"{head}.{payload[:-4]}AAAA.{signature}", keys)
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(statuslist.StatusListError):
        statuslist.verify(statuslist.sign({"id": "x"}, stranger), keys)
    with pytest.raises(statuslist.StatusListError):
        statuslist.verify("not.a.jws", keys)


def test_retiring_the_key_that_signed_the_list_has_the_next_fetch_signed_by_a_key_in_use(
    client: TestClient, keys_dir: Path, session: Session
) -> None:
    from service.certs import keys

    before = client.get("/status/certificates").text
    old = signing_ring(session, keys_dir).signing_key_id
    keys.rotate(session, keys_dir)
    assert keys.retire(session, old)
    in_use = {k["kid"] for k in client.get("/status/keys").json()["keys"]}
    assert old not in in_use
    after = client.get("/status/certificates").text
    assert after != before
    _bit(client, 0)  # verifies with the keys in use
