"""Derived status: the truth table, and expiry flipping on the day after the term with no job run."""

from __future__ import annotations

from datetime import date

import pytest

from certificates.status import CertificateState, ItemState, derive
from tests.certificates.facecase import face

TODAY = date(2027, 1, 4)
ALL_VALID = {"food_business": ItemState.valid, "fire_check": ItemState.valid}


@pytest.mark.parametrize(
    ("food", "fire", "not_licensed", "superseded", "expected"),
    [
        (ItemState.valid, ItemState.valid, False, False, CertificateState.valid),
        (ItemState.valid, ItemState.valid, True, False, CertificateState.partial),
        (ItemState.valid, ItemState.valid, False, True, CertificateState.superseded),
        (ItemState.changed, ItemState.renewing, False, False, CertificateState.valid),
        (ItemState.suspended, ItemState.valid, False, False, CertificateState.valid),
        (ItemState.withdrawn, ItemState.valid, False, False, CertificateState.void),
        (ItemState.valid, ItemState.revoked, True, False, CertificateState.void),
        (ItemState.cancelled, ItemState.valid, False, True, CertificateState.superseded),
        (ItemState.expired, ItemState.valid, False, False, CertificateState.void),
    ],
)
def test_truth_table(food: ItemState, fire: ItemState, not_licensed: bool, superseded: bool, expected: CertificateState) -> None:
    printed = face() if not_licensed else face(not_licensed=[])
    status = derive(printed, {"food_business": food, "fire_check": fire}, superseded=superseded, today=TODAY)
    assert status.state is expected
    assert [i.label for i in status.items] == [food.label, fire.label]


def test_expiry_flips_on_the_day_after_the_term() -> None:
    printed = face(not_licensed=[])
    last_day = printed.permits[0].valid_to
    assert last_day is not None
    assert derive(printed, ALL_VALID, superseded=False, today=last_day).label == "有效"
    after = derive(printed, ALL_VALID, superseded=False, today=date.fromordinal(last_day.toordinal() + 1))
    assert (after.label, after.void_because, after.items[0].label) == ("作废", ["food_business"], "已过期")


def test_a_permit_with_no_record_voids_the_certificate() -> None:
    status = derive(face(), {"fire_check": ItemState.valid}, superseded=False, today=TODAY)
    assert status.state is CertificateState.void
