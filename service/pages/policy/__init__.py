"""The policy staff's desk (/policy): change sets to the rule packs, edited, checked, approved by a second person, published."""

from service.pages.policy.change_sets import router

__all__ = ["router"]
