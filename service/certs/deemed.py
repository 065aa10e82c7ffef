"""What the law makes true when a day passes without a decision, recorded by the worker: 视为准予延续 and 视为复业.

行政许可法 Art. 50: an extension applied for at least 30 days before the term ends is decided before it ends, and
one left undecided is deemed granted (北京市优化营商环境条例 Art. 35(3) repeats it). 市场主体登记管理条例 Art. 30:
a 歇业 whose period ends without 复业 counts as resumed. The scan already reads both from the dates; here they
become records — an audit event, the holding's new term or state, the task and application concluded — and the
holder is told through the outbox like any change of their permit. An extension the window has not yet accepted has
no department task to deem decided: it is left to the window (its own five days, 行政许可法 Art. 32).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from composer.workdays import add_working_days, is_working_day
from rules.model import LifecycleKind
from service.certs.holdings import OPEN, in_time, live
from service.certs.life import DEEMED
from service.certs.lifecycle import beijing_date, current, tasks_of
from service.certs.models import LifecycleRequest, PermitHolding
from service.models import utcnow
from service.workflow import audit
from service.workflow.models import Application
from service.workflow.review import after_decision
from service.workflow.states import TASK_OPEN

RESUMED = "歇业期满，视为恢复营业（《中华人民共和国市场主体登记管理条例》第三十条）"


def decision_due(valid_to: date) -> date:
    """The department's last day to decide an extension: the term's last day, moved to the next working day when it
    is not one (Art. 82 counts the agency's limits in working days, holidays excluded) [I]."""
    return valid_to if is_working_day(valid_to) else add_working_days(valid_to, 1)


def deem_extensions(session: Session, today: date) -> int:
    """Deem granted each extension applied for in time whose department let its last day pass; how many, in the
    caller's transaction."""
    query = (
        select(LifecycleRequest, Application)
        .join(Application, col(Application.id) == col(LifecycleRequest.application_id))
        .where(LifecycleRequest.kind == LifecycleKind.extension.value, col(Application.status).in_(OPEN))
    )
    deemed = 0
    for request, application in list(session.exec(query)):
        certificate = current(session, request.origin_id)
        if certificate is None:
            continue
        printed = {p["permit"]: p.get("valid_to") for p in certificate.face["permits"]}
        terms = live(session, request.origin_id, today).terms
        applied_on = beijing_date(application.submitted_at)
        for task in tasks_of(session, application.id):
            printed_end = printed.get(task.permit)
            ends = terms.get(task.permit) or (date.fromisoformat(printed_end) if printed_end else None)
            if task.status not in TASK_OPEN or ends is None or not in_time(applied_on, ends) or today <= decision_due(ends):
                continue
            due = decision_due(ends)
            data = {"valid_to": ends.isoformat(), "applied_on": applied_on.isoformat(), "decision_due": due.isoformat()}
            audit.transition(session, actor=None, row=task, event="deem_granted", reason=DEEMED, data=data)
            task.decided_at = utcnow()
            after_decision(session, None, task)  # the term moves (``life.decided``) and the application concludes
            deemed += 1
    return deemed


def resume_after_period(session: Session, today: date) -> int:
    """Record 复业 for each 歇业 whose period ended without one; how many, in the caller's transaction."""
    until = col(PermitHolding.suspended_until)
    query = select(PermitHolding).where(PermitHolding.status == "suspended", until.is_not(None), until < today)
    resumed = 0
    for held in list(session.exec(query)):
        audit.transition(session, actor=None, row=held, event="resume", reason=RESUMED, data={"until": str(held.suspended_until)})
        resumed += 1
    return resumed
