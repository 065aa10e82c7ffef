"""通知: what the background jobs told a signed-in user (state changes, reminders), newest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.compose import in_beijing
from service.deps import CurrentUser, LangDep, SessionDep
from service.jobs.notifications import for_user
from service.pages import responses as pages
from service.pages.templating import render

router = APIRouter(tags=["pages"])


@router.get("/notifications", response_class=Response, responses={200: pages.PAGE, 303: pages.TO_SIGN_IN})
def list_notifications(request: Request, session: SessionDep, user: CurrentUser, lang: LangDep) -> Response:
    """List my notifications, in my language where the notification has it."""
    shown = [
        {"title": n.title_en, "body": n.body_en, "at": in_beijing(n.created_at)}
        if lang == "en" and n.title_en
        else {"title": n.title, "body": n.body, "at": in_beijing(n.created_at)}
        for n in for_user(session, user.id)
    ]
    return render(request, "notifications.html", {"notifications": shown})
