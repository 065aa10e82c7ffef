"""What a scan shows: the token's authenticity, then the certificate's face and its live status, read now.

Only what the printed face shows leaves here: no ID-card or phone numbers, no application, no account.
A superseded version shows its number, version and that it was re-issued, and nothing of the new one.
"""

from __future__ import annotations

import contextvars
import uuid
from collections import namedtuple
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from typing import Any, Generic, Literal, TypeVar

import psycopg
from cryptography.exceptions import InvalidSignature
from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError
from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter
from sqlalchemy import Connection, Engine, FromClause, Select, Text, bindparam, cast, exists, func, inspect, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect, make_url
from sqlmodel import Session, create_engine

from certificates.face import ISSUER, STORED, CertificateFace, Title
from certificates.status import ItemState, Status, derive
from certificates.tokens import MAX_TOKEN_CHARS, InvalidToken, Read, TokenError, Verified
from rules.model import LifecycleKind
from service.batches import Batches
from service.cache import SegmentedLRU
from service.certs.holdings import OPEN, Held, Live, added_held, live_from, with_added
from service.certs.lifecycle import RECORDED, beijing_date
from service.certs.models import Certificate, CertificateKey, LifecycleRequest, PermitHolding
from service.db import make_engine
from service.models import utcnow
from service.workflow.models import Application, PermitTask

R = TypeVar("R")


class Unverifiable(Exception):
    """The token proves nothing: ``code`` and words for the page and the JSON error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_ITEM_EXAMPLE: dict[str, JsonValue] = {
    "permit": "food_business",
    "name": "食品经营许可",
    "number": "DCZH2026-K3F9-QW2M-7XRD-01",
    "department_name": "区市场监督管理局",
    "valid_from": "2026-12-07",
    "valid_to": "2031-12-06",
    "on_commitment": True,
    "state": "valid",
    "state_label": "有效",
}
_NOT_LICENSED_EXAMPLE: dict[str, JsonValue] = {
    "name": "特种行业许可证（旅馆业）",
    "department_name": "区公安分局",
    "reason": "不予许可",
}


class ItemOut(BaseModel):
    """One sub-permit on the certificate, with its live state."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_ITEM_EXAMPLE]})

    permit: str
    name: str
    number: str
    department_name: str = Field(description="the department answering for the permit (谁审批、谁负责)")
    valid_from: date
    valid_to: date | None
    on_commitment: bool
    state: str = Field(description="valid, changed, renewing, suspended, cancelled, withdrawn, revoked, expired")
    state_label: str


class NotLicensedOut(BaseModel):
    """未许可事项: a permit of the application the certificate does not grant."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_NOT_LICENSED_EXAMPLE]})

    name: str
    department_name: str
    reason: str


class VerifyOut(BaseModel):
    """A certificate as its QR proves it, with every sub-permit's live state."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "authentic": True,
                    "key_id": "34c6d29e",
                    "issuer": ISSUER,
                    "title": {"zh": "综合许可凭证", "en": "comprehensive permit certificate"},
                    "number": "DCZH2026-K3F9-QW2M-7XRD",
                    "version": 1,
                    "state": "valid",
                    "state_label": "有效",
                    "holder": "东城示例旅店有限公司",
                    "uscc": "91110101MA01ABCD06",
                    "legal_representative": "王芳",
                    "address": "北京市东城区示例胡同 8 号",
                    "industry": "住宿服务",
                    "issued_on": "2026-12-07",
                    "permits": [_ITEM_EXAMPLE],
                    "not_licensed": [_NOT_LICENSED_EXAMPLE],
                    "superseded_by_version": None,
                    "void_because": [],
                    "status_list_index": 41,
                    "checked_at": "2026-12-07T08:00:00Z",
                }
            ]
        },
    )

    authentic: bool = Field(description="the signature is valid and made by one of the issuer's keys in use")
    key_id: str
    issuer: str
    title: Title = Field(description="the certificate's name as its jurisdiction words it (证书名称)")
    number: str
    version: int
    state: Literal["valid", "partial", "superseded", "void"]
    state_label: str = Field(description="有效 / 部分许可 / 已换发 / 作废")
    holder: str | None = Field(description="None on a superseded version")
    uscc: str | None
    legal_representative: str | None
    address: str | None
    industry: str | None
    issued_on: date
    permits: list[ItemOut]
    not_licensed: list[NotLicensedOut]
    superseded_by_version: int | None = Field(description="the version that replaced this one, when it was re-issued")
    void_because: list[str] = Field(description="the sub-permits whose end voided it")
    status_list_index: int | None = Field(description="its bit in the signed status list at /status/certificates")
    checked_at: datetime


