"""Static checks of rule packs: each check on a small broken copy of the mini pack, with the exact file:line."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from rules import packs
from rules.checks import check, conflict, inferred_sources, inferred_summary, possible
from rules.conditions import Literal_, Op
from rules.errors import Problem
from rules.model import Question

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "packs"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private copy of the mini pack (and its child) to break."""
    shutil.copytree(FIXTURES / "mini", tmp_path / "mini")
    shutil.copytree(FIXTURES / "mini-child", tmp_path / "mini-child")
    return tmp_path


def path_of(root: Path, file: str) -> Path:
    """``permits``, ``catalog`` or ``extra``: a file of the mini pack under ``root``; anything else as given."""
    return root / "mini" / f"{file}.yaml" if "/" not in file else root / file


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = path_of(root, file)
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(root: Path, file: str, text: str) -> None:
    path_of(root, file).write_text(text, encoding="utf-8")


def at(root: Path, file: str, needle: str, after: str | None = None) -> str:
    """``file:line`` of the one line containing ``needle`` (the first one below ``after`` if given)."""
    path = path_of(root, file)
    lines = list(enumerate(path.read_text(encoding="utf-8").splitlines(), 1))
    if after is not None:
        start = next(n for n, text in lines if after in text)
        return f"{path}:{next(n for n, text in lines if n > start and needle in text)}"
    found_on = [n for n, text in lines if needle in text]
    assert len(found_on) == 1, f"{needle!r} is on lines {found_on} of {path}"
    return f"{path}:{found_on[0]}"


def found(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.code, p.where) for p in problems]


class Break(NamedTuple):
    """One edit to the mini pack and the one problem it must cause."""

    file: str
    old: str
    new: str
    code: str
    needle: str  # on the line the problem points at
    named: tuple[str, ...]  # what its message must name


def reported_once(root: Path, case: Break) -> None:
    edit(root, case.file, case.old, case.new)
    problems = check("mini", root)
    assert found(problems) == [(case.code, at(root, case.file, case.needle))]
    for name in case.named:
        assert name in problems[0].message


# --- clean packs ------------------------------------------------------------------------------


def test_mini_pack_has_no_problems() -> None:
    assert check("mini", FIXTURES) == []


def test_overlay_that_withdraws_a_permit_leaves_its_question_behind() -> None:
    # The parent's scenarios are not inherited: an overlay may rightly change their outcome.
    problems = check("mini-child", FIXTURES)
    assert found(problems) == [("question_unused", at(FIXTURES, "catalog", "- id: sells_tobacco"))]
    assert "sells_tobacco" in problems[0].message


def test_problem_in_amended_entity_points_at_the_amendment(root: Path) -> None:
    edit(root, "mini-child/pack.yaml", "      time_limit:", "      legal_basis: []\n      time_limit:")
    problems = [p for p in check("mini-child", root) if p.code not in ("question_unused", "scenario_unknown_reference")]
    assert found(problems) == [("missing_legal_basis", at(root, "mini-child/pack.yaml", "legal_basis: []"))]


def test_problem_in_a_field_the_amendment_keeps_points_at_the_parent(root: Path) -> None:
    edit(root, "permits", '["《食品安全法》第三十五条"]', "[]")
    problems = [p for p in check("mini-child", root) if p.code == "missing_legal_basis"]
    assert found(problems) == [("missing_legal_basis", at(root, "permits", "legal_basis: []"))]


# --- 1. what loading refuses --------------------------------------------------------------------

