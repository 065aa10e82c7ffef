"""The JSON API for other government systems, under /api/v1. Every route is rate limited per client."""

from fastapi import APIRouter, Depends

from service.api import compose, drafts, packs, tasks
from service.certs import api as certificates
from service.errors import RATE_LIMITED
from service.ratelimit import API_LIMIT

api_router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(API_LIMIT)],
    responses={429: RATE_LIMITED},
)
# certificates first: verify is the busiest, and routes are matched in order
for module in (certificates, compose, packs, drafts, tasks):
    api_router.include_router(module.router)

__all__ = ["api_router"]
