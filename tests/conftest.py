"""Suite-wide: in CI (``CI=true``) a test may be skipped only for a reason declared expected here.

A skipped test proves nothing, and a missing dependency (PostgreSQL down, Chromium or
jsonschema_rs not installed) must not turn a suite green by skipping what needs it.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

EXPECTED_SKIPS: dict[str, str] = {}
"""Skip reasons CI accepts (the start of the reason), each with why it is expected. None today:
CI installs everything the suite needs, so any skip there means something is missing."""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _fail_if_unexpected(report: pytest.CollectReport | pytest.TestReport) -> None:
    if not (report.skipped and _in_ci()) or hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr).removeprefix("Skipped: ")
    if any(reason.startswith(expected) for expected in EXPECTED_SKIPS):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, and not declared expected in tests/conftest.py EXPECTED_SKIPS: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _fail_if_unexpected(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _fail_if_unexpected(report)
    return report
