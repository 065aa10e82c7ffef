"""Schemathesis over the whole OpenAPI schema: generated requests, valid and not, never get a 5xx.

Every response must also match what the schema declares for its status code, what the schema
refuses the API must refuse too, and every error the API sends speaks Chinese only.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from service import db
from service.app import create_app
from tests.service.svcutil import make_settings

_DB = Path(tempfile.mkdtemp(prefix="yiye-fuzz-")) / "fuzz.db"
_URL = f"sqlite:///{_DB}"
db.upgrade(_URL)
app = create_app(make_settings(_URL, compose_cache_mb=8))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _running() -> Iterator[None]:
    with TestClient(app):  # runs the lifespan: packs compiled, database engine open
        yield


ENGLISH = re.compile(r"\b(?:Input|should|valid|Field|required|characters|permitted|Extra|error|decode|Expecting|parsing)\b")


def errors_are_in_chinese(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    """Each error message is Chinese, with nothing of pydantic's or the JSON parser's English in it."""
    if response.status_code < 400 or not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return
    for error in response.json()["errors"]:
        quoted = error["subject"]  # the id or value the message quotes back may be an English word
        message = error["message"].replace(quoted, "") if quoted else error["message"]
        assert re.search(r"[\u4e00-\u9fff]", message), error
        assert not ENGLISH.search(message), error


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    # A schema-valid request may still name an industry or answer the pack does not know: that is
    # a 422 with the problems listed, by design, so "valid data must be accepted" does not apply.
    excluded = [positive_data_acceptance]
    if not case.path.startswith("/api/"):
        # Pages send a visitor who is not signed in to the sign-in page (303) before they look
        # at the path, so a malformed draft id there is a redirect, not a 422.
        excluded.append(negative_data_rejection)
    case.call_and_validate(excluded_checks=excluded, additional_checks=[errors_are_in_chinese])
