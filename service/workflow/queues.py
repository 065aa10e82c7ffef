"""Task queues and dashboards at district scale: what the desks and the supervisor read, in a few indexed queries.

The task queue lists open tasks soonest due first, filtered by status and due date and searched by
applicant name or USCC, a page at a time after the last row seen (keyset pagination: a page deep in a
department's queue costs what the first does). The dashboards count tasks in progress, due soon and
overdue from the dates each task stores (``due_on``, ``due_soon_on``), and take the average working
days per permit from ``decision_tally``, which ``count_decision`` keeps in the transaction of every
decision — an average over every decision ever made would otherwise be a scan of the whole history.
The indexes they use come with migration ``0007_queues``; ``bench/queues.py`` calls these same functions.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import ColumnElement, bindparam, func, inspect, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from forms.schema import USCC_PATTERN
from rules.errors import Problem
from service.workflow.clock import Standing, standing_on, working_days_between
from service.workflow.errors import Forbidden, Invalid, problem
from service.workflow.models import Application, DecisionTally, PermitTask
from service.workflow.progress import Department, Entry
from service.workflow.roles import Action, Actor, may
from service.workflow.states import TASK_LABELS, TASK_OPEN

OPEN = ("waiting_dependency", "pending", "rectification_needed")
"""The open states, in the order the indexes' predicate lists them (``migration 0007_queues``)."""
assert frozenset(OPEN) == TASK_OPEN

PAGE_SIZE = 50
SEARCH_MAX = 100


def _open_statuses(statuses: Iterable[str]) -> ColumnElement[bool]:
    """``status IN (...)`` written out literally, so PostgreSQL can match the open-task partial indexes."""
    return col(PermitTask.status).in_(bindparam("open_statuses", list(statuses), expanding=True, literal_execute=True))


def desk_department(actor: Actor) -> str | None:
    """The department whose tasks ``actor`` reads: their own, or None for every department (district-wide grants)."""
    if may(actor, Action.view_task):  # with no subject, only a district-wide grant says yes
        return None
    if actor.department and may(actor, Action.view_task, Department(actor.department)):
        return actor.department
    raise Forbidden([problem("forbidden", "您没有可查看的审批事项", "role", actor.role)])


@dataclass(frozen=True)
class QueueFilter:
    """What a desk asks of its queue; every part optional."""

    department: str | None = None
    """for district-wide desks; a department's reviewer always reads their own"""
    status: str | None = None
    """one open state; None for every open state"""
    due_by: date | None = None
    """tasks due on or before this day"""
    search: str = ""
    """part of the applicant's name, or a whole USCC"""


@dataclass(frozen=True)
class QueuePage:
    entries: list[Entry]
    next_after: str | None
    """the cursor of the next page, None on the last"""
    department: str | None
    """the department read, None for every department"""


def task_queue(
    session: Session,
    *,
    actor: Actor,
    today: date,
    wanted: QueueFilter = QueueFilter(),
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of open tasks, soonest due first, within what ``actor`` may read."""
    department = desk_department(actor) or wanted.department or None
    statement = _queue_statement(wanted, department, after)
    rows = list(session.exec(statement.limit(size + 1)))
    more = len(rows) > size
    entries = [Entry(task, _standing(task, today), number, name) for task, number, name in rows[:size]]
    next_after = _cursor(entries[-1].task) if more else None
    return QueuePage(entries, next_after, department)


def _queue_statement(wanted: QueueFilter, department: str | None, after: str | None) -> Select[PermitTask, str, str]:
    problems: list[Problem] = []
    if wanted.status is not None and wanted.status not in OPEN:
        choices = "、".join(TASK_LABELS[s] for s in OPEN)
        problems.append(problem("status_unknown", f"状态应为{choices}之一", "status", wanted.status[:40]))
    search = wanted.search.strip()
    problems += search_problems(search)
    position = _position(after, problems)
    if problems:
        raise Invalid(problems)
    statement = (
        select(PermitTask, Application.number, Application.applicant_name)
        .join(Application, col(Application.id) == PermitTask.application_id)
        .where(_open_statuses([wanted.status] if wanted.status else OPEN))
        .order_by(col(PermitTask.due_on), col(PermitTask.id))
    )
    if department:
        statement = statement.where(PermitTask.department == department)
    if wanted.due_by:
        statement = statement.where(col(PermitTask.due_on) <= wanted.due_by)
    if position:
        statement = statement.where(tuple_(col(PermitTask.due_on), col(PermitTask.id)) > tuple_(*position))
    if search:
        statement = statement.where(applicant_matching(search, col(PermitTask.applicant_name), col(Application.uscc)))
    return statement


def search_problems(search: str) -> list[Problem]:
    """What is wrong with a desk's search for an applicant (``q``): only its length can be."""
    if len(search) > SEARCH_MAX:
        return [problem("search_too_long", f"搜索内容不能超过 {SEARCH_MAX} 个字", "q")]
    return []


def applicant_matching(search: str, name: Mapped[str], uscc: Mapped[str]) -> ColumnElement[bool]:
    """A whole USCC finds that applicant; anything else, the applicants whose name holds it."""
    if re.fullmatch(USCC_PATTERN, search.upper()):
        return uscc == search.upper()
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return name.like(f"%{escaped}%", escape="\\")


def _cursor(task: PermitTask) -> str:
    return f"{task.due_on.isoformat()}_{task.id}"


def _position(after: str | None, problems: list[Problem]) -> tuple[date, uuid.UUID] | None:
    if not after:
        return None
    day, _, task_id = after.partition("_")
    try:
        return date.fromisoformat(day), uuid.UUID(task_id)
    except ValueError:
        problems.append(problem("bad_cursor", "翻页参数无效，请回到第一页", "after", after[:60]))
        return None


def _standing(task: PermitTask, today: date) -> Standing:
    return standing_on(today, due_on=task.due_on, due_soon_on=task.due_soon_on, paused=task.paused_since is not None)


@dataclass(frozen=True)
class Figures:
    """One line of a dashboard: a department, a permit or the total."""

    department: str
    permit: str = ""
    permit_name: str = ""
    open: int = 0
    due_soon: int = 0
    overdue: int = 0
    decided: int = 0
    days: int = 0
    limit_days: int = 0

    @property
    def average_days(self) -> float | None:
        """Average working days a decision took (the applicant's correction and rectification time excluded)."""
        return round(self.days / self.decided, 1) if self.decided else None

    @property
    def average_limit(self) -> float | None:
        """Average statutory limit of those decisions, to read the average against."""
        return round(self.limit_days / self.decided, 1) if self.decided else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.department,
            open=self.open + other.open,
            due_soon=self.due_soon + other.due_soon,
            overdue=self.overdue + other.overdue,
            decided=self.decided + other.decided,
            days=self.days + other.days,
            limit_days=self.limit_days + other.limit_days,
        )


