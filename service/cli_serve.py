"""``yiye serve`` and ``yiye db …``: run the web service and manage its database.

Registered on the main ``yiye`` command by ``service/cli.py`` (``register(app)``); also runnable
alone as ``python -m service.cli_serve``.
"""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer

db_app = typer.Typer(help="数据库: 迁移与演示数据。", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL; 默认读 YIYE_DATABASE_URL 或 ./var/yiye.db")
]


def _settings(database_url: str | None = None, **overrides: object):  # type: ignore[no-untyped-def]
    from service.settings import Settings

    values = {k: v for k, v in overrides.items() if v is not None}
    if database_url:
        values["database_url"] = database_url
    return Settings(**values)  # type: ignore[arg-type]


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="目标版本")] = "head",
    database_url: DatabaseUrl = None,
) -> None:
    """把数据库迁移到最新(或指定)版本 (alembic upgrade)。"""
    from service import db

    settings = _settings(database_url)
    db.upgrade(settings.database_url, revision)
    typer.echo(f"数据库已迁移到 {revision}: {_safe(settings.database_url)}")


@db_app.command("demo")
def db_demo(database_url: DatabaseUrl = None) -> None:
    """迁移数据库并写入演示账户和演示草稿(可重复运行)。"""
    from service import db, demo

    settings = _settings(database_url)
    db.upgrade(settings.database_url)
    seeded = demo.seed(settings)
    typer.echo(f"演示账户: {seeded.email} 或 {seeded.phone}, 密码 {seeded.password}; 草稿 {seeded.drafts} 份")


def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址, 默认 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口, 默认 8000")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="工作进程数 (每个进程各自编译规则包)")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="写入演示账户和演示草稿, 页面显示演示提示")] = False,
    database_url: DatabaseUrl = None,
    migrate: Annotated[bool, typer.Option("--migrate/--no-migrate", help="启动前执行数据库迁移")] = True,
    reload: Annotated[bool, typer.Option("--reload", help="开发用: 代码改动后自动重启 (单进程)")] = False,
) -> None:
    """启动 Web 服务 (uvicorn): API 在 /api/v1, 文档在 /docs, 申请页面在 /。"""
    import uvicorn

    from service import db
    from service import demo as demo_data

    settings = _settings(database_url, host=host, port=port, workers=workers, demo=demo or None)
    if migrate:
        db.upgrade(settings.database_url)
    if settings.demo:
        seeded = demo_data.seed(settings)
        typer.echo(f"演示账户: {seeded.email} / {seeded.password}")
    # Worker processes build their own Settings from the environment: hand the options down.
    os.environ["YIYE_DATABASE_URL"] = settings.database_url
    os.environ["YIYE_DEMO"] = "true" if settings.demo else "false"
    listen_with_tcp_nodelay()
    typer.echo(f"yiye: http://{settings.host}:{settings.port}/  (API 文档 /docs, {settings.workers} 个工作进程)")
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=None if reload else settings.workers,
        reload=reload,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


def listen_with_tcp_nodelay() -> None:
    """Give the socket uvicorn binds for ``--workers N`` (and ``--reload``) its TCP protocol number.

    uvicorn 0.54 creates that listening socket with ``proto`` 0; accepted connections inherit it,
    and asyncio turns TCP_NODELAY on only for ``proto == IPPROTO_TCP``. So with two or more workers
    Nagle's algorithm stays on and every keep-alive response after the first waits for the client's
    delayed ACK: ~43 ms a request, whatever the route (Kludex/uvicorn#3149). One worker is not
    affected (asyncio binds that socket itself). Idempotent; a no-op once uvicorn sets ``proto``.
    """
    from uvicorn.config import Config

    if getattr(Config.bind_socket, "yiye_tcp_proto", False):
        return
    bind_socket = Config.bind_socket

    def bind_tcp_socket(self: Config) -> socket.socket:
        sock = bind_socket(self)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            sock.set_inheritable(True)
        return sock

    bind_tcp_socket.yiye_tcp_proto = True  # type: ignore[attr-defined]
    Config.bind_socket = bind_tcp_socket  # type: ignore[method-assign]


def _safe(url: str) -> str:
    """A URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``db`` to the main ``yiye`` command."""
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")


main = typer.Typer(help="yiye: 服务与数据库。", no_args_is_help=True, add_completion=False)
register(main)

if __name__ == "__main__":
    main()
