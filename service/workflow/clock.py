"""The clock departments work against: Chinese working days from acceptance, paused while the applicant acts.

行政许可法 Art. 82: an agency's time limits are counted in working days, holidays excluded (chinese-calendar,
through ``composer.workdays``). The clock stops while the applicant corrects or rectifies and resumes after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from composer.workdays import add_working_days, working_days_within
from service.workflow.errors import Invalid, problem
from service.workflow.models import PermitTask

DUE_SOON = Fraction(4, 5)
"""A task is due soon once this share of its working days is used (a fraction: 0.8 × 35 is not 28 in floats)."""


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    return working_days_within(start, (end - start).days)


class Standing(StrEnum):
    on_time = "on_time"
    due_soon = "due_soon"
    overdue = "overdue"
    paused = "paused"


STANDING_LABELS = {
    Standing.on_time: "正常",
    Standing.due_soon: "即将到期",
    Standing.overdue: "已逾期",
    Standing.paused: "计时暂停",
}


def standing_on(today: date, *, due_on: date, due_soon_on: date, paused: bool) -> Standing:
    """Where a clock stands on ``today``, from the dates it stores (a paused clock is neither due soon nor overdue)."""
    if paused:
        return Standing.paused
    if today > due_on:
        return Standing.overdue
    if today >= due_soon_on:
        return Standing.due_soon
    return Standing.on_time


@dataclass(frozen=True)
class Clock:
    """A limit in working days from ``started_on``, with the working days spent paused added on."""

    started_on: date
    limit_days: int
    paused_days: int = 0
    paused_since: date | None = None

    @property
    def due_on(self) -> date:
        return add_working_days(self.started_on, self.limit_days + self.paused_days)

    @property
    def due_soon_on(self) -> date:
        """The working day on which 80 % of the limit is used: stored beside ``due_on`` so queues can count in SQL."""
        return add_working_days(self.started_on, math.ceil(DUE_SOON * self.limit_days) + self.paused_days)

    def used(self, today: date) -> int:
        """Working days counted against the limit by ``today`` (a pause still open counts from its start)."""
        end = self.paused_since if self.paused_since and self.paused_since < today else today
        return max(working_days_between(self.started_on, end) - self.paused_days, 0)

    def standing(self, today: date) -> Standing:
        return standing_on(today, due_on=self.due_on, due_soon_on=self.due_soon_on, paused=self.paused_since is not None)

    def pause(self, today: date) -> Clock:
        return Clock(self.started_on, self.limit_days, self.paused_days, self.paused_since or today)

    def resume(self, today: date) -> Clock:
        """The clock running again: the working days of the pause push the due date back."""
        if self.paused_since is None:
            return self
        return Clock(self.started_on, self.limit_days, self.paused_days + working_days_between(self.paused_since, today))


def of(task: PermitTask) -> Clock:
    """A permit task's clock, as its row stores it."""
    return Clock(task.clock_started_on, task.limit_days + task.extended_days, task.paused_days, task.paused_since)


def resume(task: PermitTask, on: date) -> None:
    """The task's clock running again from ``on``: the working days of the pause move its due date."""
    resumed = of(task).resume(on)
    task.paused_days, task.paused_since = resumed.paused_days, None
    task.due_on, task.due_soon_on = resumed.due_on, resumed.due_soon_on


EXTENSION_DAYS = 10
"""行政许可法 Art. 42(1): a decision not possible within the limit may, approved by the agency's head, take ten days
more (working days, Art. 82), once, and the applicant is told why."""


def extend(task: PermitTask) -> None:
    """The task's limit extended by ``EXTENSION_DAYS``: its due dates move with it."""
    task.extended_days = EXTENSION_DAYS
    extended = of(task)
    task.due_on, task.due_soon_on = extended.due_on, extended.due_soon_on


def check_approval(reason: str, approved_by: str, *, approver_missing: str) -> None:
    """An extension states its reason (at most 500 characters, told to the applicant) and names the head who approved
    it (at most 50); raises Invalid naming each field that does not."""
    problems = []
    if not reason.strip():
        problems.append(problem("reason_required", "延长办理期限须说明理由", "reason"))
    elif len(reason.strip()) > 500:
        problems.append(problem("reason_too_long", "延长理由不能超过 500 个字", "reason"))
    if not approved_by.strip():
        problems.append(problem("approver_required", approver_missing, "approved_by"))
    elif len(approved_by.strip()) > 50:
        problems.append(problem("approver_too_long", "负责人姓名不能超过 50 个字", "approved_by"))
    if problems:
        raise Invalid(problems)
