"""The JSON API for other government systems, under /api/v1. Every route is rate limited per client."""

from fastapi import APIRouter, Depends

from service.api import compose, drafts, packs, tasks
from service.certs import api as certificates
from service.errors import RATE_LIMITED
from service.ratelimit import Limit

api_router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(Limit("api", "rate_limit_api"))],
    responses={429: RATE_LIMITED},
)
for module in (compose, packs, drafts, tasks, certificates):
    api_router.include_router(module.router)

__all__ = ["api_router"]
