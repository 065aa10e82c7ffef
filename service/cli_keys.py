"""``yiye keys``: the certificates' signing keys — list, rotate (a new key signs from now on), retire."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

keys_app = typer.Typer(help="凭证签名密钥：查看、轮换、停用。", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL; 默认读 YIYE_DATABASE_URL 或 ./var/yiye.db")
]
KeysDir = Annotated[Path | None, typer.Option("--keys-dir", help="私钥所在目录；默认读 YIYE_KEYS_DIR 或 ./var/keys")]


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


@contextmanager
def _session(database_url: str | None) -> Iterator[tuple[Session, Path]]:
    from service.cli_serve import _settings
    from service.db import make_engine

    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session, settings.keys_dir
    finally:
        engine.dispose()


@keys_app.command("list")
def list_keys(database_url: DatabaseUrl = None, keys_dir: KeysDir = None) -> None:
    """列出全部签名密钥: 编号、创建时间、是否停用、本机是否持有私钥。"""
    from service.certs import keys

    with _session(database_url) as (session, default_dir):
        folder = keys_dir or default_dir
        rows = keys.listing(session)
        if not rows:
            typer.echo("还没有签名密钥：签发第一张凭证时自动生成，也可用 yiye keys rotate 生成")
        for row in rows:
            state = f"已停用 {row.retired_at:%Y-%m-%d}" if row.retired_at else "使用中"
            here = "本机有私钥" if (folder / f"{row.key_id}.pem").is_file() else "本机无私钥"
            typer.echo(f"{row.key_id}  {row.created_at:%Y-%m-%d %H:%M}  {state}  {here}")


@keys_app.command("rotate")
def rotate(database_url: DatabaseUrl = None, keys_dir: KeysDir = None) -> None:
    """生成新的签名密钥: 此后签发的凭证用它签名, 旧密钥签发的凭证仍可核验, 直到旧密钥停用。"""
    from service.certs import keys

    with _session(database_url) as (session, default_dir):
        kid = keys.rotate(session, keys_dir or default_dir)
    typer.echo(f"新签名密钥 {kid} 已生效")


@keys_app.command("retire")
def retire(
    key_id: Annotated[str, typer.Argument(help="要停用的密钥编号（8 位十六进制）")], database_url: DatabaseUrl = None
) -> None:
    """停用一把密钥: 它签发的凭证码从此无法核验(密钥泄露时使用; 先为这些凭证换发新版)。"""
    from service.certs import keys

    with _session(database_url) as (session, _):
        if not keys.retire(session, key_id.strip().lower()):
            typer.echo(f"没有使用中的密钥 {key_id}", err=True)
            raise typer.Exit(1)
    typer.echo(f"密钥 {key_id} 已停用")
