"""``yiye serve`` and ``yiye db …``: run the web service and manage its database.

Registered on the main ``yiye`` command by ``service/cli.py`` (``register(app)``); also runnable
alone as ``python -m service.cli_serve``.
"""

from __future__ import annotations

import gc
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

    from service.settings import Settings

db_app = typer.Typer(help="数据库：迁移、演示数据与清理。", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL; 默认读 YIYE_DATABASE_URL 或 ./var/yiye.db")
]


def _settings(database_url: str | None = None, **overrides: object) -> Settings:
    from service.settings import Settings

    values = {k: v for k, v in overrides.items() if v is not None}
    if database_url:
        values["database_url"] = database_url
    return Settings.model_validate(values)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="目标版本")] = "head",
    database_url: DatabaseUrl = None,
) -> None:
    """把数据库迁移到最新(或指定)版本 (alembic upgrade)。"""
    from service import db

    settings = _settings(database_url)
    db.upgrade(settings.database_url, revision)
    typer.echo(f"数据库已迁移到 {revision}：{_safe(settings.database_url)}")


@db_app.command("demo")
def db_demo(database_url: DatabaseUrl = None) -> None:
    """迁移数据库并写入演示账户和演示草稿(可重复运行)。"""
    from service import db, demo

    settings = _settings(database_url)
    db.upgrade(settings.database_url)
    seeded = demo.seed(settings)
    typer.echo(f"演示账户：{seeded.email} 或 {seeded.phone}，密码 {seeded.password}；草稿 {seeded.drafts} 份")
    typer.echo(f"工作人员账户（密码相同）：{', '.join(seeded.staff)}；演示申请 {seeded.applications} 件")


@db_app.command("prune")
def db_prune(
    database_url: DatabaseUrl = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只统计，不删除")] = False,
) -> None:
    """删除没有任何草稿或申请引用的已存组合结果(以前每次保存草稿都留下一条; 也包括 API ?store=true 存的)。"""
    from sqlmodel import Session

    from service import crud, db

    settings = _settings(database_url)
    engine = db.make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            count = crud.prune_compositions(session=session, dry_run=dry_run)
    finally:
        engine.dispose()
    verb = "可删除" if dry_run else "已删除"
    typer.echo(f"{verb} {count} 条无引用的组合结果：{_safe(settings.database_url)}")


def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址，默认 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口，默认 8000")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="工作进程数（每个进程各自编译规则包）")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="写入演示账户和演示草稿，页面显示演示提示")] = False,
    database_url: DatabaseUrl = None,
    migrate: Annotated[bool, typer.Option("--migrate/--no-migrate", help="启动前执行数据库迁移")] = True,
    reload: Annotated[bool, typer.Option("--reload", help="开发用：代码改动后自动重启（单进程）")] = False,
) -> None:
    """启动 Web 服务 (uvicorn): API 在 /api/v1, 文档在 /docs, 申请页面在 /。"""
    import uvicorn

    from service import db
    from service import demo as demo_data
    from service.policy import repo
    from service.settings import Environment

    settings = _settings(database_url, host=host, port=port, workers=workers, demo=demo or None)
    if settings.demo and settings.env is Environment.production:
        # The demo account's password is printed in the README: on a live service it is a way in.
        typer.echo("生产环境（YIYE_ENV=production）不能使用 --demo：演示账户的密码是公开的。", err=True)
        raise typer.Exit(2)
    if migrate:
        db.upgrade(settings.database_url)
    if settings.packs_repo is not None and repo.seed(settings.packs_dir, settings.packs_repo):
        typer.echo(f"规则包仓库：{settings.packs_repo}（由 {settings.packs_dir} 初始化）")
    if settings.demo:
        seeded = demo_data.seed(settings)
        typer.echo(f"演示账户：{seeded.email} / {seeded.password}；工作人员：{', '.join(seeded.staff)}（密码相同）")
    # Worker processes build their own Settings from the environment: hand the options down.
    os.environ["YIYE_DATABASE_URL"] = settings.database_url
    os.environ["YIYE_DEMO"] = "true" if settings.demo else "false"
    listen_per_worker()
    typer.echo(f"yiye: http://{settings.host}:{settings.port}/（API 文档 /docs，{settings.workers} 个工作进程）")
    uvicorn.run(
        "service.cli_serve:serving_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=None if reload else settings.workers,
        reload=reload,
        # X-Forwarded-For/-Proto only from the configured proxies: believed from anyone else, a client
        # could name any address it likes and have a fresh rate-limit allowance with each one.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=[str(network) for network in settings.trusted_proxies],
        log_level=settings.log_level.lower(),
        access_log=False,
    )


