"""The bench-only bare endpoint: absent unless YIYE_BENCH_ROUTES is on, never in the OpenAPI schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from rules.packs import DEFAULT_PACK, PACKS_DIR
from service.app import create_app
from service.settings import Settings
from tests.service.svcutil import make_settings


def test_bench_routes_are_off_by_default(client: TestClient) -> None:
    assert Settings.model_fields["bench_routes"].default is False
    for path in ("/_bench/bare", "/_bench/bare-async"):
        assert client.post(path, json={}).status_code == 404
        assert client.get(path).status_code == 404
    assert not [p for p in client.get("/openapi.json").json()["paths"] if p.startswith("/_bench")]


def test_production_refuses_bench_routes() -> None:
    with pytest.raises(ValidationError, match="YIYE_BENCH_ROUTES"):
        Settings(env="production", secret_key="a-real-secret-from-the-vault", cookie_secure=True, bench_routes=True)


def test_bare_answers_the_precomputed_bytes_and_stays_out_of_the_schema(sqlite_url: str, tmp_path: Path) -> None:
    body = tmp_path / "typical.json"
    body.write_bytes('{"pack":{"id":"mini"},"notice":"告知单"}'.encode())
    app = create_app(make_settings(sqlite_url, bench_routes=True, bench_bare_body=body))
    with TestClient(app) as client:
        for path in ("/_bench/bare", "/_bench/bare-async"):
            for response in (client.post(path, content=b'{"industries": ["hotel"]}'), client.get(path)):
                assert response.status_code == 200
                assert response.headers["content-type"] == "application/json"
                assert response.content == body.read_bytes()
        assert not [p for p in client.get("/openapi.json").json()["paths"] if p.startswith("/_bench")]


def test_bare_without_a_body_file_serves_a_real_composition(sqlite_url: str) -> None:
    app = create_app(make_settings(sqlite_url, bench_routes=True, default_pack=DEFAULT_PACK, packs_dir=PACKS_DIR))
    with TestClient(app) as client:
        response = client.get("/_bench/bare")
        assert response.status_code == 200
        assert response.json()["pack"]["id"] == DEFAULT_PACK
        assert client.get("/_bench/bare-async").content == response.content
