"""Small hostile bodies and unexpected errors, through a running ``yiye serve``: never a bare 500, never a dropped connection.

Each request is sent on a keep-alive connection, and the next request on the same connection
must still be answered: a 500 that escaped to uvicorn made it close the connection, and the
client's next request was reset.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.svcutil import FIXTURE_PACKS, serving

DEEP = "[" * 950 + "]" * 950
HUGE = "9" * 320
HOSTILE = {
    "nested 950 deep": DEEP,
    "nested 950 deep in an answer": '{"industries": ["shop"], "answers": {"area_m2": ' + DEEP + "}}",
    "an integer of 320 digits": '{"industries": ["shop"], "answers": {"area_m2": ' + HUGE + "}}",
    "a negative integer of 320 digits": '{"industries": ["shop"], "answers": {"area_m2": -' + HUGE + "}}",
    "a number past a double": '{"industries": ["shop"], "answers": {"area_m2": 1e400}}',
    "a lone surrogate as an industry": '{"industries": ["\\ud800"]}',
    "a lone surrogate as a pack": '{"pack": "\\ud800", "industries": ["shop"]}',
    "a lone surrogate as an answer": '{"industries": ["shop"], "answers": {"sells_tobacco": "\\ud800"}}',
    "a lone surrogate as a question": '{"industries": ["shop"], "answers": {"\\udc00": true}}',
    "a lone surrogate as a commitment": '{"industries": ["shop"], "commit": ["x\\ud800"]}',
}
GOOD = {"industries": ["shop"], "answers": {"sells_tobacco": True}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A served app whose database was never migrated: storing a composition fails unexpectedly."""
    tmp = tmp_path_factory.mktemp("hostile")
    env = {
        "YIYE_DATABASE_URL": f"sqlite:///{tmp / 'empty.db'}",
        "YIYE_PACKS_DIR": str(FIXTURE_PACKS),
        "YIYE_DEFAULT_PACK": "mini",
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_LOG_JSON": "true",
        # no release table to read either: a release check falling due in the middle of a test's request would log a
        # warning of its own under that request's id
        "YIYE_RELEASE_CHECK_SECONDS": "0",
    }
    log = tmp / "server.log"
    with serving(["--no-migrate"], env, "/api/v1/packs", output=log) as base:
        yield base, log


@pytest.fixture
def client(server: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], limits=httpx.Limits(max_connections=1)) as client:
        yield client


def _local_port(response: httpx.Response) -> int:
    """The client's end of the connection that carried ``response``."""
    return int(response.extensions["network_stream"].get_extra_info("client_addr")[1])


def _next_on_the_same_connection_works(client: httpx.Client, before: httpx.Response) -> None:
    after = client.post("/api/v1/compose", json=GOOD)
    assert after.status_code == 200
    assert _local_port(after) == _local_port(before)


@pytest.mark.parametrize("path", ["/api/v1/compose", "/api/v1/questions"])
@pytest.mark.parametrize("body", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_hostile_body_is_a_422_in_the_error_shape_and_the_connection_lives_on(
    client: httpx.Client, path: str, body: str
) -> None:
    response = client.post(path, content=body.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["code"] == "json_invalid"
    assert error["where"] == "body"
    said = error["message"].replace("answers.area_m2", "")  # the field it names is the one English it may hold
    assert said.startswith("请求体")
    assert not re.search(r"[A-Za-z]{3,}", said)
    _next_on_the_same_connection_works(client, response)


def test_a_number_out_of_range_is_refused_naming_its_field(client: httpx.Client) -> None:
    body = HOSTILE["an integer of 320 digits"].encode()
    response = client.post("/api/v1/compose", content=body, headers={"Content-Type": "application/json"})
    assert response.json()["errors"][0]["message"] == "请求体中 answers.area_m2 的数字超出范围"


def test_an_unexpected_error_is_a_500_in_the_error_shape_with_the_request_id_that_its_log_line_carries(
    client: httpx.Client, server: tuple[str, Path]
) -> None:
    response = client.post("/api/v1/compose?store=true", json=GOOD)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    (error,) = response.json()["errors"]
    assert error["code"] == "internal_error"
    assert error["subject"] == request_id
    assert request_id in error["message"]
    _next_on_the_same_connection_works(client, response)

    logged = [json.loads(line) for line in server[1].read_text().splitlines() if line.startswith("{")]
    told = [entry for entry in logged if entry.get("request_id") == request_id]
    assert [entry["event"] for entry in told] == ["compose", "unexpected error"]  # every line of the request carries it
    line = told[-1]
    assert line["level"] == "error"
    assert "no such table" in line["exc"]
    assert "Exception in ASGI application" not in server[1].read_text()


def test_a_page_that_fails_unexpectedly_is_the_chinese_error_page_with_the_request_id(server: tuple[str, Path]) -> None:
    response = httpx.get(f"{server[0]}/sign-in")  # its session cannot be stored: the tables were never made
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "服务器内部出错" in response.text
    assert f"<code>{response.headers['x-request-id']}</code>" in response.text


@pytest.mark.parametrize("sent", ["3f2a9c0d-1b7e-4a65-9a0b-6c1d2e3f4a5b", "nginx-7f3a.42", "req:1234"])
def test_a_sane_request_id_from_the_client_is_kept(client: httpx.Client, sent: str, server: tuple[str, Path]) -> None:
    response = client.post("/api/v1/compose?store=true", json=GOOD, headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent
    assert response.json()["errors"][0]["subject"] == sent
    assert f'"request_id":"{sent}"' in server[1].read_text()


@pytest.mark.parametrize("sent", ["", "has spaces", "<script>", "x" * 200, "-leading-dash", "ünïcode".encode()])
def test_any_other_request_id_is_replaced_by_one_of_ours(client: httpx.Client, sent: str | bytes) -> None:
    response = client.get("/api/v1/packs", headers={b"X-Request-ID": sent.encode() if isinstance(sent, str) else sent})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", f"/api/v1/drafts/{uuid.uuid4()}"), ("POST", f"/api/v1/tasks/{uuid.uuid4()}/decision")],
)
def test_every_json_body_route_reads_strictly(client: httpx.Client, method: str, path: str) -> None:
    body = HOSTILE["a lone surrogate as a commitment"].encode()
    response = client.request(method, path, content=body, headers={"Content-Type": "application/json", "If-Match": '"1"'})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == "json_invalid"
    _next_on_the_same_connection_works(client, response)
