"""The app factory: settings, packs compiled once per process, broken packs left out, OpenAPI complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.app import create_app
from service.settings import DEV_SECRET_KEY, Settings
from tests.service.svcutil import make_settings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="YIYE_SECRET_KEY"):
        Settings(env="production", cookie_secure=True)
    with pytest.raises(ValidationError, match="YIYE_COOKIE_SECURE"):
        Settings(env="production", secret_key="a-real-secret-from-the-vault")
    ok = Settings(env="production", secret_key="a-real-secret-from-the-vault", cookie_secure=True)
    assert ok.secret_key != DEV_SECRET_KEY


def test_settings_come_from_yiye_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("YIYE_DATABASE_URL", "postgresql+psycopg://u@db:5432/yiye")
    monkeypatch.setenv("YIYE_PACKS_DIR", str(tmp_path))
    monkeypatch.setenv("YIYE_WORKERS", "4")
    monkeypatch.setenv("YIYE_RATE_LIMIT_API", "100/second")
    monkeypatch.setenv("YIYE_API_KEYS", '["k1", "k2"]')
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db:5432/yiye"
    assert settings.packs_dir == tmp_path
    assert settings.workers == 4
    assert settings.rate_limit_api == "100/second"
    assert settings.api_keys == ["k1", "k2"]


def test_default_database_is_a_sqlite_file_under_var() -> None:
    url = Settings.model_fields["database_url"].default
    assert url.startswith("sqlite:///")
    assert url.endswith("/var/yiye.db")


def test_packs_are_compiled_once_and_reused_by_every_request(client: TestClient) -> None:
    composer = client.app.state.registry.get("mini")  # type: ignore[attr-defined]
    for _ in range(5):
        client.post("/api/v1/compose", json={"pack": "mini", "industries": ["hotel"], "answers": {"area_m2": 100}})
        client.get("/api/v1/packs/mini/permits")
    assert client.app.state.registry.get("mini") is composer  # type: ignore[attr-defined]


def test_a_broken_pack_at_start_is_left_out_and_the_rest_served(sqlite_url: str, packs_copy: Path) -> None:
    broken = packs_copy / "broken"
    broken.mkdir()
    (broken / "pack.yaml").write_text("id: broken\nname: {zh: 坏的}\n", encoding="utf-8")
    (broken / "permits.yaml").write_text("permits:\n  - id: x\n    name: {zh: 某许可}\n", encoding="utf-8")
    app = create_app(make_settings(sqlite_url, packs_dir=packs_copy))
    with TestClient(app) as client:
        ids = [p["id"] for p in client.get("/api/v1/packs").json()["packs"]]
        assert ids == ["mini", "mini-child"]
        unavailable = client.get("/api/v1/packs/broken")  # it exists, so not a 404, but cannot be served
        assert (unavailable.status_code, unavailable.json()["errors"][0]["code"]) == (503, "pack_unavailable")
        assert client.post("/api/v1/compose", json={"pack": "mini", "industries": ["shop"]}).status_code == 200
    assert "broken" in app.state.registry.failures


def test_an_empty_packs_dir_still_starts(sqlite_url: str, tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(sqlite_url, packs_dir=tmp_path))) as client:
        assert client.get("/api/v1/packs").json() == {"default": "mini", "packs": []}
        response = client.post("/api/v1/compose", json={"pack": "mini"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["code"] == "unknown_pack"


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_openapi_declares_the_errors_each_api_route_can_return(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for method, path, op in _operations(schema):
        codes = set(op["responses"])
        if path.startswith("/api/v1"):
            assert {"422", "429"} <= codes, (method, path)
            if "{pack_id}" in path:
                assert "404" in codes, (method, path)
            if method == "POST":
                assert "413" in codes, (method, path)
        elif method == "POST":
            assert {"403", "413"} <= codes, (method, path)
        assert op.get("description") or op.get("summary"), (method, path)


def test_openapi_has_an_example_on_every_model(client: TestClient) -> None:
    components = client.get("/openapi.json").json()["components"]["schemas"]
    missing = [name for name, schema in components.items() if not schema.get("examples")]
    assert missing == []
    assert components["Composition"]["examples"][0]["pack"]["id"] == "mini"


def test_docs_page_is_served(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()
