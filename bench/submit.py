"""Submitting an application with three 1 MB files: p50/p99 in-process (the service call) and over HTTP (``yiye serve``).

    .venv/bin/python bench/submit.py                  # SQLite and PostgreSQL, 60 submissions per mode
    .venv/bin/python bench/submit.py --runs 200 --only sqlite

Each submission sends a real PDF, PNG and JPEG of about 1 MB each (noise, so nothing compresses; each one
made unique by a comment chunk, so the content-addressed store writes every file). The case is the test
suite's on-site shop (``mini`` fixture pack, three materials, three permits).

- in-process: ``service.workflow.submit.submit`` on a fresh draft; baseline in the same run: the three
  files written to the same file store alone (sha256 + fsync) — what a submission cannot do without.
- HTTP: ``yiye serve --workers 2`` on the same database; a signed-in applicant posts the submit page's
  multipart form (CSRF token, Idempotency-Key) and is redirected to the confirmation; the ratio is to
  the in-process p50.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import re
import struct
import sys
import tempfile
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
from PIL import Image
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import p50_p99, report, timed  # noqa: E402
from bench.verify import PACKS, serving_verify  # noqa: E402
from composer import Composer  # noqa: E402
from service import db  # noqa: E402
from service.workflow.roles import Role  # noqa: E402
from service.workflow.storage import LocalFileStore, Upload  # noqa: E402
from service.workflow.submit import submit  # noqa: E402
from tests.service.wfcase import ON_SITE, stored_draft  # noqa: E402
from tests.service.window.deskutil import PASSWORD, account  # noqa: E402

MB = 1024 * 1024
ADMIN = os.environ.get("YIYE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
CSRF = re.compile(r'name="(csrf_token|idempotency_key)" value="([^"]+)"')


def _noise_image(fmt: str, side: int) -> bytes:
    rng = random.Random(side)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return out.getvalue()


def _about_a_megabyte(fmt: str) -> bytes:
    """A noise image of the format whose size is just over 1 MB."""
    side = 560
    while len(data := _noise_image(fmt, side)) < MB:
        side += 16
    return data


class Files:
    """Three ~1 MB files, each made unique per submission by a comment the format allows."""

    def __init__(self) -> None:
        self.png = _about_a_megabyte("PNG")
        self.jpeg = _about_a_megabyte("JPEG")
        body = random.Random(1).randbytes(MB)
        self.pdf_head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        stream = f"2 0 obj\n<< /Length {len(body)} >>\nstream\n".encode()
        self.pdf_tail = stream + body + b"\nendstream\nendobj\ntrailer\n<<>>\n%%EOF\n"

    def for_run(self, n: int) -> list[Upload]:
        note = f"wfbench {n} {uuid.uuid4()}".encode()
        text = b"tEXt" + b"Comment\x00" + note
        chunk = struct.pack(">I", len(text) - 4) + text + struct.pack(">I", zlib.crc32(text))
        png = self.png[:-12] + chunk + self.png[-12:]  # before IEND
        jpeg = self.jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(note) + 2) + note + self.jpeg[2:]  # a COM after SOI
        pdf = self.pdf_head + b"% " + note + b"\n" + self.pdf_tail
        return [
            Upload("floor_plan", "平面图.pdf", pdf),
            Upload("fire_rules", "消防制度.png", png),
            Upload("operation_flow", "操作流程.jpg", jpeg),
        ]


def _database(kind: str, work: Path) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{work / 'yiye.db'}"
    else:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS wfbench_submit")
            admin.execute("CREATE DATABASE wfbench_submit")
        url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/wfbench_submit"
    db.upgrade(url)
    return url


def bench(kind: str, runs: int) -> None:
    composer = Composer.load("mini", PACKS)
    files = Files()
    sizes = ", ".join(f"{u.filename} {len(u.data) / MB:.2f} MB" for u in files.for_run(0))
    with tempfile.TemporaryDirectory(prefix="wfbench-submit-") as tmp:
        work = Path(tmp)
        url = _database(kind, work)
        engine = db.make_engine(url)
        store = LocalFileStore(work / "files")
        with Session(engine, expire_on_commit=False) as session:
            applicant = account(session, Role.applicant)
            drafts = [stored_draft(session, composer, applicant.user, ON_SITE).id for _ in range(2 * runs + 10)]
        print(f"\n{kind}: {runs} submissions per mode, three files each ({sizes})")

        def store_only(n: int) -> None:
            for upload in files.for_run(n):
                store.put(hashlib.sha256(upload.data).hexdigest(), upload.data)

        def in_process(n: int) -> None:
            with Session(engine, expire_on_commit=False) as session:
                submit(
                    session,
                    actor=applicant.user,
                    draft_id=drafts[n],
                    composer=composer,
                    store=store,
                    uploads=files.for_run(n),
                    signed=[],
                )

        stored = timed(store_only, runs)
        baseline = p50_p99(stored)[0]
        report("baseline: the three files stored alone", stored, baseline)
        offset = 5
        timed(in_process, offset)
        service_p50, _ = report("in-process: submit()", timed(lambda n: in_process(n + offset), runs), baseline)
        (work / "bare.json").write_text("{}")  # serving_verify() turns the bench routes on, which want a body
        with serving_verify(url, work, api_key="wfbench-" + uuid.uuid4().hex) as (port, _):
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
            _sign_in(client, applicant.login)
            start = offset + runs
            over_http = _poster(client, drafts[start : start + runs + 5], files)
            timed(over_http, 5)
            seconds = timed(lambda n: over_http(5 + n), runs)
            report("over HTTP: POST the submit form (× in-process)", seconds, service_p50)
        engine.dispose()


def _sign_in(client: httpx.Client, login: str) -> None:
    page = client.get("/sign-in")
    token = dict(CSRF.findall(page.text))["csrf_token"]
    answer = client.post("/sign-in", data={"csrf_token": token, "login": login, "password": PASSWORD, "next": ""})
    assert answer.status_code == 303, answer.text


def _poster(client: httpx.Client, drafts: list[uuid.UUID], files: Files) -> Callable[[int], None]:
    """Post draft ``n``'s submit form; every form's page (its CSRF token and Idempotency-Key) is fetched beforehand."""
    forms = [dict(CSRF.findall(client.get(f"/drafts/{d}/submit").text)) for d in drafts]

    def post(n: int) -> None:
        multipart = [(f"material.{u.material}", (u.filename, u.data)) for u in files.for_run(n)]
        answer = client.post(f"/drafts/{drafts[n]}/submit", data=forms[n], files=multipart)
        if answer.status_code != 303 or "/submitted" not in answer.headers.get("location", ""):
            raise SystemExit(f"submit answered {answer.status_code}: {answer.text[:500]}")

    return post


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    for kind in [args.only] if args.only else ["sqlite", "postgresql"]:
        bench(kind, args.runs)


if __name__ == "__main__":
    main()
