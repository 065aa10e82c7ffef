"""Service settings, read from ``YIYE_*`` environment variables (and an optional ``.env`` file)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, IPvAnyNetwork, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from certificates.face import ISSUER_LOCATION
from rules.packs import DEFAULT_PACK, PACKS_DIR

DEV_SECRET_KEY = "dev-only-secret-change-me"
"""The secret used when none is set. Fine on a laptop; refused when ``env`` is production."""

ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    development = "development"
    testing = "testing"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIYE_", env_file=".env", env_ignore_empty=True, extra="ignore")

    env: Environment = Environment.development
    secret_key: str = Field(default=DEV_SECRET_KEY, min_length=16, description="the service's secret; must be set in production")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'var' / 'yiye.db'}",
        description="SQLAlchemy URL; e.g. postgresql+psycopg://user@host:5432/yiye",
    )
    database_echo: bool = False

    packs_dir: Path = Field(default=PACKS_DIR, description="the packs as shipped (read, never written when packs_repo is set)")
    packs_repo: Path | None = Field(
        default=None,
        description="the published packs' own git repository, served and published by the policy desk; made from "
        "packs_dir at first start when it holds no pack yet. Unset, packs_dir itself is served and becomes the "
        "repository at the first change set, which the desk refuses while packs_dir lies inside another git working "
        "tree (a project checkout)",
    )
    default_pack: str = DEFAULT_PACK
    pack_cache: Path = Field(
        default=ROOT / "var" / "pack-cache",
        description="parsed packs by content hash, and the last version of each pack that loaded cleanly: a worker "
        "that starts while a pack's files are broken serves that version (service/registry.py)",
    )
    pack_poll_seconds: float = Field(
        default=0, ge=0, description="re-read packs when their files change, checked at most this often; 0 = only at start"
    )
    release_check_seconds: float = Field(
        default=1, ge=0, description="look for a newly published change set in the database at most this often; 0 = never"
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    demo: bool = Field(default=False, description="seed a demo applicant and draft at start")

    rate_limit_enabled: bool = True
    rate_limit_api: str = Field(default="600/minute", description="per client (API key, else IP) on /api/v1")
    rate_limit_auth: str = Field(default="20/minute", description="per client IP on sign-in and sign-up posts")
    redis_url: str | None = Field(
        default=None,
        description="e.g. redis://cache:6379/0: rate limits and sign-in lock-outs shared by every worker and host; "
        "unset, each worker process counts on its own",
    )
    redis_prefix: str = Field(default="yiye", min_length=1, max_length=64, description="prefix of this service's Redis keys")
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default=[],
        description="CIDR list (comma-separated) of the proxies whose X-Forwarded-For / -Proto is believed; "
        "none by default, so a client is the address that connected",
    )
    api_keys: list[str] = Field(
        default=[], description="integrator keys (JSON list); a known X-API-Key is limited by key, not IP"
    )

    session_cookie: str = "yiye_session"
    session_max_age: int = Field(default=14 * 24 * 3600, ge=60, description="a session ends this long after it began")
    session_idle_seconds: int = Field(
        default=24 * 3600, ge=1, description="a session ends when unused this long (anonymous work in progress too)"
    )
    cookie_secure: bool = Field(default=False, description="send cookies over HTTPS only; on in production")
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    lang_cookie: str = "yiye_lang"

    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="larger request bodies get 413")
    max_upload_bytes: int = Field(
        default=60 * 1024 * 1024,
        ge=1024,
        description="the body cap on the pages that upload materials (submit, correction); each file is also held "
        "to the workflow's per-file limit",
    )
    files_dir: Path = Field(
        default=ROOT / "var" / "files", description="uploaded materials, stored by their sha256 (service/workflow/storage.py)"
    )
    verify_threads: int = Field(
        default=1,
        ge=1,
        le=16,
        description="threads per worker that answer scans (the verify page and API), each taking the scans that arrived "
        "while it was busy as one batch, read in one statement (service/certs/verify.py); more overlap the waits for the "
        "database and the rate limit's store, but split the batches and contend for the interpreter lock",
    )
    verify_cache_mb: int = Field(
        default=64,
        ge=0,
        description="megabytes per worker of what scans derived, by token, status revision and day (service/certs/verify.py)",
    )
    compose_cache_mb: int = Field(
        default=128,
        ge=0,
        description="megabytes of compositions kept per worker, as their JSON (3–130 KB each, ~70 KB typical: "
        "about 1,800 at 128 MB); a fifth holds cases seen once, the rest cases asked for again, so a flood of "
        "one-off cases cannot push out the popular ones (service/cache.py); 0 turns the cache off",
    )

    bench_routes: bool = Field(
        default=False, description="mount /_bench/bare for bench/compose_http.py (never in the schema); refused in production"
    )
    bench_bare_body: Path | None = Field(default=None, description="the bytes /_bench/bare answers with (a composition)")

    keys_dir: Path = Field(
        default=ROOT / "var" / "keys",
        description="the certificates' private signing keys, one file each (made at first need; never in the repository)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000", max_length=100, description="where the public reaches this service: the QR's URL"
    )
    issuer_location: str = Field(
        default=ISSUER_LOCATION,
        min_length=1,
        max_length=100,
        description="where the issuing bureau is: the /Location of its signature on every certificate PDF",
    )
    rate_limit_verify: str = Field(default="60/minute", description="per client on the public certificate verify page")
    elicence_url: str | None = Field(
        default=None, max_length=500, description="the city's e-licence library (市电子证照库) endpoint; unset, nothing is pushed"
    )
    elicence_token: str | None = Field(default=None, description="bearer token the e-licence library expects, if any")
    elicence_timeout: float = Field(default=10, gt=0, le=120, description="seconds to wait for the library's answer")

    log_level: str = "INFO"
    log_json: bool = True

    jobs_path: Path = Field(
        default=ROOT / "var" / "jobs.db",
        description="the job queue's SQLite file (yiye worker); with YIYE_REDIS_URL set the queue lives in Redis instead",
    )
    jobs_workers: int = Field(default=1, ge=1, le=32, description="threads of `yiye worker` running jobs")
    outbox_batch: int = Field(default=100, ge=1, le=10_000, description="outbox rows a relay pass claims at a time")
    outbox_backoff_seconds: float = Field(
        default=30, gt=0, description="wait before the first retry of a failed delivery; doubled on each further failure"
    )
    outbox_backoff_max_seconds: float = Field(default=3600, gt=0, description="the longest wait between two retries")
    outbox_max_attempts: int = Field(
        default=10, ge=1, le=100, description="after this many failures a row is parked as failed (yiye outbox status)"
    )
    outbox_lease_seconds: float = Field(
        default=300, gt=0, description="how long a worker holds a claimed row; a worker killed mid-delivery frees it after this"
    )
    smtp_host: str | None = Field(default=None, description="the mail relay; unset, notifications stay in the app only")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = Field(default=30, gt=0)
    smtp_sender: str = Field(default="一业一证 <noreply@yiye.invalid>", description="the From header of notification e-mail")
    site_url: str = Field(default="http://127.0.0.1:8000", description="the public address links in e-mail point to")

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("packs_dir", "packs_repo")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser().resolve()

    @model_validator(mode="after")
    def _enforce_non_default_secrets(self) -> Self:
        if self.env is Environment.production:
            if self.secret_key == DEV_SECRET_KEY:
                raise ValueError("YIYE_SECRET_KEY must be set to a non-default value when YIYE_ENV=production")
            if not self.cookie_secure:
                raise ValueError("YIYE_COOKIE_SECURE must be true when YIYE_ENV=production")
            if self.bench_routes:
                raise ValueError("YIYE_BENCH_ROUTES is for load tests and refused when YIYE_ENV=production")
        return self

    @property
    def packs_root(self) -> Path:
        """The folder the service serves packs from and the desk publishes to."""
        return self.packs_repo or self.packs_dir

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def get_settings() -> Settings:
    return Settings()
