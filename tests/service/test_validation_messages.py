"""What a client reads when its request does not fit: Chinese only, each field named one way, the schema as the code."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli_serve import main

BAD = {
    "not an object": [1, 2],
    "industries not a list": {"industries": "shop"},
    "an industry not a string": {"industries": ["shop", 7]},
    "too many industries": {"industries": [f"i{n}" for n in range(21)]},
    "a pack id too long": {"pack": "p" * 65, "industries": ["shop"]},
    "an unknown field": {"industries": ["shop"], "colour": "red"},
    "an unknown locale": {"industries": ["shop"], "locale": "fr"},
    "an answer of no kind": {"industries": ["shop"], "answers": {"area_m2": [80]}},
    "answers not an object": {"industries": ["shop"], "answers": ["area_m2"]},
    "a commitment not a string": {"industries": ["shop"], "commit": ["food_business", {"id": 1}]},
    "a date that is a number": {"industries": ["shop"], "as_of": 0},
    "a date that is a word": {"industries": ["shop"], "as_of": "tomorrow"},
    "a date with a time": {"industries": ["shop"], "as_of": "2026-11-26T08:00:00"},
    "a date in the wrong order": {"industries": ["shop"], "as_of": "26-11-2026"},
}
ENGLISH = re.compile(r"\b(?:Input|should|valid|Field|required|characters|items|permitted|Extra|error|decode|Expecting)\b")


def _problems(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    errors: list[dict[str, str]] = response.json()["errors"]
    return errors


@pytest.mark.parametrize("path", ["/api/v1/compose", "/api/v1/questions"])
@pytest.mark.parametrize("body", list(BAD.values()), ids=list(BAD))
def test_every_validation_message_is_chinese_only(client: TestClient, path: str, body: object) -> None:
    for problem in _problems(client.post(path, json=body)):
        assert re.search(r"[\u4e00-\u9fff]", problem["message"]), problem
        assert not ENGLISH.search(problem["message"]), problem
        assert "(" not in problem["message"], problem  # nothing of pydantic's own text appended


@pytest.mark.parametrize(
    ("body", "where", "code", "message"),
    [
        (BAD["an industry not a string"], "industries[1]", "string_type", "应为字符串"),
        (BAD["too many industries"], "industries", "too_long", "最多 20 项"),
        (BAD["a pack id too long"], "pack", "string_too_long", "最多 64 个字符"),
        (BAD["an unknown locale"], "locale", "literal_error", "应为 'zh' 或 'en' 之一"),
        (BAD["a commitment not a string"], "commit[1]", "string_type", "应为字符串"),
        (BAD["an answer of no kind"], "answers.area_m2", "wrong_type", "应为 true/false、整数、数字、字符串或字符串列表"),
        (BAD["a date that is a number"], "as_of", "date_parsing", "应为日期，如 2026-11-26"),
    ],
)
def test_each_problem_names_its_field_one_way(client: TestClient, body: object, where: str, code: str, message: str) -> None:
    assert _problems(client.post("/api/v1/compose", json=body)) == [
        {"code": code, "message": message, "where": where, "subject": _subject(body, where)}
    ]


def _subject(body: Any, where: str) -> str:
    value = body
    for part in re.findall(r"[^.\[\]]+", where):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return "" if isinstance(value, dict | list) else str(value)


@pytest.mark.parametrize("as_of", ["0", "1700000000", "2026-11-26T00:00:00", "20261126"])
def test_a_catalogue_date_is_a_date_too(client: TestClient, as_of: str) -> None:
    (problem,) = _problems(client.get("/api/v1/packs/mini/industries", params={"as_of": as_of}))
    assert problem["code"].startswith("date_")
    assert (problem["message"], problem["where"]) == ("应为日期，如 2026-11-26", "query.as_of")
    assert client.get("/api/v1/packs/mini/industries", params={"as_of": "2026-11-26"}).status_code == 200


def test_the_schema_says_a_date_is_a_date_and_the_api_holds_to_it(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["ComposeRequest"]["properties"]["as_of"]["anyOf"][0] == {"type": "string", "format": "date"}
    assert client.post("/api/v1/compose", json={"industries": ["shop"], "as_of": "2026-11-26"}).status_code == 200


@pytest.mark.parametrize(
    ("body", "accepted"),
    [
        ({}, False),
        ({"industries": []}, False),
        ({"industries": [], "scope": []}, False),
        ({"industries": ["shop"]}, True),
        ({"scope": ["food_sales"]}, True),
        ({"industries": [], "scope": ["food_sales"]}, True),
    ],
)
def test_the_schema_and_the_api_agree_that_a_request_names_an_industry_or_a_scope_item(
    client: TestClient, body: dict[str, Any], accepted: bool
) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ComposeRequest"]
    by_schema = any(
        all(key in body and len(body[key]) >= rule["properties"][key]["minItems"] for key in rule["required"])
        for rule in schema["anyOf"]
    )
    response = client.post("/api/v1/compose", json=body)
    assert by_schema is accepted
    assert (response.status_code == 200) is accepted, response.text
    if not accepted:
        assert [p["code"] for p in response.json()["errors"]] == ["nothing_chosen"]


def test_serve_refuses_demo_data_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIYE_ENV", "production")
    monkeypatch.setenv("YIYE_SECRET_KEY", "a-production-secret-0123456789")
    monkeypatch.setenv("YIYE_COOKIE_SECURE", "true")
    database = tmp_path / "live.db"
    with socket.socket() as taken:  # were it not refused, serving would stop here rather than run on
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(main, ["serve", "--demo", "--port", port, "--database-url", f"sqlite:///{database}"])
    assert result.exit_code == 2
    assert "生产环境（YIYE_ENV=production）不能使用 --demo" in result.output
    assert not database.exists()  # refused before anything was written
