"""The policy staff's desk (/policy): change sets to the rule packs, edited, checked, approved by a second person, published."""

from fastapi import APIRouter

from service.pages.policy import catalogue, change_sets, history

router = APIRouter()
router.include_router(catalogue.router)
router.include_router(history.router)
router.include_router(change_sets.router)

__all__ = ["router"]
