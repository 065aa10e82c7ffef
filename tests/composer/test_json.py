"""A composition's JSON is the contract other systems read, and the form the service caches."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings

from composer import ComposeRequest, Composition
from composer.json import TAIL
from rules.errors import InputError
from service.compose import serialise
from tests.composer.random_requests import WARM, on_any_day, requests

TODAY = date(2026, 11, 26)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
def test_the_json_reads_back_as_the_same_composition(request: ComposeRequest) -> None:
    try:
        plain = WARM.compose(request, today=TODAY)
    except InputError:
        return  # contradictory industries or answers: refused, nothing to serialise
    eligible = [p.id for p in plain.permits if p.commitment.eligible]
    for composition in (plain, WARM.compose(request.model_copy(update={"commit": eligible}), today=TODAY)):
        body = serialise(composition)
        assert body == composition.model_dump_json().encode()
        assert Composition.model_validate_json(body) == composition


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(on_any_day)
def test_the_spliced_json_is_the_compositions_own(request: ComposeRequest) -> None:
    try:
        plain, body = WARM.compose_json(request, today=TODAY)
    except InputError:
        return
    assert body == plain.model_dump_json().encode()
    eligible = [p.id for p in plain.permits if p.commitment.eligible]
    chosen, body = WARM.compose_json(request.model_copy(update={"commit": eligible}), today=TODAY)
    assert body == chosen.model_dump_json().encode()


def test_the_spliced_fields_come_last_in_the_contract() -> None:
    assert tuple(Composition.model_fields)[-len(TAIL) :] == TAIL
