"""The status list: one bit per certificate version, set when it is no longer in force, signed for offline checkers.

In the manner of the W3C Bitstring Status List (v1.0): the bits, index 0 the most significant bit of the
first byte, GZIP-compressed and written as multibase base64url (a leading ``u``) in the ``encodedList`` of
a ``BitstringStatusListCredential`` with ``statusPurpose`` revocation. The list has at least 131,072 entries
(the recommendation's minimum, for herd privacy). The credential is signed as a compact JWS (alg
``Ed25519``, RFC 9864's name for EdDSA over Ed25519) with the same key ring that signs the QR
tokens, its ``kid`` the ring's key id.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from certificates.tokens import key_id

MIN_ENTRIES = 131_072
MEDIA_TYPE = "application/vc+jwt"


class StatusListError(Exception):
    """The signed list does not verify or does not decode."""


def size_for(count: int) -> int:
    """Entries in a list holding ``count`` indexes: at least the minimum, in whole multiples of it."""
    return max(MIN_ENTRIES, -(-count // MIN_ENTRIES) * MIN_ENTRIES)


def encode(set_bits: Iterable[int], entries: int) -> str:
    """The ``encodedList`` of a list of ``entries`` bits with ``set_bits`` set."""
    bits = bytearray(entries // 8)
    for index in set_bits:
        bits[index >> 3] |= 0x80 >> (index & 7)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    """The bits of an ``encodedList``."""
    if not encoded.startswith("u"):
        raise StatusListError("encodedList is not multibase base64url")
    body = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError, EOFError) as exc:
        raise StatusListError("encodedList does not decode") from exc


def is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def credential(list_url: str, issuer: str, encoded: str, valid_from: datetime, valid_until: datetime) -> dict[str, Any]:
    """The BitstringStatusListCredential carrying ``encoded``."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from.isoformat(),
        "validUntil": valid_until.isoformat(),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }


def sign(payload: Mapping[str, Any], signer: Ed25519PrivateKey) -> str:
    """The credential as a compact JWS, alg Ed25519, ``kid`` the signing key's id."""
    header = {"alg": "Ed25519", "kid": key_id(signer.public_key()), "typ": "vc+jwt"}
    return jws.serialize_compact(header, _json(payload), OKPKey.import_key(signer), algorithms=["Ed25519"])


def verify(token: str, keys: Mapping[str, Ed25519PublicKey]) -> dict[str, Any]:
    """The credential in a signed list, proved by the key its ``kid`` names among ``keys``; ``StatusListError`` if not."""
    try:
        kid = jws.extract_compact(token.encode()).headers().get("kid")
        public = keys.get(str(kid))
        if public is None:
            raise StatusListError(f"unknown key {kid!r}")
        found = jws.deserialize_compact(token, OKPKey.import_key(public), algorithms=["Ed25519"])
    except JoseError as exc:
        raise StatusListError(f"signature: {exc.error}") from exc
    except ValueError as exc:
        raise StatusListError("not a compact JWS") from exc
    payload: dict[str, Any] = json.loads(found.payload)
    return payload


def jwk(kid: str, raw_public: bytes) -> dict[str, str]:
    """A public key as a JWK (RFC 8037), for the JWKS checkers fetch."""
    x = base64.urlsafe_b64encode(raw_public).decode().rstrip("=")
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "Ed25519", "use": "sig"}


def _json(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
