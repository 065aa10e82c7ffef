"""What the workflow refuses, as problems in Chinese with a stable code, the field and the subject.

Each kind maps to one HTTP status for the API to come: bad input 422, not allowed 403, not found 404,
conflict (someone else acted first, or the state does not allow it) 409.
"""

from __future__ import annotations

from rules.errors import Problem, ProblemsError


class WorkflowError(ProblemsError):
    status = 422


class Invalid(WorkflowError):
    """The request itself is wrong; nothing was written."""


class Forbidden(WorkflowError):
    status = 403


class NotFound(WorkflowError):
    status = 404


class Conflict(WorkflowError):
    status = 409


def problem(code: str, message: str, where: str = "", subject: str = "") -> Problem:
    return Problem(code, message, where, subject)
