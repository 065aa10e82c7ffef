"""The states are written once, the docs show them as they are, and nothing else writes a status."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from service.workflow.errors import Conflict
from service.workflow.states import ApplicationFlow, HoldingFlow, InspectionFlow, TaskFlow, fire, initial_status, mermaid

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("machine", [ApplicationFlow, TaskFlow, InspectionFlow, HoldingFlow])
def test_the_docs_show_the_machines_as_the_code_defines_them(machine: type) -> None:
    assert mermaid(machine).rstrip() in (ROOT / "docs" / "workflow.md").read_text()


def test_only_the_machines_write_a_status() -> None:
    attribute = re.compile(r"\.status\s*=[^=]")
    keyword = re.compile(r"status\s*=\s*[\"']")  # a row built with its status, where workflow rows are in reach
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "service").rglob("*.py")
        if "migrations" not in path.parts
        for text in [path.read_text()]
        for n, line in enumerate(text.splitlines(), 1)
        if attribute.search(line) or ("workflow" in text and keyword.search(line))
    ]
    assert offenders == []


def test_a_transition_the_machine_does_not_have_is_a_conflict_in_words() -> None:
    row = SimpleNamespace(status="decided")
    with pytest.raises(Conflict) as raised:
        fire(ApplicationFlow, row, "accept", "申请")
    assert raised.value.problems[0].message == "申请当前为“办结”，不能受理"
    assert row.status == "decided"


def test_the_application_goes_through_correction_to_a_decision() -> None:
    row = SimpleNamespace(status=initial_status(ApplicationFlow))
    steps = ["request_correction", "resubmit", "request_correction", "resubmit", "accept", "start_approval", "conclude"]
    seen = [fire(ApplicationFlow, row, event, "申请")[1] for event in steps]
    assert seen == [
        "correction_requested",
        "resubmitted",
        "correction_requested",
        "resubmitted",
        "accepted",
        "in_approval",
        "decided",
    ]


@pytest.mark.parametrize("final", ["refused", "decided", "withdrawn"])
def test_nothing_leaves_a_final_application_state(final: str) -> None:
    for event in ("request_correction", "resubmit", "accept", "refuse", "start_approval", "conclude", "withdraw"):
        with pytest.raises(Conflict):
            fire(ApplicationFlow, SimpleNamespace(status=final), event, "申请")


def test_a_decided_task_cannot_be_decided_again() -> None:
    for decided in ("approved", "rejected"):
        for event in ("approve", "approve_on_commitment", "reject", "require_rectification"):
            with pytest.raises(Conflict):
                fire(TaskFlow, SimpleNamespace(status=decided), event, "审批事项")
