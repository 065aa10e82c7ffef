"""The coverage table: each published item → the pack entity that models it, or the reason it is absent."""

from __future__ import annotations

from pathlib import Path

from rules import coverage, packs

CATALOGUE = """
permits:
  - {id: food_business, name_zh: 食品经营许可}
  - {id: drug_retail, name_zh: 药品经营许可(零售)}
  - {id: pet_grooming, name_zh: 宠物美容许可}
materials:
  - {dedupe_key: business_license, name_zh: 营业执照}
  - {dedupe_key: application_form, name_zh: 申请表}
industries:
  - id: swimming_venue
    name_zh: 游泳馆
    permits: [{permit: high_risk_sports, when: always}, {permit: pet_grooming, when: always}]
"""


def test_each_item_is_mapped_through_its_alias_or_explained_and_gaps_are_named(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalog-draft.yaml"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    text = coverage.table(catalogue)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert "| beijing, beijing-dongcheng, cn, hunan, shanghai-pudong: food_business |" in rows["food_business"]
    assert rows["drug_retail"].endswith(": drug_retail_license |")
    assert rows["pet_grooming"].endswith(f"| {coverage.UNEXPLAINED} |")
    assert "统一申请表" in rows["application_form"]
    assert "| swimming_venue | 游泳馆 | beijing-dongcheng: swimming_pool |" in text
    assert "| swimming_venue | pet_grooming（always） | 未说明 |" in text
    assert text.endswith("未说明的缺口：2\n")  # the permit itself and the bundle item


def test_the_committed_table_has_no_unexplained_gap() -> None:
    committed = (packs.PACKS_DIR / "COVERAGE.md").read_text(encoding="utf-8")
    assert committed.endswith("未说明的缺口：0\n")
    assert f"| {coverage.UNEXPLAINED} |" not in committed
    assert "| liquor_retail_shanghai | " in committed