def scan(engine: Engine, token: str, today: date) -> VerifyOut:
    """``verify`` on a connection of its own in autocommit: one statement, no transaction to open or roll back."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return verify(connection, token, today)


def verify(db: Connection | Session, token: str, today: date) -> VerifyOut:
    """The certificate the token names, as it stands today; ``Unverifiable`` when the token proves nothing."""
    claimed = _read(token)
    rows = records(db, claimed.key_id, claimed.certificate_id)
    key = rows[0] if rows else None
    proved = _proved(claimed, key.public_key if key is not None else None, key is not None and key.retired_at is not None)
    _known(rows[0].face is not None, rows[0].version, proved.version)
    return _shape(Standing.of(lambda: nullcontext(db), rows, today), proved.key_id)


def _read(token: str) -> Read:
    if len(token) > MAX_TOKEN_CHARS:
        raise Unverifiable(TokenError.malformed.value, TokenError.malformed.label)
    try:
        return Read.of(token)
    except InvalidToken as exc:
        raise Unverifiable(exc.reason.value, exc.reason.label) from exc


def _proved(claimed: Read, public_key: str | None, retired: bool) -> Verified:
    try:
        return claimed.check(_Sodium(bytes.fromhex(public_key)) if public_key is not None else None, retired=retired)
    except InvalidToken as exc:
        raise Unverifiable(exc.reason.value, exc.reason.label) from exc


class _Sodium:
    """An Ed25519 public key whose signatures libsodium checks: a scan's one signature check, in about half the CPU
    of OpenSSL's (``cryptography``) here, with the same answer for every token this system signs."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def verify(self, signature: bytes, data: bytes) -> None:
        """As ``Ed25519PublicKey.verify``: ``InvalidSignature`` unless ``signature`` is this key's over ``data``."""
        try:
            crypto_sign_open(signature + data, self.raw)
        except (BadSignatureError, ValueError) as exc:
            raise InvalidSignature from exc


def _known(exists: bool, version: int | None, claimed: int) -> None:
    if not exists or version != claimed:
        raise Unverifiable("certificate_unknown", "凭证码签名有效，但本系统没有这份凭证的记录")


@dataclass(frozen=True)
class Shown:
    """A scan's answer, and the state it was derived from: the certificate version's status revision on a day."""

    out: VerifyOut
    stamp: tuple[uuid.UUID, int, date]
    size: int
    """Bytes it holds, roughly: the model, its JSON and a page or two (``SIZE_PER_FACE_CHAR``)."""
    pages: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict, compare=False)
    """Pages rendered from it by path and language, split where the time of the check goes (``service/certs/pages.py``)."""

    @cached_property
    def _json_head(self) -> bytes:
        return self.out.model_dump_json(exclude={"checked_at"}).encode()[:-1]

    def now(self) -> VerifyOut:
        """The answer, checked now."""
        return self.out.model_copy(update={"checked_at": utcnow()})

    def json(self, checked_at: datetime) -> bytes:
        """``VerifyOut``'s JSON as checked at ``checked_at`` (its last field), from the bytes made once."""
        return b'%s,"checked_at":%s}' % (self._json_head, _INSTANT.dump_json(checked_at))


_INSTANT = TypeAdapter(datetime)

SIZE_PER_FACE_CHAR = 10
"""A remembered scan's bytes per character of its face's stored JSON: about eight times its answer's JSON, counted
without making that JSON (a page's scan never needs it)."""


@dataclass(frozen=True)
class Asked(Generic[R]):
    """A scan waiting for a scan thread: its token and day, the check it must pass first (an API key, the rate limit),
    and what to answer with what it shows; both run in the context of the request that asked (made with it)."""

    token: str
    today: date
    admit: Callable[[], None]
    reply: Callable[[Shown | Unverifiable], R]
    context: contextvars.Context = field(default_factory=contextvars.copy_context)


