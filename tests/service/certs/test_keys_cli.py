"""``yiye keys``: rotation keeps old certificates verifiable, retirement ends them; private keys stay in their folder."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from certificates.tokens import InvalidToken, TokenError
from service.certs import keys
from service.cli import app

runner = CliRunner()


def test_rotate_then_retire(db_url: str, session: Session, keys_dir: Path) -> None:
    empty = runner.invoke(app, ["keys", "list", "--database-url", db_url, "--keys-dir", str(keys_dir)])
    assert empty.exit_code == 0
    assert empty.output.startswith("还没有签名密钥")
    first = keys.signing_ring(session, keys_dir)  # made at first need
    token = first.sign(uuid.uuid4(), 1)
    rotated = runner.invoke(app, ["keys", "rotate", "--database-url", db_url, "--keys-dir", str(keys_dir)])
    assert rotated.exit_code == 0, rotated.output
    session.expire_all()
    second = keys.signing_ring(session, keys_dir)
    assert second.signing_key_id != first.signing_key_id
    assert second.signing_key_id in rotated.output
    assert keys.verifying_ring(session).verify(token).key_id == first.signing_key_id
    listed = runner.invoke(app, ["keys", "list", "--database-url", db_url, "--keys-dir", str(keys_dir)])
    assert listed.output.count("使用中") == 2
    retired = runner.invoke(app, ["keys", "retire", first.signing_key_id, "--database-url", db_url])
    assert retired.exit_code == 0, retired.output
    session.expire_all()
    with pytest.raises(InvalidToken) as info:
        keys.verifying_ring(session).verify(token)
    assert info.value.reason is TokenError.retired_key
    assert runner.invoke(app, ["keys", "retire", "deadbeef", "--database-url", db_url]).exit_code == 1
    assert sorted(p.name for p in keys_dir.iterdir()) == sorted(f"{k}.pem" for k in (first.signing_key_id, second.signing_key_id))
