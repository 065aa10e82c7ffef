"""The signed token: it names one version of one certificate, and nothing else passes."""

from __future__ import annotations

import base64
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import event, given
from hypothesis import strategies as st

from certificates.tokens import TOKEN_CHARS, InvalidToken, KeyRing, Read, TokenError, public_raw

CERT = uuid.UUID("0b7c5f1e-2f54-4d8a-9a51-3f0f6c1d2e77")


def ring() -> KeyRing:
    return KeyRing.of(Ed25519PrivateKey.generate(), [])


def _raw(token: str) -> bytearray:
    return bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))


def _text(raw: bytes | bytearray) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def _reason(ring: KeyRing, token: str) -> TokenError:
    with pytest.raises(InvalidToken) as info:
        ring.verify(token)
    return info.value.reason


def test_a_token_names_its_certificate_version_and_key() -> None:
    keys = ring()
    token = keys.sign(CERT, 3)
    verified = keys.verify(token)
    assert (verified.certificate_id, verified.version, verified.key_id) == (CERT, 3, keys.signing_key_id)
    assert len(token) == TOKEN_CHARS
    assert token.isupper()
    assert keys.verify(token.lower()) == verified  # as a hand-typed URL may arrive


def test_a_tampered_version_fails_the_signature() -> None:
    keys = ring()
    raw = _raw(keys.sign(CERT, 1))
    raw[21] ^= 0x01  # the version's low byte: 1 → 0
    assert _reason(keys, _text(raw)) is TokenError.bad_signature


def test_a_token_from_another_issuer_has_an_unknown_key() -> None:
    assert _reason(ring(), ring().sign(CERT, 1)) is TokenError.unknown_key


def test_a_forger_reusing_our_key_id_fails_the_signature() -> None:
    ours, theirs = ring(), ring()
    token = theirs.sign(CERT, 1)
    raw = _raw(token)
    raw[:4] = bytes.fromhex(ours.signing_key_id)
    assert _reason(ours, _text(raw)) is TokenError.bad_signature


def test_after_rotation_the_old_key_verifies_until_it_is_retired() -> None:
    old = Ed25519PrivateKey.generate()
    before = KeyRing.of(old, [])
    token = before.sign(CERT, 1)
    new = Ed25519PrivateKey.generate()
    rotated = KeyRing.of(new, [(public_raw(old.public_key()), False)])
    assert rotated.verify(token).key_id == before.signing_key_id
    assert rotated.verify(rotated.sign(CERT, 2)).key_id != before.signing_key_id
    retired = KeyRing.of(new, [(public_raw(old.public_key()), True)])
    assert _reason(retired, token) is TokenError.retired_key


B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@given(st.one_of(st.text(max_size=400), st.text(alphabet=B32, min_size=TOKEN_CHARS, max_size=TOKEN_CHARS)))
def test_any_other_text_is_refused_calmly(text: str) -> None:
    keys = ring()
    event("token length" if len(text) == TOKEN_CHARS else "other length")
    with pytest.raises(InvalidToken):
        keys.verify(text)


@given(st.binary(min_size=82, max_size=82), st.booleans())
def test_random_bytes_of_the_right_length_are_refused(raw: bytes, our_key_id: bool) -> None:
    keys = ring()
    kid = bytes.fromhex(keys.signing_key_id) if our_key_id else raw[:4]
    reason = _reason(keys, _text(kid + raw))
    event(reason.value)
    assert reason is (TokenError.bad_signature if our_key_id else TokenError.unknown_key)


def _b32decoded(text: str) -> bytes | None:
    try:
        return base64.b32decode(text.upper() + "=" * (-len(text) % 8))
    except ValueError:
        return None


@given(
    st.binary(min_size=86, max_size=86),
    st.booleans(),
    st.lists(st.tuples(st.integers(0, TOKEN_CHARS - 1), st.sampled_from("az01890=!_ -é"))),
)
def test_a_token_reads_as_base64_decodes_it_in_either_case_and_nothing_else(
    raw: bytes, lower: bool, edits: list[tuple[int, str]]
) -> None:
    text = list(_text(raw).lower() if lower else _text(raw))
    for at, char in edits:
        text[at] = char
    token = "".join(text)
    expected = _b32decoded(token) if token.isascii() else None
    event("decodes" if expected is not None else "refused")
    if expected is None:
        with pytest.raises(InvalidToken):
            Read.of(token)
    else:
        read = Read.of(token)
        assert read.body + read.signature == expected
