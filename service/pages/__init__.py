"""Server-rendered pages for applicants (Chinese first, English with ?lang=en). Add page routers here.

The applicant's journey: ``start`` (choose the business) → ``questions`` (one per page, then check
your answers) → ``notice`` (告知单, commitments, what changed) → ``apply`` (the one form, saved as a
draft) → ``documents`` (PDFs). Its state is in the session (``journey``); accounts in ``auth`` (忘记密码 in
``password_reset``, the mailed sign-up link in ``sign_up_confirm``),
the applicant's own drafts in ``drafts``; the submitted application and every staff desk in ``window``.
"""

from fastapi import APIRouter

from service.certs import lifepages
from service.certs import pages as certificates
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
pages_router.include_router(certificates.router)  # first: the verify page is the busiest, and routes are matched in order
pages_router.include_router(start.router)
pages_router.include_router(questions.router)
pages_router.include_router(notice.router)
pages_router.include_router(apply.router)
pages_router.include_router(documents.router)
pages_router.include_router(auth.router)
pages_router.include_router(password_reset.router)
pages_router.include_router(sign_up_confirm.router)
pages_router.include_router(drafts.router)
pages_router.include_router(lifepages.router)  # before the window's /window/applications/{id}/{decision}
pages_router.include_router(window.router)
pages_router.include_router(notifications.router)
pages_router.include_router(policy.router)

__all__ = ["pages_router"]
