"""The workflow tests' shared case: an application accepted at the window on a Monday."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from service.workflow.models import Application
from service.workflow.window import accept
from tests.service.wfcase import MONDAY, Staff


@pytest.fixture
def accepted(session: Session, staff: Staff, make_submitted: Callable[[], Application]) -> Application:
    """The applicant's application, accepted on ``MONDAY``: its permits are the departments' tasks."""
    application = make_submitted()
    accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    return application
