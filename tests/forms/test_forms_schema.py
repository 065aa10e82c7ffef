"""JSON Schema (draft 2020-12) of the one form: structure, and sample values checked against it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from composer import Composition
from forms import json_schema, validate
from forms.schema import DIALECT

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - the structural tests still run
    jsonschema_rs = None  # type: ignore[assignment]

needs_validator = pytest.mark.skipif(jsonschema_rs is None, reason="jsonschema_rs is not installed")


def validator(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def test_structure(sample: Composition) -> None:
    schema = json_schema(sample.form)
    assert schema["$schema"] == DIALECT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["title"] == sample.form.title
    ids = [f.id for s in sample.form.sections for f in s.fields] + ["publication_categories", "publication_area"]
    assert list(schema["properties"]) == ids  # each field once, in form order, sheets last
    assert [s["id"] for s in schema["x-sections"]] == [s.id for s in sample.form.sections]
    assert schema["x-sheets"] == [
        {"permit": "publication_retail", "title": "出版物零售业务经营许可申请表",
         "fields": ["applicant_name", "publication_categories", "publication_area"]}
    ]  # fmt: skip
    json.dumps(schema)  # serialisable


def test_properties(sample: Composition) -> None:
    props = json_schema(sample.form)["properties"]
    assert props["applicant_name"] == {
        "title": "申请人名称",
        "type": "string",
        "minLength": 1,
        "maxLength": 100,
        "x-field-type": "text",
        "x-permits": ["food_business", "tobacco_retail", "fire_safety_check", "publication_retail"],
        "x-section": "applicant",
    }
    area = props["premises_area"]
    assert (area["type"], area["minimum"], area["maximum"], area["x-unit"], area["default"]) == ("number", 1, 100000, "㎡", 80)
    assert props["entity_type"]["enum"] == ["individual", "llc", "partnership"]
    assert props["entity_type"]["x-options"][1] == {"const": "llc", "title": "有限责任公司"}
    assert props["opening_date"]["format"] == "date"
    assert props["has_cold_storage"]["type"] == "boolean"
    assert props["school_distance"]["description"] == "按步行最短距离填写"
    assert props["publication_area"]["x-sheet"] == "publication_retail"
    assert "x-section" not in props["publication_area"]
    assert props["uscc"]["pattern"].startswith("^")


def test_required_list(sample: Composition) -> None:
    schema = json_schema(sample.form)
    assert "email" not in schema["required"]
    assert "remarks" not in schema["required"]
    assert {"applicant_name", "uscc", "publication_area"} <= set(schema["required"])
    assert len(schema["required"]) == len(set(schema["required"]))


@needs_validator
def test_schema_is_valid_draft_2020_12(sample: Composition, mini_shop_and_hotel: Composition) -> None:
    for c in (sample, mini_shop_and_hotel):
        validator(json_schema(c.form))  # raises on an invalid schema


@needs_validator
def test_clean_values_validate(sample: Composition, values: dict[str, str]) -> None:
    clean, errors = validate(sample.form, values)
    assert errors == {}
    v = validator(json_schema(sample.form))
    assert v.is_valid(clean), [str(e) for e in v.iter_errors(clean)]


@needs_validator
@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"uscc": "9111000060003734"}, "too short"),
        ({"uscc": "91110000600037341I"}, "letter not in the alphabet"),
        ({"legal_rep_id": "11010519491231002x"}, "lower-case x is not canonical"),
        ({"contact_phone": "138 0013 8000"}, "not canonical"),
        ({"premises_area": 0}, "below minimum"),
        ({"premises_area": "80"}, "a string"),
        ({"entity_type": "partnership-x"}, "not an option"),
        ({"opening_date": "2027/01/05"}, "not ISO"),
        ({"has_cold_storage": "true"}, "not a boolean"),
        ({"applicant_name": "x" * 101}, "too long"),
        ({"applicant_name": ""}, "empty"),
        ({"unknown": 1}, "not a field"),
    ],
)
def test_bad_values_fail(sample: Composition, values: dict[str, str], change: dict[str, Any], why: str) -> None:
    clean, _ = validate(sample.form, values)
    assert not validator(json_schema(sample.form)).is_valid({**clean, **change}), why


@needs_validator
def test_missing_required_fails(sample: Composition, values: dict[str, str]) -> None:
    clean, _ = validate(sample.form, values)
    del clean["uscc"]
    assert not validator(json_schema(sample.form)).is_valid(clean)


@needs_validator
def test_real_composition(mini_shop_and_hotel: Composition) -> None:
    schema = json_schema(mini_shop_and_hotel.form)
    fields = {f.id: f for s in mini_shop_and_hotel.form.sections for f in s.fields}
    fields.update({f.id: f for s in mini_shop_and_hotel.form.sheets for f in s.fields})
    assert set(schema["properties"]) == set(fields)
    sample_values = {
        "applicant_name": "东城宾馆",
        "uscc": "91110000600037341L",
        "premises_area": "500",
        "rooms": "20",
        "food_safety_manager": "王五",
    }
    clean, errors = validate(mini_shop_and_hotel.form, {k: v for k, v in sample_values.items() if k in fields})
    assert errors == {}
    assert validator(schema).is_valid(clean)
