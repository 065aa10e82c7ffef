"""The home page (the questionnaire pages will start from here)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.deps import OptionalUser
from service.pages import responses as pages
from service.pages.templating import render

router = APIRouter(tags=["pages"])


@router.get("/", response_class=Response, responses={200: pages.PAGE})
def home(request: Request, user: OptionalUser) -> Response:
    """Show the home page."""
    return render(request, "home.html")
