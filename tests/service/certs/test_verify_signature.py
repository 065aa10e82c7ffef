"""A scan checks a token's signature with libsodium: it accepts and refuses exactly what the token's own check does."""

from __future__ import annotations

import base64
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from certificates.tokens import TOKEN_BYTES, InvalidToken, KeyRing, Read, public_raw
from service.certs.verify import Unverifiable, _proved

SIGNER = Ed25519PrivateKey.generate()
RING = KeyRing.of(SIGNER, [])
PUBLIC_HEX = public_raw(SIGNER.public_key()).hex()


def _flipped(token: str, byte: int, bit: int) -> str:
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    raw[byte] ^= 1 << bit
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


@given(st.uuids(), st.integers(1, 65535), st.integers(4, TOKEN_BYTES - 1), st.integers(0, 7), st.booleans())
def test_the_scan_proves_what_the_token_check_proves(
    certificate: uuid.UUID, version: int, byte: int, bit: int, tamper: bool
) -> None:
    token = RING.sign(certificate, version)
    if tamper:
        token = _flipped(token, byte, bit)
    claimed = Read.of(token)
    try:
        expected: str = RING.verify(token).certificate_id.hex
    except InvalidToken as exc:
        expected = exc.reason.value
    try:
        proved = _proved(claimed, PUBLIC_HEX, retired=False).certificate_id.hex
    except Unverifiable as exc:
        proved = exc.code
    assert proved == expected


def test_another_keys_signature_is_refused() -> None:
    other = public_raw(Ed25519PrivateKey.generate().public_key()).hex()
    with pytest.raises(Unverifiable) as info:
        _proved(Read.of(RING.sign(uuid.uuid4(), 1)), other, retired=False)
    assert info.value.code == "token_bad_signature"
