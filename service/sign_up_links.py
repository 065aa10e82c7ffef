"""Sign-up links for e-mail addresses: the account is made only when the address's owner opens the link.

The token carries what the sign-up form gave — the address, the name and the password's argon2 hash, never
the password — with an expiry, signed by HMAC-SHA256 under the service's secret. Nothing is stored until
the link is used; a second use finds the account made and makes nothing. The hash travels only to the
address whose owner chose the password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

SIGN_UP_HOURS = 24
PURPOSE = b"yiye sign-up\x00"


@dataclass(frozen=True, slots=True)
class PendingSignUp:
    """An account as the sign-up form described it, waiting for its address's owner."""

    email: str
    display_name: str
    password_hash: str


def _signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), PURPOSE + payload.encode(), hashlib.sha256).hexdigest()


def issue(secret: str, pending: PendingSignUp, *, now: float | None = None) -> str:
    """A token for ``pending``, good for ``SIGN_UP_HOURS``."""
    expires = int(now if now is not None else time.time()) + SIGN_UP_HOURS * 3600
    body = {"e": pending.email, "n": pending.display_name, "h": pending.password_hash, "x": expires}
    payload = base64.urlsafe_b64encode(json.dumps(body, ensure_ascii=False).encode()).decode().rstrip("=")
    return f"{payload}.{_signature(secret, payload)}"


def read(secret: str, token: str, *, now: float | None = None) -> PendingSignUp | None:
    """The sign-up a token describes, or None when it is malformed, forged or expired."""
    payload, _, signature = token.partition(".")
    if not hmac.compare_digest(signature.encode(), _signature(secret, payload).encode()):
        return None
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if body["x"] < (now if now is not None else time.time()):
        return None
    return PendingSignUp(email=body["e"], display_name=body["n"], password_hash=body["h"])