def serving_app() -> FastAPI:
    """The app as each ``yiye serve`` worker runs it: the collector is tuned once the packs are loaded.

    Tuning is process-wide, so it happens here rather than in the app factory: tests and other
    embedders of ``create_app`` keep the interpreter's defaults.
    """
    from service.app import create_app

    app = create_app()
    startup = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with startup(app) as state:
            tune_collector()
            yield state

    app.router.lifespan_context = lifespan
    return app


def tune_collector() -> None:
    """Keep the cyclic garbage collector off the long-lived objects and out of most requests.

    The compiled packs live as long as the process: frozen, they leave the collector's reach, so
    its full collections do not walk them in the middle of a request. A compose allocates
    thousands of objects, nearly all freed by reference counting; at the default threshold (700)
    the collector ran many times per request and walked the cached compositions (bench/compose.py
    prints what a full collection costs).

    A young collection starts at ``YOUNG_PER_PIECE`` objects per piece of a memo generation.
    """
    gc.freeze()
    gc.set_threshold(*collector_thresholds())


def collector_thresholds() -> tuple[int, int, int]:
    """The collector's thresholds in a serving worker (see ``tune_collector``)."""
    from composer.memo import Fragments

    return YOUNG_PER_PIECE * Fragments.LIMIT, 10, 10


YOUNG_PER_PIECE = 10
"""A young collection starts when this many container objects per piece of a memo generation
(composer.memo's ``Fragments.LIMIT``) are allocated and not yet freed. A new case leaves a
hundred-odd objects in its composer's memo, and the memo frees about as many by reference counting
as its generations turn over: the count swings but does not climb. At 50,000 the collector ran
every few hundred new cases and walked pieces the memo would soon let go of; above the swing (under
bench/compose_http.py's workload (a)) it runs rarely, and finds mostly the cycles requests leave."""


def listen_per_worker() -> None:
    """Make ``yiye serve --workers N`` (and ``--reload``) give each worker a listening socket of its own.

    uvicorn's supervisor binds one socket and every worker accepts from it. asyncio accepts every
    pending connection at once, so a burst of keep-alive connections (a client's pool, a proxy's
    upstream connections) all land on whichever worker woke first while the others idle. Here the
    supervisor's socket is bound with SO_REUSEPORT and never listens; it only holds the port.
    uvicorn hands it to each worker by pickling, and it pickles as "bind another like me", so each
    worker unpickles a socket of its own, and the kernel spreads connections across the workers'
    sockets.

    The sockets are made with the TCP protocol number: uvicorn 0.54 makes its own with ``proto`` 0,
    connections inherit that, and asyncio sets TCP_NODELAY only for ``proto == IPPROTO_TCP``;
    without it every keep-alive answer after the first waits for a delayed ACK
    (Kludex/uvicorn#3149). Idempotent. Unix sockets and inherited descriptors are left to uvicorn.
    """
    from uvicorn.config import STARTUP_FAILURE, Config

    bind_socket = Config.bind_socket
    if bind_socket.__module__ == __name__:
        return  # already ours

    def bind_worker_listener(self: Config) -> socket.socket:
        if self.uds or self.fd is not None:
            return bind_socket(self)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            sock = WorkerListener.open(family, self.host, self.port)
        except OSError as exc:
            typer.echo(f"无法监听 {self.host}:{self.port}：{exc}", err=True)
            raise SystemExit(STARTUP_FAILURE) from exc
        typer.echo(f"每个工作进程各自监听 {self.host}:{sock.getsockname()[1]} (SO_REUSEPORT)")
        return sock

    Config.bind_socket = bind_worker_listener  # type: ignore[method-assign]


class WorkerListener(socket.socket):
    """A TCP socket bound with SO_REUSEPORT that pickles as a fresh one bound to the same address."""

    @classmethod
    def open(cls, family: socket.AddressFamily, host: str, port: int) -> WorkerListener:
        sock = cls(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        return sock

    def __reduce__(self) -> tuple[Callable[..., WorkerListener], tuple[socket.AddressFamily, str, int]]:
        host, port = self.getsockname()[:2]
        return WorkerListener.open, (self.family, host, port)


def _safe(url: str) -> str:
    """A URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``db`` to the main ``yiye`` command."""
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")


main = typer.Typer(help="yiye：服务与数据库。", no_args_is_help=True, add_completion=False)
register(main)

if __name__ == "__main__":
    main()
