"""``yiye worker`` runs the background jobs; ``yiye outbox status|retry`` shows and frees work that keeps failing.

Registered on the main ``yiye`` command by ``service/cli.py`` (``register(app)``).
"""

from __future__ import annotations

from typing import Annotated

import typer

outbox_app = typer.Typer(help="发件箱：待投递、已投递与投递失败的通知。", no_args_is_help=True)


def worker(
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, max=32, help="并行执行任务的线程数")] = None,
) -> None:
    """运行后台任务: 投递发件箱(站内通知与邮件)、办理时限提醒与逾期督办。Ctrl-C 结束。"""
    from service import logs
    from service.jobs.queue import make_queue
    from service.settings import Settings

    settings = Settings()
    logs.configure(settings.log_level, json_lines=settings.log_json)
    queue = make_queue(settings)
    where = "Redis" if settings.redis_url else str(settings.jobs_path)
    typer.echo(f"后台任务已启动（队列：{where}）；Ctrl-C 结束", err=True)
    queue.create_consumer(workers=workers or settings.jobs_workers, periodic=True).run()


@outbox_app.command("status")
def outbox_status() -> None:
    """待投递与已投递的数量, 及每一条已放弃重试的记录; 有失败记录时退出码为 1。"""
    from sqlmodel import Session

    from service.db import make_engine
    from service.jobs import outbox
    from service.settings import Settings

    engine = make_engine(Settings().database_url)
    try:
        with Session(engine) as session:
            found = outbox.status(session)
    finally:
        engine.dispose()
    typer.echo(f"待投递 {found.pending} 条，已投递 {found.delivered} 条，投递失败 {len(found.failed)} 条")
    for row in found.failed:
        typer.echo(f"  #{row.id} {row.topic} {row.key}：尝试 {row.attempts} 次，最后一次错误：{row.last_error}")
    if found.failed:
        raise typer.Exit(1)


@outbox_app.command("retry")
def outbox_retry(ids: Annotated[list[int], typer.Argument(help="投递失败的记录编号（见 yiye outbox status）")]) -> None:
    """让投递失败的记录重新从第一次尝试开始投递。"""
    from sqlmodel import Session

    from service.db import make_engine
    from service.jobs import outbox
    from service.settings import Settings

    engine = make_engine(Settings().database_url)
    with Session(engine) as session:
        freed = outbox.retry(session, ids)
    typer.echo(f"已重新排队 {freed} 条")
    if freed != len(set(ids)):
        typer.echo("其余编号不是投递失败的记录", err=True)
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add ``worker`` and ``outbox`` to the main ``yiye`` command."""
    app.command("worker")(worker)
    app.add_typer(outbox_app, name="outbox")