@dataclass(frozen=True)
class Dashboard:
    department: str | None
    """None: the district's dashboard, every department"""
    total: Figures
    departments: list[Figures]
    permits: list[Figures]


def dashboard(session: Session, *, actor: Actor, today: date) -> Dashboard:
    """In progress, due soon, overdue and average days per permit: a department's own, or the district's."""
    department = desk_department(actor)
    running = col(PermitTask.paused_since).is_(None)
    counts = (
        sa.select(  # six columns: more than sqlmodel's select() is typed for
            col(PermitTask.department),
            col(PermitTask.permit),
            col(PermitTask.permit_name),
            func.count(),
            func.count().filter(running, col(PermitTask.due_on) >= today, col(PermitTask.due_soon_on) <= today),
            func.count().filter(running, col(PermitTask.due_on) < today),
        )
        .where(_open_statuses(OPEN))
        .group_by(col(PermitTask.department), col(PermitTask.permit), col(PermitTask.permit_name))
    )
    tallies = select(DecisionTally)
    if department:
        counts = counts.where(col(PermitTask.department) == department)
        tallies = tallies.where(DecisionTally.department == department)
    permits: dict[tuple[str, str], Figures] = {}
    for dept, permit, name, n_open, n_soon, n_over in session.execute(counts):
        permits[(dept, permit)] = Figures(dept, permit, name, open=n_open, due_soon=n_soon, overdue=n_over)
    for tally in session.exec(tallies):
        key = (tally.department, tally.permit)
        known = permits.get(key, Figures(tally.department, tally.permit, tally.permit_name))
        permits[key] = Figures(
            known.department,
            known.permit,
            known.permit_name or tally.permit_name,
            known.open,
            known.due_soon,
            known.overdue,
            tally.decided,
            tally.days,
            tally.limit_days,
        )
    lines = [permits[k] for k in sorted(permits)]
    departments: dict[str, Figures] = {}
    for line in lines:
        departments[line.department] = departments.get(line.department, Figures(line.department)) + line
    total = sum(departments.values(), Figures(department or ""))
    return Dashboard(department, total, list(departments.values()), lines)


def count_decision(session: Session, task: PermitTask, on: date) -> None:
    """Add one decision to its department's and permit's tally, in the transaction that records the decision."""
    days = max(working_days_between(task.clock_started_on, on) - task.paused_days, 0)
    values = {
        "department": task.department,
        "permit": task.permit,
        "permit_name": task.permit_name,
        "decided": 1,
        "days": days,
        "limit_days": task.limit_days,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(DecisionTally).values(**values)
    table = inspect(DecisionTally).local_table.c
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.department, table.permit],
            set_={
                "permit_name": statement.excluded.permit_name,
                "decided": table.decided + 1,
                "days": table.days + days,
                "limit_days": table.limit_days + task.limit_days,
            },
        )
    )
