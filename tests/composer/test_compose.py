"""compose() on the small test pack: what an applicant and a window clerk would check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from composer import Composer, ComposeRequest, Composition
from rules.engine import OracleEngine
from rules.errors import InputError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "packs"
TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def mini() -> Composer:
    return Composer.load("mini", FIXTURES)


def compose(composer: Composer, **kwargs: object) -> Composition:
    return composer.compose(ComposeRequest(pack=composer.pack.id, **kwargs), today=TODAY)


def errors(composer: Composer, **kwargs: object) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        compose(composer, **kwargs)
    return [(p.code, p.where) for p in caught.value.problems]


SHOP_ALL_ANSWERED = {"sells_tobacco": True, "area_m2": 80, "food_prep": False, "public_assembly": False}
SHOP_AND_HOTEL = {"sells_tobacco": True, "area_m2": 80, "food_prep": False}  # lodging implies a public venue


class TestPermits:
    def test_shop_selling_tobacco_needs_food_and_tobacco_permits(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop"], answers=SHOP_ALL_ANSWERED)
        assert [p.id for p in c.permits] == ["food_business", "tobacco"]
        assert c.complete
        assert c.questions == []

    def test_not_selling_tobacco_leaves_it_out_with_the_answer_that_removed_it(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop"], answers={**SHOP_ALL_ANSWERED, "sells_tobacco": False})
        assert "tobacco" not in [p.id for p in c.permits]
        reason = next(r for r in c.reasons if r.kind == "permit" and r.id == "tobacco")
        assert not reason.included
        assert [s.id for s in reason.chain if s.kind == "answer"] == ["sells_tobacco"]
        assert "否" in reason.summary

    def test_reason_chain_runs_from_industry_to_legal_basis(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop"], answers=SHOP_ALL_ANSWERED)
        reason = next(r for r in c.reasons if r.kind == "permit" and r.id == "tobacco")
        kinds = [s.kind for s in reason.chain]
        assert kinds[:3] == ["industry", "scope", "answer"]
        assert kinds[-3:] == ["permit", "rule", "legal_basis"]
        assert reason.chain[-1].label == "《烟草专卖法》"
        assert next(s.label for s in reason.chain if s.kind == "rule") == "mini/permits.yaml:36"

    def test_dependent_permit_comes_after_the_one_whose_result_it_uses(self, mini: Composer) -> None:
        c = compose(mini, industries=["hotel"], answers={"area_m2": 500})
        stages = {p.id: p.stage for p in c.permits}
        assert stages == {"fire_check": 1, "hotel_trade": 2}
        assert [p.id for p in c.permits] == ["fire_check", "hotel_trade"]
        hotel = c.permits[1]
        assert hotel.depends_on[0].permit == "fire_check"
        assert hotel.depends_on[0].uses == "fire_opinion"

    def test_scope_item_alone_works_like_an_industry(self, mini: Composer) -> None:
        c = compose(mini, scope=["food_sales"], answers=SHOP_ALL_ANSWERED)
        assert [p.id for p in c.permits] == ["food_business", "tobacco"]
        reason = next(r for r in c.reasons if r.kind == "permit" and r.id == "food_business")
        assert "industry" not in [s.kind for s in reason.chain]


class TestMaterials:
    def test_each_material_once_with_variants_merged_and_permits_listed(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop", "hotel"], answers=SHOP_AND_HOTEL)
        keys = [m.key for m in c.materials]
        assert len(keys) == len(set(keys))
        plan = next(m for m in c.materials if m.key == "floor_plan")
        assert plan.variants == ["食品设备布局", "消防设施"]
        assert plan.permits == ["food_business", "fire_check"]

    def test_what_the_government_holds_is_exempt(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop"], answers=SHOP_ALL_ANSWERED)
        licence = next(m for m in c.materials if m.key == "business_license")
        assert licence.status == "exempt"

    def test_result_of_another_permit_is_never_an_upload(self, mini: Composer) -> None:
        c = compose(mini, industries=["hotel"], answers={"area_m2": 500})
        opinion = next(m for m in c.materials if m.key == "fire_opinion")
        assert opinion.status == "internal"
        assert c.savings.after.materials == sum(m.status in ("submit", "deferred") for m in c.materials)

    def test_conditional_material_follows_its_element(self, mini: Composer) -> None:
        without = compose(mini, industries=["shop"], answers=SHOP_ALL_ANSWERED)
        with_prep = compose(mini, industries=["shop"], answers={**SHOP_ALL_ANSWERED, "food_prep": True})
        assert "operation_flow" not in [m.key for m in without.materials]
        assert "operation_flow" in [m.key for m in with_prep.materials]
        assert "现场制售须有操作流程" in with_prep.permits[0].conditions


class TestCommitments:
    def test_choosing_a_commitment_shortens_the_limit_and_defers_materials(self, mini: Composer) -> None:
        plain = compose(mini, industries=["shop"], answers=SHOP_ALL_ANSWERED)
        committed = compose(mini, industries=["shop"], answers=SHOP_ALL_ANSWERED, commit=["food_business"])
        food = committed.permits[0]
        assert food.commitment.chosen
        assert food.effective_limit.working_days == 1
        assert plain.permits[0].effective_limit.working_days == 10  # the district's committed limit
        assert next(m for m in committed.materials if m.key == "floor_plan").status == "deferred"
        assert next(m for m in plain.materials if m.key == "floor_plan").status == "submit"
        letter = committed.commitments[0]
        assert letter.permit == "food_business"
        assert "食品安全" in letter.letter
        assert letter.follow_up == "许可后现场核查"
        assert letter.follow_up_within is not None
        assert letter.follow_up_within.text == "30个工作日"

    def test_a_material_another_permit_still_needs_is_submitted(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop", "hotel"], answers=SHOP_AND_HOTEL, commit=["food_business"])
        assert next(m for m in c.materials if m.key == "floor_plan").status == "submit"

    def test_eligibility_is_a_rule_output(self, mini: Composer) -> None:
        prep = compose(mini, industries=["shop"], answers={**SHOP_ALL_ANSWERED, "food_prep": True})
        food = prep.permits[0]
        assert not food.commitment.eligible
        assert "现场制售" in (food.commitment.reason or "")

    @pytest.mark.parametrize(
        ("commit", "answers"),
        [
            (["tobacco"], SHOP_ALL_ANSWERED),  # not available: on-site layout check
            (["food_business"], {**SHOP_ALL_ANSWERED, "food_prep": True}),  # condition fails
            (["hotel_trade"], SHOP_ALL_ANSWERED),  # not in this case
            (["no_such_permit"], SHOP_ALL_ANSWERED),
        ],
    )
    def test_ineligible_commitment_is_refused(self, mini: Composer, commit: list[str], answers: dict[str, object]) -> None:
        assert errors(mini, industries=["shop"], answers=answers, commit=commit) == [("not_eligible_for_commitment", "commit[0]")]

    def test_excluded_risk_category_is_explained(self, mini: Composer) -> None:
        c = compose(mini, industries=["hotel"], answers={"area_m2": 500})
        hotel = next(p for p in c.permits if p.id == "hotel_trade")
        assert not hotel.commitment.eligible
        assert "公共安全" in (hotel.commitment.reason or "")


class TestForm:
    def test_each_field_once_listing_the_permits_it_serves(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop"], answers=SHOP_ALL_ANSWERED)
        fields = [f for s in c.form.sections for f in s.fields]
        assert len({f.id for f in fields}) == len(fields)
        name = next(f for f in fields if f.id == "applicant_name")
        assert name.permits == ["food_business", "tobacco"]
        assert [s.id for s in c.form.sections] == ["applicant", "premises", "personnel"]

    def test_answers_prefill_the_form(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop"], answers=SHOP_ALL_ANSWERED)
        area = next(f for s in c.form.sections for f in s.fields if f.id == "premises_area")
        assert area.prefill == 80

    def test_permit_not_ready_for_merging_rides_along_as_a_sheet(self, mini: Composer) -> None:
        c = compose(mini, industries=["hotel"], answers={"area_m2": 500})
        assert [s.permit for s in c.form.sheets] == ["hotel_trade"]
        assert "rooms" not in {f.id for s in c.form.sections for f in s.fields}
        assert c.savings.after.forms == 2


class TestSavings:
    def test_before_and_after(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop", "hotel"], answers=SHOP_AND_HOTEL)
        before, after = c.savings.before, c.savings.after
        assert (before.permits, after.permits) == (4, 1)
        assert before.forms == 4
        assert after.forms == 2
        assert after.materials < before.materials
        assert after.form_fields < before.form_fields
        # Separately: 10 (food, district commitment) ... statutory: 20 + 14 (20 calendar days) + 13 + 20.
        assert before.working_days == 20 + 14 + 13 + 20
        # In parallel, the hotel permit waits for the fire check: 13 + 20.
        assert after.working_days == 33

    def test_calendar_days_count_the_working_days_they_span(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop"], answers=SHOP_ALL_ANSWERED, as_of=date(2026, 9, 28))
        tobacco = next(p for p in c.permits if p.id == "tobacco")
        # 09-29 … 10-18 crosses the National Day holiday (10-01 … 10-07) and one working Saturday
        # (10-10): 2 days in September, then 10-08, 10-09, 10-10 and 10-12 … 10-16.
        assert tobacco.statutory_limit.text == "20日（自然日）"
        assert tobacco.statutory_limit.working_days == 10


class TestQuestions:
    def test_only_questions_that_can_change_the_result(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop"])
        assert [q.id for q in c.questions] == ["sells_tobacco", "public_assembly", "food_prep"]
        assert not c.complete
        assert next(q for q in c.questions if q.id == "sells_tobacco").affects == ["tobacco"]

    def test_answered_and_irrelevant_questions_are_not_asked(self, mini: Composer) -> None:
        c = compose(mini, industries=["hotel"])
        asked = [q.id for q in c.questions]
        assert "sells_tobacco" not in asked  # relevant only to food sales
        assert "public_assembly" not in asked  # lodging implies it

    def test_i_dont_know_stops_the_question_and_says_what_depends_on_it(self, mini: Composer) -> None:
        c = compose(mini, industries=["shop"], answers={"sells_tobacco": False, "food_prep": False, "public_assembly": "unknown"})
        assert c.complete
        reason = next(r for r in c.reasons if r.id == "fire_check")
        assert not reason.included
        assert "公众聚集场所" in reason.summary
        assert c.answers["public_assembly"] is None

    def test_answer_to_an_irrelevant_question_is_ignored(self, mini: Composer) -> None:
        c = compose(mini, industries=["hotel"], answers={"sells_tobacco": True})
        assert "tobacco" not in [p.id for p in c.permits]
        assert "sells_tobacco" not in c.answers


class TestBadInput:
    @pytest.mark.parametrize(
        ("request_fields", "expected"),
        [
            ({"industries": ["bakery"]}, [("unknown_industry", "industries[0]")]),
            ({"scope": ["nope"]}, [("unknown_scope", "scope[0]")]),
            ({"industries": ["shop"], "answers": {"colour": "red"}}, [("unknown_question", "answers.colour")]),
            ({"industries": ["shop"], "answers": {"sells_tobacco": "maybe"}}, [("bad_answer", "answers.sells_tobacco")]),
            ({"industries": ["shop"], "answers": {"sells_tobacco": None}}, [("bad_answer", "answers.sells_tobacco")]),
            ({"industries": ["shop"], "answers": {"area_m2": 0}}, [("out_of_range", "answers.area_m2")]),
            ({"industries": ["shop"], "answers": {"area_m2": "大"}}, [("bad_answer", "answers.area_m2")]),
            ({"industries": ["shop"], "answers": {"area_m2": True}}, [("bad_answer", "answers.area_m2")]),
            ({"industries": ["hotel"], "answers": {"public_assembly": False}}, [("contradiction", "answers.public_assembly")]),
            ({}, [("nothing_chosen", "industries")]),
            (
                {"industries": ["bakery", "shop"], "answers": {"area_m2": -5, "x": 1}},
                [("unknown_industry", "industries[0]"), ("out_of_range", "answers.area_m2"), ("unknown_question", "answers.x")],
            ),
        ],
    )
    def test_every_problem_is_named(
        self, mini: Composer, request_fields: dict[str, object], expected: list[tuple[str, str]]
    ) -> None:
        assert errors(mini, **request_fields) == expected

    def test_unknown_pack(self, mini: Composer) -> None:
        with pytest.raises(InputError) as caught:
            mini.compose(ComposeRequest(pack="atlantis", industries=["shop"]), today=TODAY)
        assert caught.value.problems[0].code == "unknown_pack"

    def test_messages_are_chinese_and_name_the_item(self, mini: Composer) -> None:
        with pytest.raises(InputError) as caught:
            compose(mini, industries=["shop"], answers={"area_m2": 0})
        assert "经营场所面积" in caught.value.problems[0].message
        assert "不能小于" in caught.value.problems[0].message


class TestDeterminism:
    def test_same_input_same_bytes(self, mini: Composer) -> None:
        request = {"industries": ["hotel", "shop"], "answers": {"area_m2": 80, "sells_tobacco": True}}
        first = compose(mini, **request).model_dump_json()
        again = compose(Composer.load("mini", FIXTURES), **request).model_dump_json()
        assert first == again

    def test_answer_order_does_not_matter(self, mini: Composer) -> None:
        a = compose(mini, industries=["shop"], answers={"area_m2": 80, "sells_tobacco": True})
        b = compose(mini, industries=["shop"], answers={"sells_tobacco": True, "area_m2": 80})
        assert a.model_dump_json() == b.model_dump_json()

    def test_oracle_engine_composes_the_same(self) -> None:
        request = ComposeRequest(pack="mini", industries=["shop", "hotel"], answers=SHOP_AND_HOTEL, commit=["fire_check"])
        durable = Composer.load("mini", FIXTURES).compose(request, today=TODAY)
        oracle = Composer(Composer.load("mini", FIXTURES).pack, engine=OracleEngine).compose(request, today=TODAY)
        assert durable == oracle


class TestOverlay:
    def test_child_pack_withdraws_and_amends(self) -> None:
        child = Composer.load("mini-child", FIXTURES)
        c = compose(child, industries=["shop"], answers={"area_m2": 80, "food_prep": False, "public_assembly": False})
        assert [p.id for p in c.permits] == ["food_business"]
        assert c.permits[0].statutory_limit.days == 10
        assert c.pack.chain == ["mini", "mini-child"]
        assert c.pack.version != Composer.load("mini", FIXTURES).pack.version


def test_english_locale() -> None:
    c = compose(Composer.load("mini", FIXTURES), industries=["shop"], answers=SHOP_ALL_ANSWERED, locale="en")
    assert c.permits[0].name == "Food business license"
    assert c.permits[0].statutory_limit.text == "20 working days"
    assert c.notice.title.startswith("One-industry-one-license notice")


def test_numbers_are_read_to_four_decimals(mini: Composer) -> None:
    c = compose(mini, industries=["shop"], answers={"area_m2": "80.000049"})
    assert c.answers["area_m2"] == 80
    assert errors(mini, industries=["shop"], answers={"area_m2": 1e300}) == [("bad_answer", "answers.area_m2")]


def test_what_a_scope_item_implies_is_never_dropped_as_irrelevant(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(FIXTURES / "mini", tmp_path / "mini")
    catalog = tmp_path / "mini" / "catalog.yaml"
    # public_assembly is asked only of food sellers, but lodging implies it.
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace(
            "    allow_unknown: true\n", "    allow_unknown: true\n    relevant_when: {scope: food_sales}\n"
        ),
        encoding="utf-8",
    )
    c = compose(Composer.load("mini", tmp_path), industries=["hotel"])
    assert c.answers["public_assembly"] is True
    assert "fire_check" in [p.id for p in c.permits]


def test_the_documented_example_request_composes_on_the_default_pack() -> None:
    example = ComposeRequest.model_json_schema()["examples"][0]
    c = Composer.load().compose(ComposeRequest.model_validate(example), today=TODAY)
    assert [p.id for p in c.permits if p.commitment.chosen] == example["commit"]
