"""A composition's JSON is the contract other systems read, and the form the service caches."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import HealthCheck, event, given, settings

from composer import ComposeRequest, Composition
from composer.serialise import LAYOUT
from rules.errors import InputError
from tests.composer.random_requests import COMPOSED_SHARE, WARM, on_any_day

TODAY = date(2026, 11, 26)


def test_the_spliced_json_is_the_compositions_own_and_reads_back_as_it() -> None:
    outcomes: Counter[str] = Counter()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(on_any_day)
    def check(request: ComposeRequest) -> None:
        try:
            plain, body = WARM.compose_json(request, today=TODAY)
        except InputError:
            event("refused")  # contradictory industries: refused, nothing to serialise
            outcomes["refused"] += 1
            return
        eligible = [p.id for p in plain.permits if p.commitment.eligible]
        chosen, chosen_body = WARM.compose_json(request.model_copy(update={"commit": eligible}), today=TODAY)
        for composition, json in ((plain, body), (chosen, chosen_body)):
            assert json == composition.model_dump_json().encode()
            assert Composition.model_validate_json(json) == composition  # the service caches only the bytes
        event("composed")
        outcomes["composed"] += 1

    check()
    assert outcomes["composed"] >= COMPOSED_SHARE * outcomes.total(), outcomes


def test_the_writer_lays_out_every_field_of_the_contract_in_its_order() -> None:
    written = [name for part in LAYOUT for name in ((part,) if isinstance(part, str) else part)]
    assert written == list(Composition.model_fields)
