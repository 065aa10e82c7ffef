"""Liveness and readiness for load balancers and operators: ``/healthz`` and ``/readyz``.

``/healthz`` answers 200 while the process serves requests at all. ``/readyz`` lists each pack this
worker knows: the version it serves, whether that is the last good version kept while the pack's
files fail to load (``fallback``), and that failure, each problem at its ``file:line`` relative to
the packs folder. It answers 503 only when the default pack cannot be served at all: a broken file
elsewhere is reported, not a reason to take the worker out of rotation.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from rules.errors import Problem
from service.deps import RegistryDep, SettingsDep
from service.errors import ErrorItem

router = APIRouter(include_in_schema=False)  # probes for operators and load balancers, not for integrators


class Liveness(BaseModel):
    status: str = Field(description="always 'ok' while the process answers")


class PackReadiness(BaseModel):
    id: str
    version: str | None = Field(description="the version served; null when the pack cannot be served at all")
    fallback: bool = Field(description="true while the pack's files fail to load and an earlier good version is served")
    errors: list[ErrorItem] = Field(description="why the pack's files did not load, each at file:line; empty when they did")


class Readiness(BaseModel):
    status: str = Field(
        description="ready; degraded (some pack files fail, served from a good version or not at all); "
        "unavailable (the default pack cannot be served: 503)"
    )
    default_pack: str
    packs: list[PackReadiness]


@router.get("/healthz", response_model=Liveness)
async def healthz() -> Liveness:
    """Liveness: the process is up and answering."""
    return Liveness(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness, "description": "default pack not served"}})
async def readyz(registry: RegistryDep, settings: SettingsDep) -> JSONResponse:
    """Readiness: each pack's served version, whether it is the last-good fallback, and its files' last load error."""
    packs = [
        PackReadiness(
            id=status.pack_id,
            version=status.version,
            fallback=status.fallback,
            errors=[ErrorItem(**_published(p, registry.root).as_dict()) for p in status.problems],
        )
        for status in registry.statuses()
    ]
    if registry.get(settings.default_pack) is None:
        state, code = "unavailable", 503
    elif any(p.errors for p in packs):
        state, code = "degraded", 200
    else:
        state, code = "ready", 200
    body = Readiness(status=state, default_pack=settings.default_pack, packs=packs)
    return JSONResponse(body.model_dump(mode="json"), status_code=code)


def _published(problem: Problem, root: Path) -> Problem:
    """The problem with its file named relative to the packs folder: the server's paths are not for the public."""
    prefix = f"{root}/"
    if problem.where.startswith(prefix):
        return Problem(problem.code, problem.message, problem.where.removeprefix(prefix), problem.subject)
    return problem
