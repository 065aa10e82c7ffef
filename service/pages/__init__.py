"""Server-rendered pages for applicants (Chinese first, English with ?lang=en). Add page routers here."""

from fastapi import APIRouter

from service.pages import auth, drafts, home

pages_router = APIRouter()
pages_router.include_router(home.router)
pages_router.include_router(auth.router)
pages_router.include_router(drafts.router)

__all__ = ["pages_router"]
