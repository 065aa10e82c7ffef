"""POST /api/v1/compose and /questions: the full composition, deterministic, hashed, logged, cached."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.errors import PackError
from service.app import create_app
from service.models import StoredComposition
from tests.service.svcutil import all_rows, make_settings

SHOP = {"pack": "mini", "as_of": "2026-11-26", "industries": ["shop"], "answers": {"sells_tobacco": True}}
SHOP_COMPLETE = {
    "pack": "mini",
    "as_of": "2026-11-26",
    "industries": ["shop"],
    "answers": {"sells_tobacco": True, "area_m2": 60, "public_assembly": False, "food_prep": False},
}


def test_compose_returns_the_full_composition_with_its_pack_version(client: TestClient) -> None:
    response = client.post("/api/v1/compose", json=SHOP)
    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["permits"]] == ["food_business", "tobacco"]
    assert body["pack"]["id"] == "mini"
    assert body["pack"]["as_of"] == "2026-11-26"
    assert response.headers["X-Pack-Version"] == body["pack"]["version"]
    assert response.headers["X-Pack-Version"] == client.get("/api/v1/packs/mini").json()["version"]
    for part in ("form", "materials", "notice", "savings", "reasons", "questions", "commitments"):
        assert part in body
    assert {m["key"] for m in body["materials"]} >= {"business_license", "floor_plan"}


def test_output_hash_header_is_the_sha256_of_the_body(client: TestClient) -> None:
    response = client.post("/api/v1/compose", json=SHOP)
    assert response.headers["X-Output-SHA256"] == hashlib.sha256(response.content).hexdigest()


def test_same_request_gives_the_same_bytes_and_the_repeat_is_cached(client: TestClient) -> None:
    first = client.post("/api/v1/compose", json=SHOP)
    second = client.post("/api/v1/compose", json=SHOP)
    assert first.content == second.content
    assert first.headers["X-Cache"] == "miss"
    assert second.headers["X-Cache"] == "hit"


def test_a_fresh_app_composes_the_same_bytes(sqlite_url: str, client: TestClient) -> None:
    first = client.post("/api/v1/compose", json=SHOP)
    with TestClient(create_app(make_settings(sqlite_url, compose_cache_mb=0))) as other:
        second = other.post("/api/v1/compose", json=SHOP)
    assert second.headers["X-Cache"] == "miss"
    assert first.content == second.content


def test_as_of_defaults_to_today_in_beijing(client: TestClient) -> None:
    body = client.post("/api/v1/compose", json={"pack": "mini", "industries": ["shop"]}).json()
    assert body["pack"]["as_of"] == datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_english_composition(client: TestClient) -> None:
    body = client.post("/api/v1/compose", json={**SHOP, "locale": "en"}).json()
    assert [p["name"] for p in body["permits"]] == ["Food business license", "Tobacco retail license"]


def test_choosing_a_commitment_changes_materials_and_time_limits(client: TestClient) -> None:
    plain = client.post("/api/v1/compose", json=SHOP_COMPLETE).json()
    committed = client.post("/api/v1/compose", json={**SHOP_COMPLETE, "commit": ["food_business"]}).json()
    assert plain["commitments"] == []
    assert [c["permit"] for c in committed["commitments"]] == ["food_business"]
    floor_plan = {m["key"]: m["status"] for m in committed["materials"]}["floor_plan"]
    assert floor_plan == "deferred"
    food = {p["id"]: p for p in committed["permits"]}["food_business"]
    assert food["commitment"]["chosen"] is True


def test_input_problems_are_a_422_listing_every_one(client: TestClient) -> None:
    response = client.post(
        "/api/v1/compose",
        json={"pack": "mini", "industries": ["noodle_bar"], "answers": {"area_m2": -5, "favourite_colour": "red"}},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {(e["code"], e["where"]) for e in errors} == {
        ("unknown_industry", "industries[0]"),
        ("out_of_range", "answers.area_m2"),
        ("unknown_question", "answers.favourite_colour"),
    }
    assert all(set(e) == {"code", "message", "where", "subject"} for e in errors)


def test_commitment_on_an_ineligible_permit_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/compose", json={**SHOP_COMPLETE, "commit": ["tobacco"]})
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["not_eligible_for_commitment"]


def test_unknown_pack_in_the_body_is_a_422_on_the_pack_field(client: TestClient) -> None:
    response = client.post("/api/v1/compose", json={"pack": "nowhere", "industries": ["shop"]})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"code": "unknown_pack", "message": "没有名为 'nowhere' 的规则包", "where": "pack", "subject": "nowhere"}
    ]


@pytest.mark.parametrize(
    ("body", "code", "where"),
    [
        ({"pack": "mini", "industries": ["shop"], "colour": "red"}, "extra_forbidden", "colour"),
        ({"pack": "mini", "industries": "shop"}, "list_type", "industries"),
        ({"pack": "mini", "as_of": "someday"}, "date_from_datetime_parsing", "as_of"),
        ({"pack": "mini", "locale": "fr"}, "literal_error", "locale"),
        ({"pack": "mini", "industries": ["x"] * 21}, "too_long", "industries"),
        ([1, 2, 3], "model_attributes_type", "body"),
    ],
)
def test_schema_violations_are_a_422_naming_the_field(client: TestClient, body: object, code: str, where: str) -> None:
    response = client.post("/api/v1/compose", json=body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert (code, where) in {(e["code"], e["where"]) for e in errors}


def test_malformed_json_is_a_422(client: TestClient) -> None:
    response = client.post("/api/v1/compose", content=b'{"pack": "mini",', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "json_invalid"


_AS_SENT = [
    (b"", {"Content-Type": "application/json"}),
    (b"", {}),
    (json.dumps(SHOP).encode(), {}),
    (json.dumps(SHOP).encode(), {"Content-Type": "text/plain"}),
    (json.dumps(SHOP).encode(), {"Content-Type": "application/vnd.yiye+json; charset=utf-8"}),
    (json.dumps(SHOP).encode(), {"Content-Type": "application/x-www-form-urlencoded"}),
    (b'{"pack": "mini",', {"Content-Type": "application/json"}),
    (b"[1, 2, 3]", {"Content-Type": "application/json"}),
    (b"null", {"Content-Type": "application/json"}),
    (b"\xff\xfe\x00", {"Content-Type": "application/json"}),
    (b'{"pack": "mini", "industries": "shop", "as_of": "someday", "colour": 1}', {"Content-Type": "application/json"}),
]


@pytest.mark.parametrize(("body", "headers"), _AS_SENT)
def test_compose_reads_its_body_as_fastapi_reads_that_of_questions(
    client: TestClient, body: bytes, headers: dict[str, str]
) -> None:
    # Both routes take the same model as their body: whatever is sent, both take it or refuse it alike.
    by_hand = client.post("/api/v1/compose", content=body, headers=headers)
    by_fastapi = client.post("/api/v1/questions", content=body, headers=headers)
    assert by_hand.status_code == by_fastapi.status_code
    if by_fastapi.status_code != 200:
        assert by_hand.json() == by_fastapi.json()


def test_a_bad_store_flag_and_a_bad_body_are_listed_together(client: TestClient) -> None:
    response = client.post("/api/v1/compose?store=maybe", json={"pack": "mini", "locale": "fr"})
    assert response.status_code == 422
    listed = [(e["code"], e["where"]) for e in response.json()["errors"]]
    assert listed == [("bool_parsing", "query.store"), ("literal_error", "locale")]


@pytest.mark.parametrize(("flag", "stored"), [("true", True), ("1", True), ("yes", True), ("false", False), ("0", False)])
def test_the_store_flag_reads_as_a_boolean(db_client: TestClient, db_url: str, flag: str, stored: bool) -> None:
    response = db_client.post(f"/api/v1/compose?store={flag}", json=SHOP)
    assert response.status_code == 200
    assert ("X-Composition-Id" in response.headers) is stored
    assert [str(row.id) for row in all_rows(db_url, StoredComposition)] == (
        [response.headers["X-Composition-Id"]] if stored else []
    )


def test_oversized_body_is_a_413_before_it_is_read(client: TestClient) -> None:
    big = {"pack": "mini", "industries": ["shop"], "answers": {f"q{i}": "x" * 100 for i in range(1000)}}
    response = client.post("/api/v1/compose", json=big)
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"


def test_oversized_streamed_body_without_length_is_a_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    response = client.post("/api/v1/compose", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"


def test_every_compose_call_logs_one_line_with_version_and_hash(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="yiye.compose")
    response = client.post("/api/v1/compose", json=SHOP)
    client.post("/api/v1/compose", json=SHOP)
    client.post("/api/v1/compose", json={"pack": "mini", "industries": ["noodle_bar"]})
    records = [r for r in caplog.records if r.name == "yiye.compose"]
    assert len(records) == 3
    first, second, refused = records
    assert first.pack_id == "mini"  # type: ignore[attr-defined]
    assert first.pack_version == response.headers["X-Pack-Version"]  # type: ignore[attr-defined]
    assert first.output_sha256 == response.headers["X-Output-SHA256"]  # type: ignore[attr-defined]
    assert (first.cached, second.cached) == (False, True)  # type: ignore[attr-defined]
    assert refused.problems == ["unknown_industry"]  # type: ignore[attr-defined]


def test_log_line_is_one_json_object(client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    response = client.post("/api/v1/compose", json=SHOP)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    compose_lines = [entry for entry in lines if entry["logger"] == "yiye.compose"]
    assert len(compose_lines) == 1
    assert compose_lines[0]["output_sha256"] == response.headers["X-Output-SHA256"]
    assert compose_lines[0]["pack_version"] == response.headers["X-Pack-Version"]


def test_compose_stores_nothing_unless_asked(db_client: TestClient, db_url: str) -> None:
    response = db_client.post("/api/v1/compose", json=SHOP)
    assert response.status_code == 200
    assert "X-Composition-Id" not in response.headers
    assert all_rows(db_url, StoredComposition) == []


def test_stored_composition_can_be_replayed_to_the_same_hash(db_client: TestClient, db_url: str) -> None:
    response = db_client.post("/api/v1/compose", params={"store": "true"}, json={"pack": "mini", "industries": ["shop"]})
    assert response.status_code == 200
    (row,) = all_rows(db_url, StoredComposition)
    assert str(row.id) == response.headers["X-Composition-Id"]
    assert row.pack_id == "mini"
    assert row.pack_version == response.headers["X-Pack-Version"]
    assert row.output_sha256 == response.headers["X-Output-SHA256"]
    assert row.input["as_of"] == response.json()["pack"]["as_of"]  # the date filled in is kept
    replay = db_client.post("/api/v1/compose", json=row.input)
    assert hashlib.sha256(replay.content).hexdigest() == row.output_sha256


def test_refused_compose_stores_nothing(db_client: TestClient, db_url: str) -> None:
    response = db_client.post("/api/v1/compose", params={"store": "true"}, json={"pack": "mini", "industries": ["noodle_bar"]})
    assert response.status_code == 422
    assert all_rows(db_url, StoredComposition) == []


def test_questions_lists_the_open_questions_until_complete(client: TestClient) -> None:
    response = client.post("/api/v1/questions", json={"pack": "mini", "as_of": "2026-11-26", "industries": ["shop"]})
    assert response.status_code == 200
    body = response.json()
    assert response.headers["X-Pack-Version"] == body["pack"]["version"]
    assert body["complete"] is False
    ids = [q["id"] for q in body["questions"]]
    assert ids[0] == "sells_tobacco"
    assert "tobacco" in body["questions"][0]["affects"]
    done = client.post("/api/v1/questions", json=SHOP_COMPLETE).json()
    assert done == {**done, "complete": True, "questions": []}
    assert done["permits"] == ["food_business", "tobacco"]


def test_questions_refuses_bad_input_like_compose(client: TestClient) -> None:
    response = client.post(
        "/api/v1/questions", json={"pack": "mini", "industries": ["shop"], "answers": {"sells_tobacco": "perhaps"}}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["where"] == "answers.sells_tobacco"


# --- packs reloaded: a new version is never answered from the old one's cache ------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_reloaded_pack_never_serves_a_stale_composition(sqlite_url: str, packs_copy: Path) -> None:
    app = create_app(make_settings(sqlite_url, packs_dir=packs_copy))
    with TestClient(app) as client:
        before = client.post("/api/v1/compose", json=SHOP)
        _edit(
            packs_copy / "mini" / "permits.yaml",
            "time_limit: {statutory: {days: 20}, committed: {days: 10}",
            "time_limit: {statutory: {days: 15}, committed: {days: 10}",
        )
        app.state.registry.reload("mini")
        after = client.post("/api/v1/compose", json=SHOP)
    assert after.headers["X-Cache"] == "miss"
    assert after.headers["X-Pack-Version"] != before.headers["X-Pack-Version"]
    food = {p["id"]: p for p in after.json()["permits"]}["food_business"]
    assert food["statutory_limit"]["days"] == 15


def test_a_broken_pack_never_replaces_a_working_one(sqlite_url: str, packs_copy: Path) -> None:
    app = create_app(make_settings(sqlite_url, packs_dir=packs_copy))
    with TestClient(app) as client:
        before = client.post("/api/v1/compose", json=SHOP)
        _edit(packs_copy / "mini" / "permits.yaml", "department: market", "department: nowhere_department")
        with pytest.raises(PackError):
            app.state.registry.reload("mini")
        after = client.post("/api/v1/compose", json=SHOP)
    assert after.status_code == 200
    assert after.content == before.content
    assert "mini" in app.state.registry.failures


def test_packs_are_reloaded_when_their_files_change_if_polling(sqlite_url: str, packs_copy: Path) -> None:
    app = create_app(make_settings(sqlite_url, packs_dir=packs_copy, pack_poll_seconds=0.001))
    with TestClient(app) as client:
        before = client.get("/api/v1/packs/mini").json()["version"]
        _edit(
            packs_copy / "mini" / "catalog.yaml",
            "name: {zh: 便利店, en: Convenience store}",
            "name: {zh: 便利店(24小时), en: Convenience store}",
        )
        import time

        time.sleep(0.01)
        after = client.get("/api/v1/packs/mini/industries").json()
    assert after["pack"]["version"] != before
    assert after["items"][0]["name"] == "便利店(24小时)"


def test_a_request_naming_no_pack_uses_the_configured_default(client: TestClient) -> None:
    response = client.post("/api/v1/compose", json={"industries": ["shop"]})
    assert response.status_code == 200
    assert response.json()["pack"]["id"] == "mini"


def test_a_lone_surrogate_in_the_input_is_a_422_not_a_500(client: TestClient) -> None:
    body = b'{"pack": "mini", "industries": ["shop"], "answers": {"\\ud800": 1}}'
    response = client.post("/api/v1/compose", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "json_invalid"  # refused as it is read: no string holds it


ANSWER_CHOICES = {
    "area_m2": st.integers(min_value=1, max_value=100000),
    "sells_tobacco": st.booleans(),
    "public_assembly": st.sampled_from([True, False, None]),
    "food_prep": st.booleans(),
}


@given(
    industries=st.lists(st.sampled_from(["shop", "hotel"]), min_size=1, max_size=2, unique=True),
    answers=st.fixed_dictionaries({}, optional=ANSWER_CHOICES),
    data=st.data(),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_answer_order_never_changes_the_bytes(
    client: TestClient, industries: list[str], answers: dict[str, object], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(list(answers.items())))
    first = client.post(
        "/api/v1/compose", json={"pack": "mini", "as_of": "2026-11-26", "industries": industries, "answers": answers}
    )
    second = client.post(
        "/api/v1/compose", json={"pack": "mini", "as_of": "2026-11-26", "industries": industries, "answers": dict(shuffled)}
    )
    assert first.status_code == second.status_code
    assert first.content == second.content
    if first.status_code == 200:
        assert second.headers["X-Cache"] == "hit"


def test_the_service_warns_at_start_when_limits_reach_a_year_whose_holidays_are_not_held(
    sqlite_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="yiye.app")
    monkeypatch.setattr("service.app.today", lambda: date(2029, 12, 1))
    with TestClient(create_app(make_settings(sqlite_url))):
        pass
    warned = [r for r in caplog.records if r.getMessage() == "holiday arrangement not held"]
    assert [(r.levelname, r.__dict__["year"]) for r in warned] == [("WARNING", 2030)]
