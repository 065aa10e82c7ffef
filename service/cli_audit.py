"""``yiye audit verify``: walk the audit chain and report every edited, inserted or deleted event."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli_report import fail_on

audit_app = typer.Typer(help="审计记录：校验哈希链。", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL; 默认读 YIYE_DATABASE_URL 或 ./var/yiye.db")
]


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(database_url: DatabaseUrl = None) -> None:
    """逐条校验审计记录的哈希链: 被改动、插入或删除的记录都会被发现。"""
    from sqlmodel import Session

    from service.cli_serve import _settings
    from service.db import make_engine
    from service.workflow import audit

    engine = make_engine(_settings(database_url).database_url)
    try:
        with Session(engine) as session:
            checked, breaks = audit.verify(session)
    finally:
        engine.dispose()
    fail_on([f"第 {b.seq} 条：{b.message}" for b in breaks], f"审计记录校验失败：{checked} 条记录中发现 {len(breaks)} 处问题")
    typer.echo(f"审计记录完整：{checked} 条记录，哈希链无断裂")
