"""Sign-up links for e-mail addresses: the account is made only when the address's owner opens the link.

The token carries what the sign-up form gave — the address, the name and the password's argon2 hash, never
the password — with an expiry, sealed with AES-GCM under a key derived from the service's secret: it cannot
be altered, and the hash cannot be read from the link where links get logged (mail relays, proxies).
Nothing is stored until the link is used; a second use finds the account made and makes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SIGN_UP_HOURS = 24
PURPOSE = b"yiye sign-up\x00"
NONCE_BYTES = 12


@dataclass(frozen=True, slots=True)
class PendingSignUp:
    """An account as the sign-up form described it, waiting for its address's owner."""

    email: str
    display_name: str
    password_hash: str


def _cipher(secret: str) -> AESGCM:
    return AESGCM(hashlib.sha256(PURPOSE + secret.encode()).digest())


def issue(secret: str, pending: PendingSignUp, *, now: float | None = None) -> str:
    """A token for ``pending``, good for ``SIGN_UP_HOURS``."""
    expires = int(now if now is not None else time.time()) + SIGN_UP_HOURS * 3600
    body = json.dumps({"e": pending.email, "n": pending.display_name, "h": pending.password_hash, "x": expires}).encode()
    nonce = os.urandom(NONCE_BYTES)
    return base64.urlsafe_b64encode(nonce + _cipher(secret).encrypt(nonce, body, PURPOSE)).decode().rstrip("=")


def read(secret: str, token: str, *, now: float | None = None) -> PendingSignUp | None:
    """The sign-up a token describes, or None when it is malformed, altered or expired."""
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(_cipher(secret).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], PURPOSE))
    except (binascii.Error, ValueError, InvalidTag):
        return None
    if body["x"] < (now if now is not None else time.time()):
        return None
    return PendingSignUp(email=body["e"], display_name=body["n"], password_hash=body["h"])
