"""In CI a skip fails the run unless tests/conftest.py declares it expected."""

from __future__ import annotations

from pathlib import Path

import pytest

import tests.conftest

SUITE = """
import pytest

def test_needs_a_database():
    pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")

@pytest.mark.skipif(True, reason="Debian chromium is not installed")
def test_needs_a_browser():
    pass

@pytest.mark.xfail(reason="a known gap", strict=True)
def test_known_gap():
    assert False

def test_plain():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(Path(tests.conftest.__file__).read_text())
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def test_in_ci_an_undeclared_skip_fails_the_run(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1, errors=1, xfailed=1)
    result.stdout.fnmatch_lines(["*not declared expected*PostgreSQL not reachable*"])
    assert result.ret != 0


def test_outside_ci_a_skip_is_a_skip(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    suite.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1, skipped=2, xfailed=1)


def test_a_declared_skip_passes_in_ci(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    conftest = suite.path / "conftest.py"
    conftest.write_text(
        conftest.read_text().replace("EXPECTED_SKIPS: dict[str, str] = {}", 'EXPECTED_SKIPS = {"Debian chromium": "why"}')
    )
    suite.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1, skipped=1, xfailed=1)
