"""The OpenAPI document names things as a generated client needs: an installable title, short operation ids."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_a_generated_client_gets_a_package_name_and_short_method_names(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert re.fullmatch(r"[a-z][a-z0-9-]*", doc["info"]["title"])  # yiye → the package yiye-client
    assert doc["info"]["description"].startswith("yiye 一业一证")
    ids = {(method, path): op["operationId"] for path, ops in doc["paths"].items() for method, op in ops.items()}
    assert ids[("post", "/api/v1/compose")] == "compose"
    assert ids[("post", "/api/v1/questions")] == "questions"
    assert ids[("get", "/api/v1/packs/{pack_id}/industries")] == "list_industries"
    assert len(set(ids.values())) == len(ids)
