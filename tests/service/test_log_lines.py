"""The structured log line's time stamp: datetime's ISO form in UTC to the millisecond, however it is written."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import event, given
from hypothesis import strategies as st

from service.logs import timestamp


@given(st.floats(min_value=0, max_value=4e9, allow_nan=False))
def test_a_stamp_reads_as_datetime_writes_it(created: float) -> None:
    stamp = timestamp(created)
    event("on a whole second" if stamp.endswith(".000+00:00") else "between whole seconds")
    assert stamp == datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


def test_stamps_in_the_same_second_and_the_next() -> None:
    assert [timestamp(t) for t in (1_796_000_000.25, 1_796_000_000.9999996, 1_796_000_001.5)] == [
        "2026-11-30T00:53:20.250+00:00",
        "2026-11-30T00:53:21.000+00:00",
        "2026-11-30T00:53:21.500+00:00",
    ]