class Scanner:
    """Scans answered on a few threads of their own, in batches, remembering per process what they derived for a token
    at a status revision on a day.

    The scans that arrive while the threads are busy are handed over together (``service.batches``) and their records
    read in one statement (``records_of``): under a crowd, a few scans share each hop between the event loop and a
    thread, each round trip and each statement's fixed cost; a lone scan waits for nothing. Every scan reads its rows
    anew, so states stay live: only when the version's ``status_revision`` (moved in the transaction of every change of
    what a scan reads, ``models._status_moved``) or the day is new, or the key retired, is the signature checked and the
    states derived and shaped again. Every worker sees a change the moment it commits, and a retired key is refused on
    every scan.
    """

    def __init__(self, engine: Engine, max_bytes: int, threads: int = 1) -> None:
        self.engine = engine
        self.remembered: SegmentedLRU[str, Shown] = SegmentedLRU(max_bytes)
        self._batches: Batches[Asked[Any], Any] = Batches(self._answer, threads, BATCH)

    async def answer(self, asked: Asked[R]) -> R:
        """``asked.reply`` to its scan, made on a scan thread once ``asked.admit`` let it through."""
        answer: R = await self._batches.submit(asked)
        return answer

    def close(self) -> None:
        """Stop the scan threads, then close the connections."""
        self._batches.close()
        self.engine.dispose()

    def scan(self, token: str, today: date) -> Shown:
        """The token's answer today; ``Unverifiable`` when it proves nothing."""
        [shown] = self.scan_all([(token, today)])
        if isinstance(shown, Unverifiable):
            raise shown
        return shown

    def scan_all(self, asked: Sequence[tuple[str, date]]) -> list[Shown | Unverifiable]:
        """Each token's answer on its day, their records read in one statement: as remembered while nothing it reads has
        changed, else derived anew."""
        claims: list[Read | Unverifiable] = []
        for token, _ in asked:
            try:
                claims.append(_read(token))
            except Unverifiable as exc:
                claims.append(exc)
        read = [claim for claim in claims if isinstance(claim, Read)]
        found: list[list[Any]] = []
        if read:  # a batch of malformed tokens (random bytes, say) costs no connection
            with self.engine.connect() as db:
                found = records_of(db, [(claim.key_id, claim.certificate_id) for claim in read])
        rows = iter(found)
        return [
            claim if isinstance(claim, Unverifiable) else self._shown(token, claim, next(rows), today)
            for (token, today), claim in zip(asked, claims, strict=True)
        ]

    def _shown(self, token: str, claimed: Read, rows: list[Any], today: date) -> Shown | Unverifiable:
        key = rows[0] if rows else None
        if key is None:
            return Unverifiable(TokenError.unknown_key.value, TokenError.unknown_key.label)
        stamp = (claimed.certificate_id, key.status_revision or 0, today)
        shown = self.remembered.get(token)
        if shown is not None and shown.stamp == stamp and key.retired_at is None:
            return shown
        try:
            proved = _proved(claimed, key.public_key, key.retired_at is not None)
            _known(key.face is not None, key.version, proved.version)
        except Unverifiable as exc:
            return exc
        standing = Standing.of(self.engine.connect, rows, today)
        shown = Shown(_shape(standing, proved.key_id), stamp, SIZE_PER_FACE_CHAR * len(key.face))
        self.remembered.put(token, shown)
        return shown

    def _answer(self, batch: list[Asked[Any]]) -> list[Any]:
        """A batch on a scan thread: each scan admitted (else its refusal is its answer), those admitted scanned
        together, and each replied to."""
        refused: dict[int, Exception] = {}
        for i, asked in enumerate(batch):
            try:
                asked.context.run(asked.admit)
            except Exception as exc:
                refused[i] = exc
        admitted = [i for i in range(len(batch)) if i not in refused]
        scanned = dict(zip(admitted, self.scan_all([(batch[i].token, batch[i].today) for i in admitted]), strict=True))
        return [refused[i] if i in refused else _replied(batch[i], scanned[i]) for i in range(len(batch))]


def _replied(asked: Asked[R], scanned: Shown | Unverifiable) -> R | Exception:
    try:
        return asked.context.run(asked.reply, scanned)
    except Exception as exc:
        return exc


BATCH = 32
"""The most scans a scan thread takes at once."""


