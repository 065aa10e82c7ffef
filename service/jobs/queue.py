"""The job queue ``yiye worker`` consumes (huey): SQLite storage embedded, Redis when ``YIYE_REDIS_URL`` is set.

Jobs: the outbox relay, every minute and at start (and sooner when a retry falls due within the minute); the
deadline and extension reminders, extensions deemed granted and suspensions whose period ended, every hour and at
start; and the publication of approved rule changes on their effective date, every ten minutes and at start. The
work itself lives in the outbox, in the database; the
queue only says when to look, so a lost queue loses no work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from sqlmodel import Session

from service.certs import deemed
from service.compose import today as beijing_today
from service.db import make_engine
from service.jobs import notifications, outbox, reminders
from service.models import utcnow
from service.policy import desk
from service.settings import Settings

log = logging.getLogger("yiye.jobs")

SOON = timedelta(minutes=1)
"""A retry due within this is scheduled on its own; later ones are found by the relay every minute."""


def make_queue(settings: Settings) -> Huey:
    """The queue and its jobs, on the settings' storage and database."""
    queue: Huey
    if settings.redis_url:
        queue = RedisHuey(f"{settings.redis_prefix}-jobs", results=False, url=settings.redis_url)
    else:
        settings.jobs_path.parent.mkdir(parents=True, exist_ok=True)
        queue = SqliteHuey("yiye-jobs", results=False, filename=str(settings.jobs_path))
    engine = make_engine(settings.database_url)
    deliver = notifications.deliver(settings)

    @queue.task(name="relay")
    def relay() -> None:
        """Deliver every outbox row that is due."""
        done = outbox.relay(engine, settings, deliver)
        if done.delivered or done.retrying or done.failed:
            log.info("outbox relayed", extra={"delivered": done.delivered, "retrying": done.retrying, "failed": len(done.failed)})
        now = utcnow()
        with Session(engine) as session:
            due = outbox.next_due(session, now)
        if due is not None and due - now < SOON:
            relay.schedule(delay=max((due - now).total_seconds(), 0.1))

    @queue.task(name="remind")
    def remind() -> None:
        """Owe today's deadline and extension reminders, record what the law deems after a day passes, then relay."""
        with Session(engine) as session:
            today = beijing_today()
            changed = deemed.deem_extensions(session, today) + deemed.resume_after_period(session, today)
            new = reminders.remind(session, today) + reminders.remind_visits(session, today)
            new += reminders.remind_extensions(session, today)
            session.commit()
        if changed:
            log.info("deemed by law", extra={"changed": changed})
        log.info("deadline reminders owed", extra={"new": new})
        relay()

    @queue.task(name="publish_due")
    def publish_due() -> None:
        """Publish the approved change sets whose effective date has come; every web worker then reloads them."""
        with Session(engine) as session:
            published = desk.publish_due(session, settings.packs_root, beijing_today())
        if published:
            log.info("change sets published on their date", extra={"change_sets": [str(c.id) for c in published]})

    for schedule, job in ((crontab(minute="*"), relay), (crontab(minute="5"), remind), (crontab(minute="*/10"), publish_due)):
        every(queue, schedule, job)

    @queue.on_startup()
    def start() -> None:
        remind()
        publish_due()

    return queue


def every(queue: Huey, schedule: Callable[[datetime], bool], job: TaskWrapper) -> None:
    """Enqueue ``job`` whenever ``schedule`` says (the worker's clock), under the name ``<job>_periodic``."""
    queue.periodic_task(schedule, name=f"{job.name}_periodic")(lambda: job())
