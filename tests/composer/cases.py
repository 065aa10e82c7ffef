"""Shared by the composer tests: one loaded composer per pack, and compositions of an industry with answers."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from composer import Composer, ComposeRequest, Composition

TODAY = date(2026, 3, 1)
PLAIN_SHOP = {
    "food_prep_onsite": False,
    "sells_bulk_food": False,
    "sells_tobacco": False,
    "sells_drugs": False,
    "sells_device_class2": False,
    "sells_publications": False,
    "uses_vending": False,
    "uses_agent": False,
}
"""A shop as the questions every pack asks of one see it: no food made on site, nothing sold that needs a
licence of its own, no vending machine, and the applicant applies in person."""
STORE = {**PLAIN_SHOP, "area_m2": 80, "is_chain": True, "sells_tobacco": True, "outdoor_ad": False}
"""A Dongcheng convenience store selling prepackaged food and tobacco, every question answered."""
HUNAN_SUPERMARKET = {
    **PLAIN_SHOP,
    "has_business_license": True,
    "area_m2": 400,
    "central_ac": True,
    "near_heritage_site": False,
    "sells_bulk_food": True,
    "renovation": False,
    "shop_sign": False,
}
"""A Hunan supermarket of 400㎡ with central air-conditioning, selling bulk food, every question answered."""


@cache
def composer(pack_id: str) -> Composer:
    return Composer.load(pack_id)


def composed(pack_id: str, industry: str, answers: dict[str, Any], on: date | None = None, **extra: Any) -> Composition:
    """One industry's composition in a pack, read as of ``on`` (today's test date if not given)."""
    asked = {"pack": pack_id, "industries": [industry], "answers": answers, **extra}
    if on is not None:
        asked["as_of"] = on.isoformat()
    return composer(pack_id).compose(ComposeRequest.model_validate(asked), today=TODAY)