def scans_engine(url: str) -> Engine:
    """The engine scans read through: autocommit, no pre-ping, nothing to reset, so a scan is its statements alone.

    A connection the server dropped fails the scans read with it and leaves the pool (``_rows`` invalidates it on the
    error). Every connection stays open (no overflow): one opened per burst and closed after it would cost PostgreSQL a
    new backend, and its statements their planning, again and again. Each statement is planned once per connection
    (``plan_cache_mode``): PostgreSQL would otherwise plan ``records_of`` again for every number of scans it reads.
    A statement is cancelled after ``SCAN_TIMEOUT``: the worker's scans wait behind it, so one stuck fails rather
    than holding them all.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return make_engine(url)
    ours = f"-c plan_cache_mode=force_generic_plan -c statement_timeout={SCAN_TIMEOUT}"
    options = " ".join(filter(None, (str(parsed.query.get("options", "")), ours)))
    return create_engine(
        parsed.update_query_dict({"options": options}),
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
        pool_size=SCAN_CONNECTIONS,
        max_overflow=0,
    )


SCAN_CONNECTIONS = 16
"""Per worker: the most connections scans hold at once (two workers on PostgreSQL's default 100)."""

SCAN_TIMEOUT = "5s"
"""The longest a scan's statement may run: a cold read of a million certificates' rows takes tens of milliseconds."""


def records(db: Connection | Session, key_id: str, certificate_id: uuid.UUID) -> list[Any]:
    """One indexed query: the key, the certificate (its face as JSON text), its newest version, its tasks' states and
    holdings (a row per task), as rows with the columns' names.

    The key drives the join, so an unknown key finds no row and an unknown certificate a row without one.
    """
    return _rows(db, _RECORDS, {"kid": key_id, "id": certificate_id})


def records_of(db: Connection, asked: Sequence[tuple[str, uuid.UUID]]) -> list[list[Any]]:
    """``records`` for each (key id, certificate id) asked, in order: on PostgreSQL in one statement for them all."""
    if db.dialect.name != "postgresql" or not asked:
        return [records(db, key_id, certificate_id) for key_id, certificate_id in asked]
    kids, ids = zip(*asked, strict=True)
    each: list[list[Any]] = [[] for _ in asked]
    for row in _rows(db, _GATHERED, {"kids": list(kids), "ids": list(ids)}):
        if row.public_key is not None:  # as ``records``: an unknown key, no row
            each[row.n - 1].append(row)
    return each


def _rows(db: Connection | Session, statement: Select[Any], params: dict[str, Any]) -> list[Any]:
    """``statement``'s rows; on a scan's own connection to PostgreSQL through psycopg directly, prepared on the server.

    SQLAlchemy's execution around one fixed statement cost more CPU than psycopg's own, and a statement prepared
    once per connection is not planned again on every scan. Its cursor is kept with the connection (the pool's
    record of it, cleared when the connection is dropped) and makes its rows with one tuple class made once.
    """
    if isinstance(db, Session) or db.dialect.name != "postgresql":
        return list(db.execute(statement, params).all())
    sql, constants, make = _compiled(db.dialect, statement)
    try:
        cursor = db.connection.info.get(statement)
        if cursor is None:
            cursor = db.connection.info[statement] = db.connection.driver_connection.cursor(row_factory=lambda _: make)  # type: ignore[union-attr]
        rows: list[Any] = cursor.execute(sql, constants | params, prepare=True).fetchall()
        return rows
    except psycopg.OperationalError:
        db.invalidate()  # a connection the server dropped leaves the pool, as SQLAlchemy's own execution would see to
        raise


@cache
def _compiled(dialect: Dialect, statement: Select[Any]) -> tuple[str, dict[str, Any], Callable[[Sequence[Any]], Any]]:
    """``statement`` as the driver's SQL text, its parameters (those it fixes, e.g. the open statuses, with their values),
    and what makes a row of its columns, named as SQLAlchemy's rows would be."""
    compiled = statement.compile(dialect=dialect)
    row = namedtuple("row", list(statement.selected_columns.keys()))  # type: ignore[misc]
    return str(compiled), dict(compiled.params), row._make


def _records(gathered: bool) -> Select[Any]:
    """The statement of ``records``, or (``gathered``) of ``records_of``: the same columns, each row led by the number
    of the scan it answers, for the (key id, certificate id) pairs in two arrays."""
    key, certificate, task, held, request = (
        inspect(model).local_table for model in (CertificateKey, Certificate, PermitTask, PermitHolding, LifecycleRequest)
    )
    later = certificate.alias("later")
    newest = select(func.max(later.c.version)).where(later.c.application_id == certificate.c.application_id).scalar_subquery()
    renewal_open = exists(_open_extensions(request).where(request.c.origin_id == certificate.c.application_id))
    if gathered:
        kids, ids = bindparam("kids", type_=ARRAY(key.c.key_id.type)), bindparam("ids", type_=ARRAY(certificate.c.id.type))
        asked = func.unnest(kids, ids).table_valued("kid", "id", with_ordinality="n").render_derived()
        driving = asked.outerjoin(key, key.c.key_id == asked.c.kid).outerjoin(certificate, certificate.c.id == asked.c.id)
        lead: tuple[Any, ...] = (asked.c.n,)
    else:
        driving = key.outerjoin(certificate, certificate.c.id == bindparam("id", type_=certificate.c.id.type))
        lead = ()
    joined = driving.outerjoin(task, task.c.application_id == certificate.c.application_id).outerjoin(
        held, (held.c.application_id == task.c.application_id) & (held.c.permit == task.c.permit)
    )
    # the face as its text: the driver would parse the JSON once per task row, and a remembered scan needs none of it
    face = cast(certificate.c.face, Text).label("face")
    statement = select(
        *lead,
        key.c.public_key,
        key.c.retired_at,
        face,
        certificate.c.version,
        certificate.c.list_index,
        certificate.c.status_revision,
        certificate.c.application_id,
        newest.label("newest"),
        renewal_open.label("renewal_open"),
        task.c.permit,
        task.c.status,
        held.c.status.label("held_status"),
        held.c.valid_to.label("held_valid_to"),
        held.c.suspended_until.label("held_suspended_until"),
    ).select_from(joined)
    return statement if gathered else statement.where(key.c.key_id == bindparam("kid"))


def _open_extensions(request: FromClause) -> Select[Any]:
    """Extension applications about a certificate still being handled (their permits show 延续中).

    The open statuses as plain parameters rather than an expanding IN, which SQLAlchemy would re-render on every scan.
    """
    application = inspect(Application).local_table
    return (
        select(request.c.permits, application.c.submitted_at)
        .join(application, application.c.id == request.c.application_id)
        .where(request.c.kind == LifecycleKind.extension.value, application.c.status.in_([literal(s) for s in OPEN]))
    )


_RECORDS = _records(gathered=False)
_GATHERED = _records(gathered=True)


def _renewing(db: Connection | Session, origin_id: uuid.UUID) -> dict[str, date]:
    """The permits an open extension application names, each with the day it was applied for (asked only when the
    scan's row says there is one)."""
    request = inspect(LifecycleRequest).local_table
    rows = db.execute(_open_extensions(request).where(request.c.origin_id == origin_id))
    return {permit: beijing_date(submitted) for permits, submitted in rows for permit in permits}


@dataclass(frozen=True)
class Standing:
    """A certificate version as the records have it now: its face, derived status, live terms, and what replaced it."""

    face: CertificateFace
    status: Status
    live: Live
    superseded_by: int | None
    list_index: int | None

    @classmethod
    def of(cls, opens: Callable[[], AbstractContextManager[Connection | Session]], rows: list[Any], today: date) -> Standing:
        """From the rows of ``records`` for an existing certificate, and what more it must read through ``opens``."""
        first = rows[0]
        face = CertificateFace.model_validate_json(first.face, context=STORED)
        recorded = {row.permit: RECORDED.get(row.status, ItemState.withdrawn) for row in rows if row.permit is not None}
        held = {
            row.permit: Held(row.held_status, row.held_valid_to, row.held_suspended_until)
            for row in rows
            if row.held_status is not None
        }
        missing = {p.permit for p in face.permits} - recorded.keys()
        renewing: dict[str, date] = {}
        if missing or first.renewal_open:
            with opens() as db:
                if missing:  # a permit a change added has no task on this application: its holding is its record
                    added = added_held(db, first.application_id, missing)
                    held |= added
                    recorded |= with_added({}, added)
                if first.renewal_open:
                    renewing = _renewing(db, first.application_id)
        live = live_from(recorded, held, renewing, today)
        superseded_by = first.newest if first.newest != face.version else None
        status = derive(face, live.states, superseded=superseded_by is not None, today=today, terms=live.terms)
        return cls(face, status, live, superseded_by, first.list_index)


def _shape(standing: Standing, key_id: str) -> VerifyOut:
    face, status, superseded_by = standing.face, standing.status, standing.superseded_by
    shown = superseded_by is None
    items = {i.permit: i for i in status.items}
    return VerifyOut(
        authentic=True,
        key_id=key_id,
        issuer=face.issuer,
        title=face.title,
        number=face.number,
        version=face.version,
        state=status.state.value,
        state_label=status.label,
        holder=face.holder if shown else None,
        uscc=face.uscc if shown else None,
        legal_representative=face.legal_representative if shown else None,
        address=face.address if shown else None,
        industry=face.industry if shown else None,
        issued_on=face.issued_on,
        permits=[
            ItemOut(
                permit=p.permit,
                name=p.name,
                number=p.number,
                department_name=p.department_name,
                valid_from=p.valid_from,
                valid_to=standing.live.terms.get(p.permit, p.valid_to),
                on_commitment=p.on_commitment,
                state=items[p.permit].state.value,
                state_label=items[p.permit].label,
            )
            for p in face.permits
        ]
        if shown
        else [],
        not_licensed=[NotLicensedOut(name=n.name, department_name=n.department_name, reason=n.reason) for n in face.not_licensed]
        if shown
        else [],
        superseded_by_version=superseded_by,
        void_because=status.void_because,
        status_list_index=standing.list_index,
        checked_at=utcnow(),
    )
