"""Status derived at read time from the sub-permits' records, so no job lag can show a stale state.

A version replaced by a newer one is 已换发 (its scan points to the holder's current certificate, not to
a state of its own); otherwise a certificate is void (作废) as soon as any sub-permit is cancelled,
withdrawn, revoked or past its term (the action plan: 任一子许可被注销、撤销、撤回或过期的，综合许可凭证
即行作废); one listing 未许可事项 is 部分许可; otherwise 有效.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from certificates.face import CertificateFace


class ItemState(StrEnum):
    """A sub-permit's live state."""

    valid = "valid"
    changed = "changed"
    renewing = "renewing"
    suspended = "suspended"
    cancelled = "cancelled"
    withdrawn = "withdrawn"
    revoked = "revoked"
    expired = "expired"

    @property
    def label(self) -> str:
        return ITEM_LABELS[self]


ITEM_LABELS = {
    ItemState.valid: "有效",
    ItemState.changed: "已变更",
    ItemState.renewing: "延续中",
    ItemState.suspended: "歇业",
    ItemState.cancelled: "已注销",
    ItemState.withdrawn: "已撤销",
    ItemState.revoked: "已吊销",
    ItemState.expired: "已过期",
}

ENDED = frozenset({ItemState.cancelled, ItemState.withdrawn, ItemState.revoked, ItemState.expired})
"""A sub-permit in one of these states voids the certificate."""


class CertificateState(StrEnum):
    valid = "valid"
    partial = "partial"
    superseded = "superseded"
    void = "void"

    @property
    def label(self) -> str:
        return {"valid": "有效", "partial": "部分许可", "superseded": "已换发", "void": "作废"}[self.value]


class ItemStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    permit: str
    state: ItemState
    label: str


class Status(BaseModel):
    """A certificate's state and every sub-permit's, as of one day."""

    model_config = ConfigDict(frozen=True)

    state: CertificateState
    label: str
    items: list[ItemStatus]
    void_because: list[str]
    """the permits that voided it (empty unless void)."""


def item_state(recorded: ItemState, valid_to: date | None, today: date) -> ItemState:
    """The recorded state, or 已过期 once the term has passed (on the day after ``valid_to``)."""
    if recorded in (ItemState.valid, ItemState.changed, ItemState.suspended) and valid_to is not None and today > valid_to:
        return ItemState.expired
    return recorded


def derive(
    face: CertificateFace,
    recorded: Mapping[str, ItemState],
    *,
    superseded: bool,
    today: date,
    terms: Mapping[str, date | None] | None = None,
) -> Status:
    """The certificate's status from each sub-permit's recorded state (a permit with no record counts as withdrawn).

    ``terms`` are live terms that replace the printed ones (an extension moves a term without a new certificate).
    """
    items = []
    for permit in face.permits:
        valid_to = terms.get(permit.permit, permit.valid_to) if terms else permit.valid_to
        live = item_state(recorded.get(permit.permit, ItemState.withdrawn), valid_to, today)
        items.append(ItemStatus(permit=permit.permit, state=live, label=live.label))
    ended = [i.permit for i in items if i.state in ENDED]
    if superseded:
        state = CertificateState.superseded
    elif ended:
        state = CertificateState.void
    elif face.not_licensed:
        state = CertificateState.partial
    else:
        state = CertificateState.valid
    return Status(state=state, label=state.label, items=items, void_because=ended)
