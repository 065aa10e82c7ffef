"""GET /api/v1/packs…: the rule packs and their catalogue, in Chinese or English, with their version."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient


def _error_codes(response: httpx.Response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def test_list_packs_names_each_loaded_pack_and_the_default(client: TestClient) -> None:
    response = client.get("/api/v1/packs")
    assert response.status_code == 200
    body = response.json()
    assert body["default"] == "mini"
    by_id = {p["id"]: p for p in body["packs"]}
    assert set(by_id) == {"mini", "mini-child"}
    assert by_id["mini"]["default"] is True
    assert by_id["mini-child"]["chain"] == ["mini", "mini-child"]
    assert by_id["mini"]["counts"]["permits"] == 4
    assert by_id["mini-child"]["counts"]["permits"] == 3  # tobacco withdrawn
    assert len(by_id["mini"]["version"]) == 16


def test_read_pack_echoes_its_version_in_a_header(client: TestClient) -> None:
    response = client.get("/api/v1/packs/mini")
    assert response.status_code == 200
    body = response.json()
    assert response.headers["X-Pack-Version"] == body["version"]
    assert {d["id"] for d in body["departments"]} == {"market", "fire", "police"}
    assert body["name"] == "测试规则包"


def test_read_pack_in_english(client: TestClient) -> None:
    body = client.get("/api/v1/packs/mini", params={"locale": "en"}).json()
    assert body["name"] == "Test pack"
    assert "District Fire and Rescue Detachment" in {d["name"] for d in body["departments"]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/packs/nowhere",
        "/api/v1/packs/nowhere/industries",
        "/api/v1/packs/nowhere/scope-items",
        "/api/v1/packs/nowhere/permits",
        "/api/v1/packs/nowhere/permits/food_business",
        "/api/v1/packs/nowhere/materials",
    ],
)
def test_unknown_pack_is_a_404_naming_it(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {
        "errors": [
            {"code": "unknown_pack", "message": "没有名为 'nowhere' 的规则包", "where": "path.pack_id", "subject": "nowhere"}
        ]
    }


def test_industries_list_scope_and_search_by_name_or_keyword(client: TestClient) -> None:
    everything = client.get("/api/v1/packs/mini/industries").json()
    assert everything["pack"]["id"] == "mini"
    assert everything["count"] == 2
    assert {i["id"]: i["scope"] for i in everything["items"]} == {"shop": ["food_sales"], "hotel": ["lodging"]}

    found = client.get("/api/v1/packs/mini/industries", params={"q": "便利"}).json()
    assert [i["id"] for i in found["items"]] == ["shop"]
    found = client.get("/api/v1/packs/mini/industries", params={"q": "HOTEL"}).json()
    assert [i["id"] for i in found["items"]] == ["hotel"]
    assert client.get("/api/v1/packs/mini/industries", params={"q": "潜水"}).json()["count"] == 0


def test_industries_in_english(client: TestClient) -> None:
    items = client.get("/api/v1/packs/mini/industries", params={"locale": "en"}).json()["items"]
    assert [i["name"] for i in items] == ["Convenience store", "Hotel"]


def test_scope_items_with_the_answers_they_imply(client: TestClient) -> None:
    body = client.get("/api/v1/packs/mini/scope-items").json()
    assert {s["id"]: s["implies"] for s in body["items"]} == {"food_sales": {}, "lodging": {"public_assembly": True}}
    assert [s["id"] for s in client.get("/api/v1/packs/mini/scope-items", params={"q": "住宿"}).json()["items"]] == ["lodging"]


def test_permits_list_says_who_decides_and_whether_commitment_is_possible(client: TestClient) -> None:
    body = client.get("/api/v1/packs/mini/permits").json()
    by_id = {p["id"]: p for p in body["items"]}
    assert list(by_id) == ["food_business", "tobacco", "fire_check", "hotel_trade"]
    assert by_id["hotel_trade"]["department_name"] == "区公安分局"
    assert by_id["hotel_trade"]["mergeable"] is False
    assert by_id["food_business"]["notify_commit"] is True
    assert by_id["hotel_trade"]["notify_commit"] is False
    assert by_id["fire_check"]["kind"] == "inspection"


def test_permit_detail_carries_the_notice_details(client: TestClient) -> None:
    response = client.get("/api/v1/packs/mini/permits/food_business")
    assert response.status_code == 200
    p = response.json()
    assert p["department"] == "market"
    assert p["legal_basis"] == ["《食品安全法》第三十五条"]
    assert p["statutory_limit"] == {"days": 20, "unit": "working"}
    assert p["committed_limit"] == {"days": 10, "unit": "working"}
    assert p["validity_years"] == 5
    assert p["inspection"] is True
    assert p["applies_when"] == {"scope": "food_sales"}
    nc = p["notify_commit_detail"]
    assert nc["available"] is True
    assert nc["conditional"] is True
    assert nc["follow_up"] == {"text": "许可后现场核查", "within": {"days": 30, "unit": "working"}}
    assert nc["deferred_materials"] == ["floor_plan"]
    assert [(c["id"], c["kind"], c["conditional"]) for c in p["conditions"]] == [
        ("manager", "personnel", False),
        ("process", "management", True),
    ]
    assert p["conditions"][1]["materials"][0]["key"] == "operation_flow"
    assert [(m["key"], m["variant_name"]) for m in p["materials"]] == [("business_license", None), ("floor_plan", "食品设备布局")]


def test_permit_detail_names_dependencies_and_why_no_commitment(client: TestClient) -> None:
    p = client.get("/api/v1/packs/mini/permits/hotel_trade").json()
    assert p["depends_on"] == [
        {"permit": "fire_check", "name": "公众聚集场所消防安全检查", "uses": "fire_opinion", "uses_name": "消防安全检查意见书"}
    ]
    assert p["notify_commit_detail"]["available"] is False
    assert p["notify_commit_detail"]["risk_categories"] == ["public_safety"]
    assert p["statutory_limit"]["unit"] == "working"
    tobacco = client.get("/api/v1/packs/mini/permits/tobacco").json()
    assert tobacco["statutory_limit"] == {"days": 20, "unit": "calendar"}
    assert tobacco["notify_commit_detail"]["reason"] == "须现场核查布局"


def test_child_pack_shows_its_overrides(client: TestClient) -> None:
    p = client.get("/api/v1/packs/mini-child/permits/food_business").json()
    assert p["statutory_limit"] == {"days": 10, "unit": "working"}
    response = client.get("/api/v1/packs/mini-child/permits/tobacco")
    assert response.status_code == 404


def test_unknown_permit_is_a_404_naming_it(client: TestClient) -> None:
    response = client.get("/api/v1/packs/mini/permits/space_travel")
    assert response.status_code == 404
    assert response.json()["errors"] == [
        {
            "code": "unknown_permit",
            "message": "没有编号为 'space_travel' 的许可事项",
            "where": "path.permit_id",
            "subject": "space_travel",
        }
    ]


def test_materials_registry_with_variants_and_exemptions(client: TestClient) -> None:
    body = client.get("/api/v1/packs/mini/materials").json()
    by_key = {m["key"]: m for m in body["items"]}
    assert [v["id"] for v in by_key["floor_plan"]["variants"]] == ["food_layout", "fire_facilities"]
    assert by_key["business_license"]["government_holds"] is True
    assert by_key["fire_opinion"]["produced_by"] == "fire_check"
    assert [m["key"] for m in client.get("/api/v1/packs/mini/materials", params={"q": "平面"}).json()["items"]] == ["floor_plan"]


@pytest.mark.parametrize(
    ("params", "where", "code"),
    [
        ({"locale": "fr"}, "query.locale", "literal_error"),
        ({"q": "x" * 51}, "query.q", "string_too_long"),
        ({"as_of": "yesterday"}, "query.as_of", "date_from_datetime_parsing"),
    ],
)
def test_bad_query_parameters_are_422_naming_the_parameter(
    client: TestClient, params: dict[str, str], where: str, code: str
) -> None:
    response = client.get("/api/v1/packs/mini/industries", params=params)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["where"] == where
    assert error["code"] == code


def test_as_of_keeps_only_entries_in_effect(client: TestClient) -> None:
    # The mini pack has no effective periods: every entry is in effect on any date.
    assert client.get("/api/v1/packs/mini/permits", params={"as_of": "2020-01-01"}).json()["count"] == 4


def test_unknown_api_path_is_a_structured_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_wrong_method_is_a_structured_405(client: TestClient) -> None:
    response = client.delete("/api/v1/packs")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
