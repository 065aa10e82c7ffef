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


DOMAIN = """
## 3. Industry → permits

| Industry | Permits | Evidence |
|---|---|---|
| **书店** bookstore | 出版物经营许可(零售); 食品经营许可 (cond.: café; snacks); 宠物美容许可 | [S] |

## 4. Permit fact sheets

### 4.8 出版物经营许可(零售) (Publication retail)

| Field | Detail |
|---|---|
| Materials [S] | 申请表; 营业执照; 经营场所产权/租赁证明 + 平面图 |

## 5. Cross-cutting
"""


def test_domain_bundles_and_material_lists_are_read_item_by_item_and_each_is_accounted_for(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalog-draft.yaml"
    catalogue.write_text("permits: []\n", encoding="utf-8")
    (tmp_path / "domain.md").write_text(DOMAIN, encoding="utf-8")
    items = coverage.domain_items(DOMAIN)
    assert [item for _, item in items["bundles"]] == ["出版物经营许可", "食品经营许可", "宠物美容许可"]
    assert {where for where, _ in items["bundles"]} == {"书店 bookstore"}
    assert [item for _, item in items["materials"]] == ["申请表", "营业执照", "经营场所产权/租赁证明 + 平面图"]
    text = coverage.table(catalogue)
    everywhere = "beijing, beijing-dongcheng, cn, hunan, shanghai-pudong"
    assert f"| 书店 bookstore | 出版物经营许可 | {everywhere}: publication_retail_license |" in text
    assert "| 书店 bookstore | 宠物美容许可 | 未说明 |" in text
    assert "统一申请表" in text.split("| 申请表 |")[1].split("\n")[0]
    assert text.endswith("未说明的缺口：1\n")
    notes = tmp_path / "coverage.yaml"
    notes.write_text(
        "domain:\n"
        "  营业执照: {model: [business_license], note: 政府已持有}\n"
        "  食品经营许可: [no_such_permit]\n"
        "  申请表: 由统一申请表取代\n",
        encoding="utf-8",
    )
    text = coverage.table(catalogue, explanations=notes)
    assert f"| 4.8 出版物经营许可(零售) | 营业执照 | {everywhere}: business_license；政府已持有 |" in text
    assert "| 书店 bookstore | 食品经营许可 | 未说明 |" in text  # an id no pack has is no explanation
    assert "| 4.8 出版物经营许可(零售) | 申请表 | 由统一申请表取代 |" in text


def test_every_row_of_the_committed_table_says_what_the_packs_and_notes_say_today() -> None:
    whole = (packs.PACKS_DIR / "COVERAGE.md").read_text(encoding="utf-8")
    committed, contacts = whole.split("\n" + coverage.CONTACTS)  # the catalogue's items; then the departments' contacts
    assert (coverage.CONTACTS + contacts).startswith("\n".join(coverage.contacts()))
    explain = coverage.explainer()
    # section → (kind, how a row names its item): the catalogue's own sections by id, bundles by the permit
    # before its condition, domain.md's by the item as published
    sections = {"许可事项": ("permits", 0), "材料": ("materials", 0), "行业": ("industries", 0), coverage.BUNDLES: ("permits", 1)}
    sections |= {title: ("domain", 1) for title, _ in coverage.DOMAIN_SECTIONS}
    kind, column, checked = "", 0, 0
    for line in committed.splitlines():
        if line.startswith("## "):
            kind, column = sections[line.removeprefix("## ")]
        elif line.startswith("| ") and not line.startswith(("| 公布的条目 |", "| 行业 |", "| 出处 |")):
            *named, cell = line.removeprefix("| ").removesuffix(" |").split(" | ")
            item = named[column].split("（")[0] if kind == "permits" and column else named[column]
            assert cell == explain(kind, item), line
            checked += 1
    assert checked == committed.count("\n| ") - committed.count("\n| 公布的条目 |") - committed.count(
        "\n| 行业 |"
    ) - committed.count("\n| 出处 |")
    assert checked > 250
    research = Path(__file__).resolve().parents[2].parent / "shared" / "research" / "catalog-draft.yaml"
    if research.is_file():  # beside a checkout of the project the research is at hand: the whole table regenerates
        assert whole == coverage.table(research)


def test_a_deciding_department_without_a_sourced_contact_is_said_to_send_the_applicant_to_the_window() -> None:
    rows = coverage.contacts()
    assert rows[0] == coverage.CONTACTS
    tobacco = next(row for row in rows if row.startswith("| beijing-dongcheng | tobacco（"))
    assert tobacco.endswith(f"| {coverage.CONTACT_MISSING} |")
    assert not any(row.startswith("| cn |") for row in rows)  # the national base has no window: nothing to account for
