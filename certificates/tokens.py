"""The compact token the QR carries: Ed25519 over (certificate id, version), the signing key's id inside.

Layout, 86 bytes, written in RFC 4648 base32 without padding (138 characters, all in the QR's
alphanumeric set): key id (4) | certificate id (16) | version (2, big-endian) | signature (64).
The certificate id is a random UUID, so a token can be neither guessed nor enumerated.

A ``KeyRing`` holds the public halves by key id, each either in use or retired, and at most one
private key, the newest, which signs. After a rotation the old keys still verify what they signed
until they are retired.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DOMAIN = b"yiye-certificate-token-v1"
"""Signed before the fields, so a signature made for anything else is no token."""

_BODY = struct.Struct(">4s16sH")
SIGNATURE_BYTES = 64
TOKEN_BYTES = _BODY.size + SIGNATURE_BYTES
TOKEN_CHARS = (TOKEN_BYTES * 8 + 4) // 5
MAX_TOKEN_CHARS = 200
"""Anything longer is refused before it is decoded."""


class TokenError(StrEnum):
    """Why a token does not verify; the value is the error code, the label the words for people."""

    malformed = "token_malformed"
    unknown_key = "token_unknown_key"
    retired_key = "token_retired_key"
    bad_signature = "token_bad_signature"

    @property
    def label(self) -> str:
        return {
            TokenError.malformed: "这不是本系统签发的凭证码",
            TokenError.unknown_key: "凭证码的签名密钥不为本系统所知",
            TokenError.retired_key: "凭证码的签名密钥已停用",
            TokenError.bad_signature: "凭证码的签名不符，可能被篡改",
        }[self]


class InvalidToken(Exception):
    def __init__(self, reason: TokenError) -> None:
        super().__init__(reason.label)
        self.reason = reason


def key_id(public: Ed25519PublicKey) -> str:
    """The first 4 bytes of the SHA-256 of the raw public key, in hex."""
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:8]


def public_raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


class Verifier(Protocol):
    """An Ed25519 public key as ``Read.check`` uses it (``Ed25519PublicKey`` is one): ``InvalidSignature`` if not its."""

    def verify(self, signature: bytes, data: bytes) -> None: ...


@dataclass(frozen=True)
class Verified:
    certificate_id: uuid.UUID
    version: int
    key_id: str


@dataclass
class KeyRing:
    """Public keys by key id (retired or not) and the private key that signs."""

    signer: Ed25519PrivateKey | None = None
    public: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, signer: Ed25519PrivateKey | None, keys: Iterable[tuple[bytes, bool]]) -> KeyRing:
        """A ring from raw public keys with their retired flag, and the signing key (whose public half joins)."""
        ring = cls(signer=signer)
        for raw, retired in keys:
            public = Ed25519PublicKey.from_public_bytes(raw)
            ring.public[key_id(public)] = public
            if retired:
                ring.retired.add(key_id(public))
        if signer is not None:
            ring.public.setdefault(key_id(signer.public_key()), signer.public_key())
        return ring

    @property
    def signing_key_id(self) -> str:
        if self.signer is None:
            raise LookupError("no signing key")
        return key_id(self.signer.public_key())

    def sign(self, certificate_id: uuid.UUID, version: int) -> str:
        """The token for one version of one certificate."""
        if self.signer is None:
            raise LookupError("no signing key")
        body = _BODY.pack(bytes.fromhex(self.signing_key_id), certificate_id.bytes, version)
        signature = self.signer.sign(DOMAIN + body)
        return base64.b32encode(body + signature).decode().rstrip("=")

    def verify(self, token: str) -> Verified:
        """What a token names, or ``InvalidToken`` saying why not."""
        read = Read.of(token)
        return read.check(self.public.get(read.key_id), retired=read.key_id in self.retired)


@dataclass(frozen=True)
class Read:
    """A well-formed token, its signature not yet checked: what it claims, so its key and record can be fetched together."""

    key_id: str
    certificate_id: uuid.UUID
    version: int
    body: bytes
    signature: bytes

    @classmethod
    def of(cls, token: str) -> Read:
        raw = _decode(token)
        body, signature = raw[: _BODY.size], raw[_BODY.size :]
        kid_bytes, id_bytes, version = _BODY.unpack(body)
        return cls(kid_bytes.hex(), uuid.UUID(bytes=id_bytes), version, body, signature)

    def check(self, public: Verifier | None, *, retired: bool) -> Verified:
        """The claims, proved by ``public`` (the key named ``key_id``, or None when unknown); ``InvalidToken`` if not."""
        if public is None:
            raise InvalidToken(TokenError.unknown_key)
        if retired:
            raise InvalidToken(TokenError.retired_key)
        try:
            public.verify(self.signature, DOMAIN + self.body)
        except InvalidSignature as exc:
            raise InvalidToken(TokenError.bad_signature) from exc
        return Verified(self.certificate_id, self.version, self.key_id)


_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_AS_DIGITS = str.maketrans(
    dict.fromkeys(range(128), "!")
    | {ord(c): d for letter, d in zip(_BASE32, "0123456789abcdefghijklmnopqrstuv", strict=True) for c in (letter, letter.lower())}
)
"""RFC 4648 base32, either case (a QR in alphanumeric mode and a hand-typed URL may differ), as ``int``'s base-32 digits;
any other character becomes one ``int`` refuses."""
_PAD_BITS = TOKEN_CHARS * 5 - TOKEN_BYTES * 8


def _decode(token: str) -> bytes:
    """The token's bytes, as ``base64.b32decode`` would read them, in one ``int`` parse rather than its Python loop."""
    if len(token) != TOKEN_CHARS or not token.isascii():
        raise InvalidToken(TokenError.malformed)
    try:
        return (int(token.translate(_AS_DIGITS), 32) >> _PAD_BITS).to_bytes(TOKEN_BYTES, "big")
    except ValueError as exc:
        raise InvalidToken(TokenError.malformed) from exc