YEARS = "    validity_years: 5\n"
FLOW = "    name: {zh: 操作流程, en: Food handling process}\n"
MARKET = "    name: {zh: 区市场监督管理局, en: District Administration for Market Regulation}\n"
REFUSED = {
    "unknown-key": Break("permits", YEARS, YEARS + "    colour: red\n", "schema", "colour: red", ("colour",)),
    "wrong-type": Break("permits", YEARS, "    validity_years: five\n", "schema", "validity_years: five", ("five",)),
    "bad-date": Break("permits", YEARS, YEARS + "    valid_to: 2025-02-30\n", "schema", "2025-02-30", ("2025-02-30",)),
    "duplicate-key": Break("catalog", "order: 40\n", "order: 40\n    order: 41\n", "yaml_syntax", "order: 41", ("order",)),
    "syntax-brace": Break("permits", "business license}", "business license}}", "yaml_syntax", "license}}", ("YAML",)),
    "syntax-tab": Break("permits", "    department: fire\n", "\tdepartment: fire\n", "yaml_syntax", "\tdep", ("YAML",)),
    "bad-operator": Break("permits", "tobacco, is: true}", "tobacco, bigger: 1}", "schema", "bigger: 1", ("bigger",)),
    "bad-enum": Break("catalog", "boolean\n    allow", "yesno\n    allow", "schema", "type: yesno", ("yesno",)),
    # a 样表 must have something to open, and say where it comes from
    "sample-without-file": Break(
        "catalog", FLOW, FLOW + "    sample: {name: {zh: 操作流程样表}, source: inferred}\n", "schema", "样表}", ("url",)
    ),
    "sample-without-source": Break(
        "catalog", FLOW, FLOW + "    sample: {name: {zh: 样表}, document: authorization}\n", "schema", "样表}", ("source",)
    ),
    "sample-unknown-document": Break(
        "catalog", FLOW, FLOW + "    sample: {name: {zh: 样表}, document: menu, source: inferred}\n", "schema", "menu", ("menu",)
    ),
    # a department's contact as a 办事指南 gives it: a number one can dial, an address a browser opens
    "contact-malformed-phone": Break(
        "catalog",
        MARKET,
        MARKET + '    contact: {phone: "call 12345", source: inferred}\n',
        "schema",
        "call 12345",
        ("call 12345",),
    ),
    "contact-online-not-an-address": Break(
        "catalog",
        MARKET,
        MARKET + "    contact: {online: banshi.beijing.gov.cn, source: inferred}\n",
        "schema",
        "online: banshi",
        ("banshi.beijing.gov.cn",),
    ),
    # reported on the permit whose dependency closes the cycle, found walking the permits in order
    "dependency-cycle": Break(
        "permits",
        "    kind: inspection\n",
        "    kind: inspection\n    depends_on: [{permit: hotel_trade}]\n",
        "dependency_cycle",
        "- id: hotel_trade",
        ("fire_check → hotel_trade → fire_check",),
    ),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_what_loading_refuses_is_reported_at_its_line(root: Path, case: Break) -> None:
    reported_once(root, case)


def test_an_official_template_names_where_it_was_published(root: Path) -> None:
    sample = '    sample: {name: {zh: 操作流程样表}, url: "https://example.gov.cn/flow.docx", source: inferred}\n'
    reported_once(root, Break("catalog", FLOW, FLOW + sample, "template_without_source", "flow.docx", ("operation_flow",)))


def test_a_sample_yiye_prints_or_a_sourced_template_passes(root: Path) -> None:
    printed = "    sample: {name: {zh: 样表}, document: authorization, source: 《民法典》第一百六十五条}\n"
    official = '    sample: {name: {zh: 样表}, url: "https://example.gov.cn/plan.pdf", source: "https://example.gov.cn/guide"}\n'
    edit(root, "catalog", FLOW, FLOW + printed)
    plan = "    name: {zh: 经营场所平面布局图, en: Floor plan}\n"
    edit(root, "catalog", plan, plan + official)
    contact = '    contact: {phone: 010-6512 3456, online: "https://banshi.beijing.gov.cn", source: inferred}\n'
    edit(root, "catalog", MARKET, MARKET + contact)
    assert check("mini", root) == []


def test_unknown_entity_kind_and_missing_id(root: Path) -> None:
    write(root, "extra", "permitz: []\nmaterials:\n  - name: {zh: 无键材料}\n    source: inferred\n")
    expected = [("unknown_kind", at(root, "extra", "permitz")), ("missing_id", at(root, "extra", "- name"))]
    assert found(check("mini", root)) == expected


def test_every_load_problem_is_listed_not_only_the_first(root: Path) -> None:
    edit(root, "catalog", "    order: 40\n", "    order: 40\n    order: 41\n")
    edit(root, "permits", YEARS, YEARS + "    colour: red\n    fee_yuan: lots\n")
    assert sorted(found(check("mini", root))) == sorted(
        [
            ("yaml_syntax", at(root, "catalog", "order: 41")),
            ("schema", at(root, "permits", "colour: red")),
            ("schema", at(root, "permits", "fee_yuan: lots")),
        ]
    )


def test_dangling_references_are_refused(root: Path) -> None:
    edit(root, "permits", "    department: police\n", "    department: polise\n")
    edit(root, "permits", "fields: [food_safety_manager]", "fields: [food_safety_managr]")
    problems = check("mini", root)
    assert found(problems) == [
        ("dangling_reference", at(root, "permits", "- id: food_business")),
        ("dangling_reference", at(root, "permits", "- id: hotel_trade")),
    ]
    assert "food_safety_managr" in problems[0].message
    assert "polise" in problems[1].message


def test_condition_comparing_mixed_types_is_reported_not_a_crash(root: Path) -> None:
    mixed = "{all: [{scope: lodging}, {answer: area_m2, is: 1}, {answer: area_m2, is: a}]}"
    edit(root, "permits", "applies_when: {scope: lodging}", f"applies_when: {mixed}")
    assert found(check("mini", root)) == [("bad_condition", at(root, "permits", "- id: hotel_trade"))]


def test_unknown_pack() -> None:
    assert [p.code for p in check("nowhere", FIXTURES)] == ["unknown_pack"]


# --- 2. unreachable permits ---------------------------------------------------------------------

TOBACCO = "{scope: food_sales}, {answer: sells_tobacco, is: true}"
TOBACCO_WHEN = f"applies_when: {{all: [{TOBACCO}]}}"
OLD_SALES = "  - id: old_sales\n    name: {zh: 旧目录食品销售}\n    valid_to: 2020-12-31\n    source: inferred\n\nindustries:"


BRANCH = "{all: [{scope: food_sales}, {answer: public_assembly, is: true}"
BRANCHES_NEVER_TAKEN = {
    "branch-without-scope": Break(
        "permits",
        TOBACCO_WHEN,
        f"applies_when: {{any: [{TOBACCO}]}}",
        "branch_without_scope",
        f"applies_when: {{any: [{TOBACCO}]}}",
        ("tobacco", "sells_tobacco = true"),
    ),
    "boolean-contradiction-in-one-branch": Break(
        "permits",
        BRANCH,
        BRANCH + ", {not: {answer: public_assembly, is_not: false}}",
        "contradictory_condition",
        "{any: [{scope: lodging}, " + BRANCH,
        ("public_assembly = false 与 public_assembly = true 矛盾",),
    ),
}


@pytest.mark.parametrize("case", BRANCHES_NEVER_TAKEN.values(), ids=BRANCHES_NEVER_TAKEN.keys())
def test_branch_that_never_holds_is_reported(root: Path, case: Break) -> None:
    reported_once(root, case)


@pytest.mark.parametrize(
    ("old", "when", "permit", "why"),
    [
        pytest.param(
            TOBACCO_WHEN,
            f"applies_when: {{all: [{TOBACCO}, {{answer: area_m2, gt: 150}}, {{answer: area_m2, lte: 100}}]}}",
            "tobacco",
            "area_m2 > 150 与 area_m2 ≤ 100 矛盾",
            id="numeric-contradiction",
        ),
        pytest.param(
            "applies_when: {scope: lodging}",
            "applies_when: {all: [{scope: lodging}, {answer: public_assembly, is: false}]}",
            "hotel_trade",
            "public_assembly = true（经营范围 lodging 隐含）",
            id="answer-implied-by-the-scope-item",
        ),
        pytest.param(
            TOBACCO_WHEN,
            f"applies_when: {{all: [{TOBACCO}, {{answer: area_m2, gt: 100000}}]}}",
            "tobacco",
            "area_m2 > 100000 不可能成立（问题 area_m2 的取值范围：1 至 100000）",
            id="bound-outside-the-question-range",
        ),
    ],
)
def test_contradiction_in_the_only_branch_makes_the_permit_unreachable(
    root: Path, old: str, when: str, permit: str, why: str
) -> None:
    edit(root, "permits", old, when)
    problems = check("mini", root)
    where = at(root, "permits", when)
    assert found(problems) == [("contradictory_condition", where), ("permit_unreachable", where)]
    assert why in problems[0].message
    assert permit in problems[1].message


def test_scope_item_that_ends_before_the_permit_starts(root: Path) -> None:
    edit(root, "catalog", "\nindustries:", OLD_SALES)
    when = f"applies_when: {{any: [{{scope: old_sales}}, {{all: [{TOBACCO}]}}]}}\n    valid_from: 2021-01-01"
    edit(root, "permits", TOBACCO_WHEN, when)
    problems = check("mini", root)
    assert found(problems) == [("branch_out_of_effect", at(root, "permits", "{scope: old_sales}"))]
    assert "经营范围 old_sales 于 2020-12-31 已失效" in problems[0].message


def test_permit_only_reachable_through_an_expired_scope_item(root: Path) -> None:
    edit(root, "catalog", "\nindustries:", OLD_SALES)
    when = "applies_when: {all: [{scope: old_sales}, {answer: sells_tobacco, is: true}]}\n    valid_from: 2021-01-01"
    edit(root, "permits", TOBACCO_WHEN, when)
    where = at(root, "permits", "{scope: old_sales}")
    assert found(check("mini", root)) == [("branch_out_of_effect", where), ("permit_unreachable", where)]


# --- 3. unreachable elements and material refs ---------------------------------------------------

TOBACCO_MATERIALS = "    fields: [applicant_name, uscc]\n    materials: [{material: business_license}]\n"


PARTS_NEVER_REACHED = {
    "element-that-contradicts-its-permit": Break(
        "permits",
        TOBACCO_MATERIALS,
        TOBACCO_MATERIALS
        + (
            "    elements:\n"
            "      - id: display\n"
            "        kind: premises\n"
            "        text: {zh: 卷烟陈列柜}\n"
            "        when: {answer: sells_tobacco, is: false}\n"
            "        source: inferred\n"
        ),
        "element_unreachable",
        "when: {answer: sells_tobacco, is: false}",
        ("要素 display", "sells_tobacco = true 与 sells_tobacco = false 矛盾"),
    ),
    "permit-material-excluded-by-an-implied-answer": Break(
        "permits",
        "materials: [{material: fire_opinion}, {material: business_license}]",
        (
            "materials:\n"
            "      - {material: fire_opinion, when: {answer: public_assembly, is: false}}\n"
            "      - {material: business_license}"
        ),
        "material_unreachable",
        "material: fire_opinion, when",
        ("fire_opinion", "经营范围 lodging 隐含"),
    ),
    "element-material-excluded-by-its-element": Break(
        "permits",
        "{material: operation_flow}",
        "{material: operation_flow, when: {answer: food_prep, is: false}}",
        "material_unreachable",
        "material: operation_flow, when",
        ("要素 process 的材料 operation_flow",),
    ),
}


@pytest.mark.parametrize("case", PARTS_NEVER_REACHED.values(), ids=PARTS_NEVER_REACHED.keys())
def test_element_or_material_that_never_applies_is_reported(root: Path, case: Break) -> None:
    reported_once(root, case)


def test_commitment_condition_that_contradicts_its_permit(root: Path) -> None:
    edit(root, "permits", "when: {answer: food_prep, is: false}", "when: {not: {scope: food_sales}}")
    where = at(root, "permits", "when: {not: {scope: food_sales}}")
    assert found(check("mini", root)) == [("commit_condition_unreachable", where)]


def test_reachable_element_condition_is_not_reported(root: Path) -> None:
    edit(root, "permits", "{answer: food_prep, is: true}", "{any: [{answer: food_prep, is: true}, {not: {scope: food_sales}}]}")
    assert check("mini", root) == []


# --- 4. questions never asked -------------------------------------------------------------------


def test_question_no_condition_uses(root: Path) -> None:
    write(
        root,
        "extra",
        (
            "questions:\n"
            "  - id: night_hours\n"
            '    text: {zh: "是否夜间营业？"}\n'
            "    type: boolean\n"
            "    relevant_when: {answer: night_hours, is: true}\n"
            "    source: inferred\n"
            "  - id: seats\n"
            '    text: {zh: "座位数？"}\n'
            "    type: number\n"
            "    relevant_when: {answer: food_prep, is: true}\n"
            "    source: inferred\n"
        ),
    )
    problems = check("mini", root)
    # its own relevant_when does not count; another question's relevant_when (seats → food_prep) does
    assert found(problems) == [
        ("question_unused", at(root, "extra", "- id: night_hours")),
        ("question_unused", at(root, "extra", "- id: seats")),
    ]
    assert "night_hours" in problems[0].message


def test_prefill_counts_as_use(root: Path) -> None:
    edit(root, "catalog", "    prefill_from: area_m2\n", "")
    assert found(check("mini", root)) == [("question_unused", at(root, "catalog", "- id: area_m2"))]


def test_question_whose_relevance_never_holds(root: Path) -> None:
    relevant = "relevant_when: {all: [{answer: area_m2, gt: 500}, {answer: area_m2, lt: 100}]}"
    edit(root, "catalog", "    allow_unknown: true\n", f"    allow_unknown: true\n    {relevant}\n")
    where = at(root, "catalog", relevant)
    problems = check("mini", root)
    assert found(problems) == [
        ("contradictory_condition", where),
        # and so the fire check's branch that tests public_assembly can never hold
        ("question_not_asked", at(root, "permits", "applies_when: {any: [{scope: lodging}")),
        ("question_never_relevant", where),
    ]
    assert "public_assembly" in problems[2].message


def test_branch_testing_a_question_it_makes_irrelevant(root: Path) -> None:
    edit(root, "catalog", "relevant_when: {scope: food_sales}", "relevant_when: {not: {scope: food_sales}}")
    problems = check("mini", root)
    where = at(root, "permits", TOBACCO_WHEN)
    assert found(problems) == [("question_not_asked", where), ("permit_unreachable", where)]
    assert "问题 sells_tobacco 在此情形下不相关，不会被问到" in problems[0].message


def test_element_needing_a_chain_of_relevance_that_breaks(root: Path) -> None:
    # food_prep is asked only of public assembly venues, and that question only outside food sales
    edit(root, "catalog", "    order: 40\n", "    order: 40\n    relevant_when: {answer: public_assembly, is: true}\n")
    edit(root, "catalog", "    allow_unknown: true\n", "    allow_unknown: true\n    relevant_when: {not: {scope: food_sales}}\n")
    problems = check("mini", root)
    assert found(problems) == [
        ("question_not_asked", at(root, "permits", "applies_when: {any: [{scope: lodging}")),
        ("commit_condition_unreachable", at(root, "permits", "when: {answer: food_prep, is: false}")),
        ("element_unreachable", at(root, "permits", "when: {answer: food_prep, is: true}")),
    ]
    assert "问题 food_prep → public_assembly 在此情形下不相关" in problems[2].message
    because = "public_assembly 的 relevant_when 不成立（选择经营范围 food_sales 与 不选择经营范围 food_sales 矛盾）"
    assert because in problems[2].message


# --- 5. materials never required ----------------------------------------------------------------

HOTEL_MATERIALS = "materials: [{material: fire_opinion}, {material: business_license}]"
HOTEL_DEPENDS = "    depends_on: [{permit: fire_check, uses: fire_opinion}]\n"


def test_material_nothing_asks_for(root: Path) -> None:
    write(root, "extra", "materials:\n  - key: lease_contract\n    name: {zh: 租赁合同}\n    source: inferred\n")
    problems = check("mini", root)
    assert found(problems) == [("material_unused", at(root, "extra", "- key: lease_contract"))]
    assert "lease_contract" in problems[0].message


def test_a_holder_on_a_material_to_submit_is_reported(root: Path) -> None:
    holder = "    held_by: {name: {zh: 电子证照库}, source: inferred}\n"
    edit(root, "catalog", "    government_holds: true\n", "    government_holds: true\n" + holder)
    assert check("mini", root) == []
    edit(root, "catalog", "    government_holds: true\n", "")
    problems = check("mini", root)
    assert found(problems) == [("holder_not_exempt", at(root, "catalog", "held_by: {name: {zh: 电子证照库}"))]
    assert "business_license" in problems[0].message


def test_produced_material_used_through_a_dependency(root: Path) -> None:
    edit(root, "permits", HOTEL_MATERIALS, "materials: [{material: business_license}]")
    assert check("mini", root) == []
    edit(root, "permits", HOTEL_DEPENDS, "    depends_on: [{permit: fire_check}]\n")
    assert found(check("mini", root)) == [("material_unused", at(root, "catalog", "- key: fire_opinion"))]


MISMATCHED_DEPENDENCIES = {
    "uses-a-material-its-permit-does-not-produce": Break(
        "permits",
        "uses: fire_opinion}]",
        "uses: fire_rules}]",
        "dependency_material_mismatch",
        "depends_on: [{permit: fire_check",
        ("fire_rules",),
    ),
    "result-of-another-permit-without-depending-on-it": Break(
        "permits", HOTEL_DEPENDS, "", "missing_dependency", HOTEL_MATERIALS, ("fire_check",)
    ),
}


@pytest.mark.parametrize("case", MISMATCHED_DEPENDENCIES.values(), ids=MISMATCHED_DEPENDENCIES.keys())
def test_dependency_that_does_not_match_the_materials_is_reported(root: Path, case: Break) -> None:
    reported_once(root, case)


# --- 6. form fields, 7. departments and scope items ---------------------------------------------


def test_field_no_permit_uses(root: Path) -> None:
    edit(root, "permits", "fields: [applicant_name, rooms]", "fields: [applicant_name]")
    assert found(check("mini", root)) == [("field_unused", at(root, "catalog", "- id: rooms"))]


def test_element_field_counts_as_use(root: Path) -> None:
    edit(root, "lifecycle", "    permits:\n      food_business: {fields: [food_safety_manager]}\n", "")
    assert found(check("mini", root)) == []
    edit(root, "permits", "        fields: [food_safety_manager]\n", "")
    assert found(check("mini", root)) == [("field_unused", at(root, "catalog", "- id: food_safety_manager"))]


def test_a_field_only_a_change_of_the_certificate_asks_counts_as_use(root: Path) -> None:
    edit(root, "lifecycle", "fields: [applicant_name, registered_address]", "fields: [applicant_name]")
    assert found(check("mini", root)) == [("field_unused", at(root, "catalog", "- id: registered_address"))]


def test_department_without_permit_and_scope_item_nothing_uses(root: Path) -> None:
    write(
        root,
        "extra",
        (
            "departments:\n"
            "  - id: health\n"
            "    name: {zh: 区卫生健康委}\n"
            "    source: inferred\n"
            "scope_items:\n"
            "  - id: hairdressing\n"
            "    name: {zh: 美发服务}\n"
            "    source: inferred\n"
            "  - id: bathing\n"
            "    name: {zh: 洗浴服务}\n"
            "    source: inferred\n"
        ),
    )
    # a scope item only a condition names is used
    edit(root, "permits", "applies_when: {scope: lodging}", "applies_when: {any: [{scope: lodging}, {scope: bathing}]}")
    assert found(check("mini", root)) == [
        ("department_unused", at(root, "extra", "- id: health")),
        ("scope_item_unused", at(root, "extra", "- id: hairdressing")),
    ]


# --- 8. legal basis and notify-and-commit --------------------------------------------------------


@pytest.mark.parametrize("basis", ["[]", '[" "]'])
def test_permit_without_legal_basis(root: Path, basis: str) -> None:
    edit(root, "permits", 'legal_basis: ["《烟草专卖法》"]', f"legal_basis: {basis}")
    problems = check("mini", root)
    assert found(problems) == [("missing_legal_basis", at(root, "permits", f"legal_basis: {basis}"))]
    assert "tobacco" in problems[0].message


def test_commitment_offered_in_an_excluded_risk_category(root: Path) -> None:
    deferred = "      deferred_materials: [fire_rules]\n"
    edit(root, "permits", deferred, deferred + "      excluded: [{category: public_safety, basis: [国办发〔2020〕42号]}]\n")
    problems = check("mini", root)
    assert found(problems) == [("commit_on_excluded_risk", at(root, "permits", "available: true", after="- id: fire_check"))]
    assert "fire_check" in problems[0].message
    assert "public_safety" in problems[0].message


def test_inferred_sources_are_counted_not_reported(root: Path) -> None:
    assert inferred_sources(packs.load("mini", root))["permits"] == (4, 4)
    tobacco_end = "    materials: [{material: business_license}]\n    source: "
    edit(root, "permits", tobacco_end + "inferred", tobacco_end + "《烟草专卖法实施条例》")
    pack = packs.load("mini", root)
    assert inferred_sources(pack) == {
        "permits": (3, 4),
        "elements": (2, 2),
        "time_limits": (4, 4),
        "notify_commit": (4, 4),
        "refusals": (0, 0),
    }
    assert "许可事项 3/4" in inferred_summary(pack)
    assert inferred_summary(pack).endswith("合计 13/14（93%）")
    assert check("mini", root) == []


# --- 9. industries ------------------------------------------------------------------------------


def test_industry_whose_scope_triggers_no_permit(root: Path) -> None:
    write(
        root,
        "extra",
        (
            "scope_items:\n"
            "  - id: consulting\n"
            "    name: {zh: 咨询服务}\n"
            "    source: inferred\n"
            "industries:\n"
            "  - id: consultancy\n"
            "    name: {zh: 咨询公司}\n"
            "    scope: [consulting]\n"
            "    source: inferred\n"
            "  - id: consulting_hotel\n"
            "    name: {zh: 带咨询的宾馆}\n"
            "    scope: [consulting, lodging]\n"
            "    source: inferred\n"
        ),
    )
    problems = check("mini", root)
    assert found(problems) == [("industry_without_permit", at(root, "extra", "scope: [consulting]"))]
    assert "consultancy" in problems[0].message


def test_industry_excluded_by_a_negative_scope_literal(root: Path) -> None:
    edit(root, "permits", "{scope: food_sales}\n", "{all: [{scope: food_sales}, {not: {scope: lodging}}]}\n")
    edit(root, "permits", TOBACCO_WHEN, f"applies_when: {{all: [{{scope: lodging}}, {TOBACCO}]}}")
    edit(root, "permits", "{all: [{scope: food_sales}, {answer", "{all: [{scope: food_sales}, {scope: lodging}, {answer")
    edit(root, "catalog", "    scope: [food_sales]\n", "    scope: [food_sales]\n    implies: {public_assembly: false}\n")
    # shop = food_sales only: food_business still applies
    assert check("mini", root) == []
    edit(root, "catalog", "    scope: [lodging]\n", "    scope: [lodging, food_sales]\n    implies: {sells_tobacco: false}\n")
    # hotel = lodging + food_sales: fire_check and hotel_trade still apply
    assert check("mini", root) == []


def test_industry_whose_implies_contradict_its_scope_items(root: Path) -> None:
    edit(root, "catalog", "    scope: [lodging]\n", "    scope: [lodging]\n    implies: {public_assembly: false}\n")
    problems = check("mini", root)
    assert found(problems) == [("implies_conflict", at(root, "catalog", "implies: {public_assembly: false}"))]
    assert "行业 hotel 隐含" in problems[0].message
    assert "经营范围 lodging 隐含" in problems[0].message


def test_industry_implies_can_cut_off_every_permit(root: Path) -> None:
    edit(root, "permits", "{scope: food_sales}\n", "{all: [{scope: food_sales}, {answer: area_m2, gte: 10}]}\n")
    implies = "    implies: {area_m2: 5, sells_tobacco: false, public_assembly: false}\n"
    edit(root, "catalog", "    scope: [food_sales]\n", "    scope: [food_sales]\n" + implies)
    assert found(check("mini", root)) == [("industry_without_permit", at(root, "catalog", "scope: [food_sales]"))]


# --- scenarios ---------------------------------------------------------------------------------


def test_scenario_naming_what_the_pack_lacks(root: Path) -> None:
    write(
        root,
        "extra",
        (
            "scenarios:\n"
            "  - name: 宾馆多层\n"
            "    industries: [hotel]\n"
            "    answers: {area_m2: 500, floors: 3}\n"
            "    expect:\n"
            "      materials_include: [fire_opinon]\n"
            "      fields_include:\n"
            "        - roms\n"
        ),
    )
    problems = check("mini", root)
    assert found(problems) == [
        ("scenario_unknown_reference", at(root, "extra", "floors: 3")),
        ("scenario_unknown_reference", at(root, "extra", "fire_opinon")),
        ("scenario_unknown_reference", at(root, "extra", "- roms")),
    ]
    assert "floors" in problems[0].message
    assert "fire_opinon" in problems[1].message


# --- the reasoning over literals ----------------------------------------------------------------


def lit(key: str, op: Op, value: object) -> Literal_:
    return Literal_("answer", key, op, tuple(value) if isinstance(value, list) else value)


def question(type_: str, **extra: object) -> Question:
    options = [{"value": v, "label": {"zh": v}} for v in ("a", "b", "c")] if type_ in ("choice", "multi_choice") else []
    return Question.model_validate({"id": "q", "text": {"zh": "?"}, "type": type_, "options": options, "source": "x", **extra})


NUMBER = question("number", min=0, max=1000)
INTEGER = question("number", min=0, max=1000, integer=True)


@pytest.mark.parametrize(
    ("q", "literals", "expected"),
    [
        (NUMBER, [("gt", 150), ("lte", 100)], False),
        (NUMBER, [("gt", 100), ("lte", 100)], False),
        (NUMBER, [("gte", 100), ("lte", 100)], True),
        (NUMBER, [("gte", 100), ("lte", 100), ("neq", 100)], False),
        (NUMBER, [("gte", 100), ("lt", 101), ("neq", 100)], True),
        (NUMBER, [("gt", 1), ("lt", 2)], True),
        (INTEGER, [("gt", 1), ("lt", 2)], False),
        (INTEGER, [("gte", 1), ("lte", 2), ("nin", [1, 2])], False),
        (INTEGER, [("gte", 1), ("lte", 3), ("nin", [1, 2])], True),
        (INTEGER, [("gt", 1.5), ("lt", 2.5)], True),
        (INTEGER, [("eq", 2.5)], False),
        (NUMBER, [("gt", 1000)], False),
        (NUMBER, [("lt", 0)], False),
        (NUMBER, [("gte", 1000)], True),
        (NUMBER, [("eq", 5), ("neq", 5)], False),
        (NUMBER, [("in", [1, 2]), ("gt", 2)], False),
        (NUMBER, [("in", [1, 2]), ("nin", [1])], True),
        (NUMBER, [("in", [1, 2]), ("in", [3])], False),
        (question("number"), [("gt", 10**9)], True),
        (question("boolean"), [("eq", True), ("eq", False)], False),
        (question("boolean"), [("neq", True), ("neq", False)], False),
        (question("boolean"), [("neq", True)], True),
        (question("choice"), [("in", ["a"]), ("in", ["b"])], False),
        (question("choice"), [("nin", ["a", "b", "c"])], False),
        (question("choice"), [("nin", ["a", "b"]), ("neq", "a")], True),
        (question("multi_choice"), [("contains", "a"), ("contains", "b")], True),
        (question("multi_choice"), [("contains", "a"), ("excludes", "a")], False),
        (question("multi_choice"), [("any_of", ["a", "b"]), ("none_of", ["a", "b"])], False),
        (question("multi_choice"), [("any_of", ["a", "b"]), ("none_of", ["a"])], True),
        (question("multi_choice"), [("none_of", ["a", "b", "c"])], True),  # nothing chosen is an answer
        (question("multi_choice"), [("contains", "z")], False),
    ],
)
def test_possible(q: Question, literals: list[tuple[Op, object]], expected: bool) -> None:
    assert possible([lit("q", op, value) for op, value in literals], q) is expected


def test_question_range_only_when_bounded() -> None:
    assert possible([lit("q", "gt", 5000)], NUMBER, bounded=False)
    assert not possible([lit("q", "gt", 5000)], NUMBER)


def test_conflict_keeps_keys_apart_and_names_scope_contradictions() -> None:
    pack = packs.load("mini", FIXTURES)
    lodging, no_lodging = Literal_("scope", "lodging", "has"), Literal_("scope", "lodging", "lacks")
    assert conflict([lit("area_m2", "gt", 150), lit("food_prep", "eq", False), lit("sells_tobacco", "eq", True)], pack) is None
    assert conflict([lodging, no_lodging], pack) == "选择经营范围 lodging 与 不选择经营范围 lodging 矛盾"
    implied = conflict([lodging, lit("public_assembly", "neq", True)], pack)
    assert implied == "public_assembly ≠ true 与 public_assembly = true（经营范围 lodging 隐含） 矛盾"


# --- refusals (不予许可/不得经营) ------------------------------------------------------------------

REFUSAL = """    refusals:
      - id: small_shop
        text: {zh: 面积不足10㎡的不予许可}
        when: {answer: area_m2, lt: 10}
        legal_basis: ["《烟草专卖许可证管理办法》"]
        source: inferred
"""
TOBACCO_FIELDS = (
    "    fields: [applicant_name, uscc]\n    materials: [{material: business_license}]\n"
    "    source: inferred\n\n  - id: fire_check"
)


def add_refusal(root: Path, refusal: str) -> None:
    edit(root, "permits", TOBACCO_FIELDS, TOBACCO_FIELDS.replace("    source: inferred\n", "    source: inferred\n" + refusal, 1))


def test_a_refusal_with_its_legal_basis_is_no_problem(root: Path) -> None:
    add_refusal(root, REFUSAL)
    assert check("mini", root) == []


@pytest.mark.parametrize("basis", ["", '        legal_basis: [" "]\n'])
def test_refusal_without_legal_basis_is_refused(root: Path, basis: str) -> None:
    add_refusal(root, REFUSAL.replace('        legal_basis: ["《烟草专卖许可证管理办法》"]\n', basis))
    problems = check("mini", root)
    assert found(problems) == [("refusal_without_legal_basis", at(root, "permits", "- id: small_shop"))]
    assert "small_shop" in problems[0].message
    assert "法律依据" in problems[0].message


def test_refusal_that_cannot_hold_where_its_permit_applies(root: Path) -> None:
    add_refusal(root, REFUSAL.replace("{answer: area_m2, lt: 10}", "{answer: sells_tobacco, is: false}"))
    problems = check("mini", root)
    assert found(problems) == [("refusal_unreachable", at(root, "permits", "when: {answer: sells_tobacco, is: false}"))]
    assert "不予许可情形 small_shop" in problems[0].message


def test_refusal_condition_on_an_unknown_question_is_refused_at_load(root: Path) -> None:
    add_refusal(root, REFUSAL.replace("area_m2", "floor_count"))
    problems = check("mini", root)
    assert [p.code for p in problems] == ["bad_condition"]
    assert "不予许可情形 small_shop" in problems[0].message


# --- multi-choice answers -----------------------------------------------------------------------

SERVICES = """  - id: services
    text: {zh: 提供哪些服务？}
    type: multi_choice
    options:
      - {value: coffee, label: {zh: 咖啡}}
      - {value: bakery, label: {zh: 烘焙}}
    source: inferred
"""


def asking(root: Path, question: str, when: str) -> list[Problem]:
    """The problems of the mini pack with ``question`` added and the ``process`` element's condition made ``when``."""
    edit(root, "catalog", "  - id: sells_tobacco\n", question + "  - id: sells_tobacco\n")
    edit(root, "permits", "when: {answer: food_prep, is: true}", f"when: {when}")
    return check("mini", root)


def test_multi_choice_condition_over_the_set_is_no_problem(root: Path) -> None:
    assert asking(root, SERVICES, "{answer: services, any_of: [coffee, bakery]}") == []


def test_multi_choice_condition_on_a_single_choice_question_is_refused(root: Path) -> None:
    problems = asking(root, SERVICES.replace("multi_choice", "choice"), "{answer: services, contains: coffee}")
    assert found(problems) == [("bad_condition", at(root, "permits", "- id: food_business"))]
    assert "contains 和 any_of 只适用于多选题（multi_choice），问题 services 是 choice" in problems[0].message


def test_single_value_test_on_a_multi_choice_question_is_refused(root: Path) -> None:
    problems = asking(root, SERVICES, "{answer: services, is: coffee}")
    assert found(problems) == [("bad_condition", at(root, "permits", "- id: food_business"))]
    assert "问题 services 是多选题" in problems[0].message


def test_multi_choice_condition_naming_an_option_the_question_lacks(root: Path) -> None:
    problems = asking(root, SERVICES, "{answer: services, contains: tea}")
    assert [p.code for p in problems] == ["bad_condition"]
    assert "'tea' 不是它的选项" in problems[0].message


# --- typography: full-width punctuation in Chinese texts --------------------------------------------


def test_half_width_punctuation_in_a_chinese_text_is_reported_with_the_fix(root: Path) -> None:
    edit(root, "permits", "text: {zh: 配备食品安全管理人员,", "text: {zh: '配备食品安全管理人员(专职或兼职), 经培训考核',")
    problems = check("mini", root)
    assert found(problems) == [("half_width_punctuation", at(root, "permits", "配备食品安全管理人员(专职"))]
    assert "“(”、“)”、“,”" in problems[0].message
    assert "“配备食品安全管理人员（专职或兼职），经培训考核”" in problems[0].message


def test_half_width_punctuation_in_a_legal_basis_is_reported(root: Path) -> None:
    edit(root, "permits", 'legal_basis: ["《烟草专卖法》"]', 'legal_basis: ["《烟草专卖法》(2015年修正)"]')
    problems = check("mini", root)
    assert found(problems) == [("half_width_punctuation", at(root, "permits", "《烟草专卖法》(2015年修正)"))]


def test_half_width_punctuation_in_a_windows_address_is_reported(root: Path) -> None:
    window = "    window: {zh: 综合窗口, contact: {address: {zh: '东城区某街12号(政务服务中心)'}, source: inferred}}\n"
    market = "    name: {zh: 区市场监督管理局, en: District Administration for Market Regulation}\n"
    edit(root, "catalog", market, market + window)
    problems = check("mini", root)
    assert found(problems) == [("half_width_punctuation", at(root, "catalog", "东城区某街12号(政务服务中心)"))]


def test_english_and_codes_keep_their_half_width_punctuation(root: Path) -> None:
    edit(root, "permits", "text: {zh: 配备食品安全管理人员,", "text: {zh: '符合 GB 31654-2021 (Rev. 2) 要求',")
    assert check("mini", root) == []


# --- who the applicant is: the entity type -----------------------------------------------------------

ENTITY_TYPE = """  - id: entity_type
    text: {zh: 申请人是哪一类市场主体？}
    type: choice
    options:
      - {value: individual, label: {zh: 个体工商户}}
      - {value: llc, label: {zh: 有限责任公司}}
      - {value: partnership, label: {zh: 合伙企业}}
    source: inferred
"""


def test_material_branching_on_the_entity_type_is_no_problem(root: Path) -> None:
    assert asking(root, ENTITY_TYPE, "{answer: entity_type, in: [llc, partnership]}") == []


def test_entity_type_branch_naming_an_unknown_type_is_refused(root: Path) -> None:
    problems = asking(root, ENTITY_TYPE, "{answer: entity_type, in: [llc, company]}")
    assert found(problems) == [("bad_condition", at(root, "permits", "- id: food_business"))]
    assert "entity_type" in problems[0].message
    assert "'company' 不是它的选项" in problems[0].message


# --- versions inside a permit -------------------------------------------------------------------

TOBACCO_SOURCE = "    materials: [{material: business_license}]\n    source: inferred\n\n  - id: fire_check"


def _versions(body: str) -> str:
    return f"    materials: [{{material: business_license}}]\n    source: inferred\n    versions:\n{body}\n\n  - id: fire_check"


def test_versions_whose_periods_overlap_are_refused_at_the_first_of_them(root: Path) -> None:
    body = (
        "      old: {valid_to: 2020-12-31, source: inferred, time_limit: {statutory: {days: 30}, source: inferred}}\n"
        "      mid: {valid_from: 2020-06-01, valid_to: 2021-12-31, source: inferred}"
    )
    edit(root, "permits", TOBACCO_SOURCE, _versions(body))
    problems = check("mini", root)
    assert found(problems) == [("version_overlap", at(root, "permits", "      old: {"))]
    assert "许可事项 tobacco 的版本 old与版本 mid的施行期间重叠（2020-06-01 起）" in problems[0].message


def test_a_version_naming_an_unknown_department_is_refused(root: Path) -> None:
    edit(root, "permits", TOBACCO_SOURCE, _versions("      old: {valid_to: 2020-12-31, department: tax, source: inferred}"))
    problems = check("mini", root)
    expected = ("dangling_reference", "许可事项 tobacco 的版本 old 引用了不存在的部门 'tax'")
    assert [(p.code, p.message) for p in problems] == [expected]


def test_a_version_without_a_date_is_refused(root: Path) -> None:
    edit(root, "permits", TOBACCO_SOURCE, _versions("      old: {department: fire, source: inferred}"))
    [problem] = check("mini", root)
    assert problem.code == "schema"
    assert "版本须写明 valid_from 或 valid_to" in problem.message
    assert problem.where == at(root, "permits", "      old: {")


# --- exclusions from notify-and-commit ----------------------------------------------------------

EXCLUDED = 'excluded: [{category: public_safety, basis: ["国办发〔2020〕42号"]}]'


def test_an_exclusion_in_a_category_the_plan_does_not_name_is_refused(root: Path) -> None:
    edit(root, "permits", EXCLUDED, 'excluded: [{category: public_order, basis: ["国办发〔2020〕42号"]}]')
    [problem] = check("mini", root)
    assert problem.code == "exclusion_unknown_category"
    assert problem.where == at(root, "permits", "category: public_order")
    assert "'public_order' 不在国办发〔2020〕42号所列八类之中" in problem.message
    assert "state_secrets" in problem.message


def test_an_exclusion_without_basis_is_refused(root: Path) -> None:
    edit(root, "permits", EXCLUDED, "excluded: [{category: public_safety}]")
    [problem] = check("mini", root)
    assert (problem.code, problem.where) == ("exclusion_without_basis", at(root, "permits", "category: public_safety"))
    assert "未写明依据" in problem.message
