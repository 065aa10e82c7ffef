"""Server-rendered pages for applicants (Chinese first, English with ?lang=en). Add page routers here.

The applicant's journey: ``start`` (choose the business) → ``questions`` (one per page, then check
your answers) → ``notice`` (告知单, commitments, what changed) → ``apply`` (the one form, saved as a
draft) → ``documents`` (PDFs). Its state is in the session (``journey``); accounts in ``auth`` (忘记密码 in
``password_reset``, the mailed sign-up link in ``sign_up_confirm``),
the applicant's own drafts in ``drafts``; the submitted application and every staff desk in ``window``.
"""

from fastapi import APIRouter

from service.certs import lifepages
from service.pages import (
    apply,
    auth,
    documents,
    drafts,
    notice,
    notifications,
    password_reset,
    policy,
    questions,
    sign_up_confirm,
    start,
    window,
)

pages_router = APIRouter()
# the certificate pages (the verify page is the busiest) come before the API, in service/app.py;
# lifepages before the window's /window/applications/{id}/{decision}
for module in (
    start,
    questions,
    notice,
    apply,
    documents,
    auth,
    password_reset,
    sign_up_confirm,
    drafts,
    lifepages,
    window,
    notifications,
    policy,
):
    pages_router.include_router(module.router)

__all__ = ["pages_router"]
