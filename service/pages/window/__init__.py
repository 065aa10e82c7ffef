"""The case workflow's pages: the applicant's submission and timeline, and each staff desk (window, review, inspection,
accounts).

Thin handlers over ``service/workflow/``: it loads every row through ``may()``, so a foreign object is a 404
and a forbidden action a 403, shown as pages in the visitor's language.
"""

from fastapi import APIRouter

from service.pages.window import accounts, applications, desk, inspection, queues, review, supervision, workbench

UPLOAD_PATHS = r"/drafts/[^/]+/submit|/applications/[^/]+/correction"
"""The pages whose forms carry files, allowed a larger body (``max_upload_bytes``)."""

router = APIRouter()
for module in (desk, applications, workbench, review, inspection, supervision, queues, accounts):
    router.include_router(module.router)

__all__ = ["UPLOAD_PATHS", "router"]
