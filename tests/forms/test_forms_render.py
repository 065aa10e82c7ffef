"""The notice, the one form and the commitment letter: HTML content, PDFs read back with pypdf."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader

from composer import Composition
from forms import render_html, render_pdf
from forms.render import KINDS, TEMPLATES_DIR, clear_pdf_cache, configure, render_pdf_uncached


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.langs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if tag == "html" and name == "lang" and value:
                self.langs.append(value)


def parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


def text_of(html: str) -> str:
    """Visible text, tags dropped, whitespace removed (to match across line breaks)."""
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return "".join(re.sub(r"<[^>]+>", "", html).split())


def row(html: str, element_id: str) -> str:
    found = re.search(rf'<tr id="{element_id}".*?</tr>', html, flags=re.S)
    assert found, f"no row {element_id}"
    return text_of(found.group(0))


# --- the notice -------------------------------------------------------------------------------


class TestNoticeHtml:
    def test_every_permit_with_department_basis_conditions_limits_fee_and_inspection(self, sample: Composition) -> None:
        html = render_html("notice", sample)
        for p in sample.permits:
            summary = row(html, f"summary-{p.id}")  # the table at the top
            inspection = "需要" if p.inspection else "不需要"
            expected = [p.name, p.department_name, p.statutory_limit.text, p.effective_limit.text, "不收费", inspection]
            assert summary.endswith("".join(expected)), summary
            card = re.search(rf'<article class="permit" id="permit-{p.id}".*?</article>', html, flags=re.S)
            assert card
            text = text_of(card.group(0))  # the card below it
            for part in [p.name, p.department_name, *p.legal_basis, *p.conditions]:
                assert "".join(part.split()) in text, part
            if p.committed_limit:
                assert f"承诺办结时限{p.committed_limit.text}" in text
        assert "有效期5年" in text_of(html)

    def test_a_full_permit_card_for_the_web(self, sample: Composition) -> None:
        page = '{% import "macros.html" as forms %}{{ forms.permit_card(c.permits[0], names_of(c)) }}'
        env = Environment(loader=ChoiceLoader([DictLoader({"p.html": page}), FileSystemLoader(TEMPLATES_DIR)]), autoescape=True)
        text = text_of(configure(env, "zh").get_template("p.html").render(c=sample))
        for part in [
            "实施部门区市场监督管理局",
            "法定办结时限20个工作日",
            "本次办理时限1个工作日",
            "收费标准不收费",
            "现场核查需要现场核查",
        ]:
            assert part in text

    def test_commitment_eligibility_of_each_permit(self, sample: Composition) -> None:
        text = text_of(render_html("notice", sample))
        assert "已选择告知承诺方式办理（全部承诺）" in text
        assert "须现场核查经营场所与中小学校、幼儿园的距离" in text  # why tobacco is not eligible

    def test_dependency_on_another_permits_result(self, sample: Composition) -> None:
        text = text_of(render_html("notice", sample))
        assert "需先取得“公众聚集场所投入使用、营业前消防安全检查”的结果（消防安全检查意见书）" in text

    def test_every_material_appears_once(self, sample: Composition) -> None:
        html = render_html("notice", sample)
        ids = parse(html).ids
        for m in sample.materials:
            assert ids.count(f"material-{m.key}") == 1
        assert len(re.findall(r'<tr id="material-', html)) == len(sample.materials)

    def test_a_material_shared_by_three_permits_is_listed_once_with_all_three(self, sample: Composition) -> None:
        shared = next(m for m in sample.materials if m.key == "legal_rep_id")
        assert len(shared.permits) == 3
        html = render_html("notice", sample)
        assert text_of(html).count(shared.name) == 1
        cells = row(html, "material-legal_rep_id")
        for pid in shared.permits:
            assert next(p.name for p in sample.permits if p.id == pid) in cells
        assert "需提交" in cells

    @pytest.mark.parametrize(
        ("key", "label"),
        [
            ("business_license", "免于提交（政府部门已持有）"),
            ("fire_opinion", "内部流转（由其他事项办理结果提供）"),
            ("food_rules", "以承诺替代"),
            ("floor_plan", "承诺后补交（后续核查时提供）"),
            ("tobacco_layout", "需提交"),
        ],
    )
    def test_material_status_is_labelled(self, sample: Composition, key: str, label: str) -> None:
        assert label in row(render_html("notice", sample), f"material-{key}")

    def test_merged_variants_are_named(self, sample: Composition) -> None:
        cells = row(render_html("notice", sample), "material-floor_plan")
        assert "合并为一份，含：食品设备布局、消防设施布置" in cells

    def test_commitment_items_with_text_follow_up_and_materials(self, sample: Composition) -> None:
        text = text_of(render_html("notice", sample))
        for cm in sample.commitments:
            assert cm.letter in text
            assert cm.follow_up in text
        assert "以承诺替代的材料：食品安全管理制度文本" in text
        assert "（30个工作日内完成）" in text

    def test_savings_before_and_after(self, sample: Composition) -> None:
        html = render_html("notice", sample)
        savings = re.search(r'<table class="savings">.*?</table>', html, flags=re.S)
        assert savings
        text = text_of(savings.group(0))
        assert "许可证件4175%" in text  # 4 → 1, 75 % fewer
        assert "办理时限（工作日）702071%" in text

    def test_steps_intro_and_closing(self, sample: Composition) -> None:
        text = text_of(render_html("notice", sample))
        for part in [sample.notice.intro, sample.notice.closing, *sample.notice.steps]:
            assert "".join(part.split()) in text

    def test_open_questions_are_flagged(self, mini_shop_and_hotel: Composition) -> None:
        from composer.model import QuestionOut

        question = QuestionOut(
            id="area_m2", text="经营场所面积是多少平方米?", help=None, type="number", unit="㎡", min=1, max=None,
            options=[], allow_unknown=False, affects=["fire_check"],
        )  # fmt: skip
        incomplete = mini_shop_and_hotel.model_copy(update={"questions": [question], "complete": False})
        text = text_of(render_html("notice", incomplete))
        assert "以下问题尚未回答，回答后办理事项可能变化：" in text
        assert "经营场所面积是多少平方米?" in text

    def test_texts_are_escaped(self, sample: Composition) -> None:
        evil = sample.permits[0].model_copy(update={"name": "<script>alert(1)</script>"})
        html = render_html("notice", sample.model_copy(update={"permits": [evil, *sample.permits[1:]]}))
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_ids_are_unique_and_language_set(self, sample: Composition, values: dict[str, str]) -> None:
        for kind in KINDS:
            parsed = parse(render_html(kind, sample, values))
            assert len(parsed.ids) == len(set(parsed.ids)), kind
            assert parsed.langs == ["zh-Hans"]

    def test_footer_names_pack_version_and_as_of_date(self, sample: Composition) -> None:
        html = render_html("notice", sample)
        footer = "规则包 beijing-dongcheng · 版本 3f9a1c27b04e · 依据日期 2026年11月26日"
        assert f'<footer class="doc-footer">{footer}</footer>' in html
        assert f'@bottom-left {{ content: "{footer}"; }}' in html

    def test_unknown_kind_is_refused(self, sample: Composition) -> None:
        with pytest.raises(ValueError, match="unknown document kind"):
            render_html("receipt", sample)  # type: ignore[arg-type]


class TestNoticeFromTheComposer:
    def test_real_composition_renders_every_document(self, mini_shop_and_hotel: Composition) -> None:
        c = mini_shop_and_hotel
        notice = text_of(render_html("notice", c))
        for p in c.permits:
            assert "".join(p.name.split()) in notice
        for m in c.materials:
            assert "".join(m.name.split()) in notice
        form = render_html("form", c)
        assert all(f'id="field-{f.id}"' in form for s in c.form.sections for f in s.fields)
        for sheet in c.form.sheets:
            assert f'id="sheet-{sheet.permit}"' in form
        letter = text_of(render_html("commitment", c))
        for cm in c.commitments:
            assert "".join(cm.letter.split()) in letter

    def test_the_default_pack_convenience_store(self, default_pack_store: Composition, pdf_of: Callable[..., Any]) -> None:
        c = default_pack_store
        assert len(c.permits) >= 3
        html = render_html("notice", c)
        ids = parse(html).ids
        assert all(ids.count(f"material-{m.key}") == 1 for m in c.materials)
        shared = max(c.materials, key=lambda m: len(m.permits))
        assert len(shared.permits) >= 3
        pdf = pdf_of("notice", c)
        for p in c.permits:
            assert pdf.has(p.name), p.name
        for m in c.materials:
            assert pdf.has(m.name), m.name
        assert pdf.flat.count("".join(shared.name.split())) == 1
        if any(m.status == "exempt" for m in c.materials):
            assert pdf.has("免于提交（政府部门已持有）")
        assert any("Noto-Sans-CJK-SC" in f for f in pdf.fonts())

    def test_the_default_pack_commitment_letter(
        self, default_pack_store_committed: Composition, pdf_of: Callable[..., Any]
    ) -> None:
        c = default_pack_store_committed
        assert c.commitments, "no permit of the plain convenience store can be taken on commitment"
        pdf = pdf_of("commitment", c)
        for cm in c.commitments:
            assert pdf.has(cm.permit_name)
            assert pdf.has(cm.letter)
            assert pdf.has(cm.follow_up)
        notice = pdf_of("notice", c)
        assert notice.has("已选择告知承诺方式办理")


# --- the one form -----------------------------------------------------------------------------


class TestFormHtml:
    def test_sections_in_order_each_field_once(self, sample: Composition) -> None:
        html = render_html("form", sample)
        ids = parse(html).ids
        sections = [i.removeprefix("section-") for i in ids if i.startswith("section-")]
        assert sections == ["applicant", "premises", "equipment", "capital", "personnel", "management", "other"]
        for s in sample.form.sections:
            for f in s.fields:
                assert ids.count(f"field-{f.id}") == 1

    def test_values_are_filled_in(self, sample: Composition, values: dict[str, str]) -> None:
        html = render_html("form", sample, values)
        assert "北京东城便民商贸有限公司" in row(html, "field-applicant_name")
        assert "91110000600037341L" in row(html, "field-uscc")
        assert "2027年1月5日" in row(html, "field-opening_date")
        assert "80㎡" in row(html, "field-premises_area")
        assert "有限责任公司（已选）" in row(html, "field-entity_type")
        assert "是（已选）否" in row(html, "field-has_cold_storage")

    def test_empty_fields_are_blank_and_prefill_used(self, sample: Composition) -> None:
        html = render_html("form", sample)
        assert row(html, "field-applicant_name").startswith("申请人名称未填写")
        assert "80㎡" in row(html, "field-premises_area")  # prefilled from the answer to area_m2
        assert "（已选）" not in row(html, "field-entity_type")

    def test_optional_fields_are_marked_not_required_ones(self, sample: Composition) -> None:
        html = render_html("form", sample)
        assert "（选填）" in row(html, "field-email")
        assert "（选填）" not in row(html, "field-uscc")
        assert "*" not in text_of(html)

    def test_used_for_column_numbers_the_merged_permits(self, sample: Composition) -> None:
        html = render_html("form", sample)
        assert "1食品经营许可2烟草专卖零售许可3公众聚集场所投入使用、营业前消防安全检查" in text_of(html)
        assert row(html, "field-legal_rep_id").endswith("全部事项")
        assert row(html, "field-tobacco_funds").endswith("2")
        assert '<abbr title="烟草专卖零售许可">2</abbr>' in html

    def test_non_mergeable_permit_is_a_sheet_in_the_same_document(self, sample: Composition, values: dict[str, str]) -> None:
        html = render_html("form", sample, values)
        sheet = re.search(r'<section class="sheet" id="sheet-publication_retail".*?</section>', html, flags=re.S)
        assert sheet
        text = text_of(sheet.group(0))
        assert "附表1：出版物零售业务经营许可申请表" in text
        assert "北京东城便民商贸有限公司" in text  # the shared field, asked once, printed on the sheet too
        assert "图书（已选）" in text

    def test_declaration_and_signature_lines(self, sample: Composition) -> None:
        text = text_of(render_html("form", sample))
        assert "申请人（签字/盖章）：" in text
        assert "日期：年月日" in text


# --- the commitment letter --------------------------------------------------------------------


class TestCommitmentHtml:
    def test_one_letter_with_each_committed_item(self, sample: Composition, values: dict[str, str]) -> None:
        html = render_html("commitment", sample, values)
        text = text_of(html)
        assert text.count("告知承诺书") >= 1
        for n, cm in enumerate(sample.commitments, start=1):
            assert f"{n}.{cm.permit_name}" in text
            assert "".join(cm.letter.split()) in text
            assert cm.follow_up in text
        assert "致：区市场监督管理局、区消防救援支队" in text
        assert "承诺人北京东城便民商贸有限公司" in text
        assert "承诺人（签字/盖章）：" in text
        assert "日期：年月日" in text
        assert "法律责任" in text

    def test_no_commitments(self, sample: Composition) -> None:
        text = text_of(render_html("commitment", sample.model_copy(update={"commitments": []})))
        assert "无需签署告知承诺书" in text


# --- English ----------------------------------------------------------------------------------


class TestEnglish:
    def test_fixed_labels_and_dates_in_english(self, sample_en: Composition) -> None:
        html = render_html("notice", sample_en, locale="en")
        assert parse(html).langs == ["en"]
        text = text_of(html)
        assert "Exempt(thegovernmentalreadyholdsit)" in text
        assert "Rulepackbeijing-dongcheng·version3f9a1c27b04e·rulesasofNovember26,2026" in text
        assert not re.search(r"[需免申材]", text.replace(text_of(sample_en.permits[0].legal_basis[0]), ""))

    def test_locale_variants_fall_back(self, sample: Composition) -> None:
        assert render_html("notice", sample, locale="zh_CN") == render_html("notice", sample)
        assert 'lang="en"' in render_html("notice", sample, locale="en-GB")


# --- reuse by the web pages -------------------------------------------------------------------


def test_macros_render_in_another_environment(sample: Composition) -> None:
    page = '{% import "macros.html" as forms %}<main>{{ forms.materials_table(c.materials, names_of(c)) }}</main>'
    env = Environment(loader=ChoiceLoader([DictLoader({"page.html": page}), FileSystemLoader(TEMPLATES_DIR)]), autoescape=True)
    configure(env, "zh")
    html = env.get_template("page.html").render(c=sample)
    assert html.count('<tr id="material-') == len(sample.materials)
    assert "免于提交（政府部门已持有）" in html


# --- PDFs -------------------------------------------------------------------------------------


class TestPdf:
    def test_notice_text_reads_back(self, sample: Composition, pdf_of: Callable[..., Any]) -> None:
        pdf = pdf_of("notice", sample)
        for p in sample.permits:
            assert pdf.has(p.name), p.name
            assert pdf.has(p.department_name)
        for m in sample.materials:
            assert pdf.has(m.name), m.name
        for cm in sample.commitments:
            assert pdf.has(cm.letter)
        assert pdf.has("免于提交（政府部门已持有）")

    def test_a_shared_material_is_printed_once(self, sample: Composition, pdf_of: Callable[..., Any]) -> None:
        pdf = pdf_of("notice", sample)
        assert pdf.flat.count("法定代表人身份证明") == 1

    def test_fonts_are_embedded_noto_sans_cjk(self, sample: Composition, pdf_of: Callable[..., Any]) -> None:
        for kind in ("notice", "form", "commitment"):
            fonts = pdf_of(kind, sample).fonts()
            assert any("Noto-Sans-CJK-SC" in f for f in fonts), fonts
            assert all("Noto-Sans-CJK" in f for f in fonts), f"a fallback font crept in: {fonts}"

    def test_every_page_has_number_and_reproducibility_footer(self, sample: Composition, pdf_of: Callable[..., Any]) -> None:
        pdf = pdf_of("notice", sample)
        total = len(pdf.pages)
        assert total > 1
        for n, page in enumerate(pdf.pages, start=1):
            flat = "".join(page.split())
            assert f"第{n}页，共{total}页" in flat
            assert "规则包beijing-dongcheng·版本3f9a1c27b04e·依据日期2026年11月26日" in flat

    def test_a4(self, sample: Composition, pdf_of: Callable[..., Any]) -> None:
        box = pdf_of("commitment", sample).reader.pages[0].mediabox
        assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)

    def test_filled_form(self, sample: Composition, values: dict[str, str], pdf_of: Callable[..., Any]) -> None:
        pdf = pdf_of("form", sample, values)
        for text in [
            "便利店综合许可申请表",
            "北京东城便民商贸有限公司",
            "91110000600037341L",
            "2027年1月5日",
            "出版物零售业务经营许可申请表",
        ]:
            assert pdf.has(text), text

    def test_commitment_letter(self, sample: Composition, values: dict[str, str], pdf_of: Callable[..., Any]) -> None:
        pdf = pdf_of("commitment", sample, values)
        assert pdf.has("告知承诺书")
        for cm in sample.commitments:
            assert pdf.has(cm.letter)
            assert pdf.has(cm.permit_name)

    def test_english_pdf(self, sample_en: Composition, pdf_of: Callable[..., Any]) -> None:
        pdf = pdf_of("notice", sample_en, None, "en")
        assert pdf.has("Food business license")
        assert pdf.has("Page 1 of")

    def test_real_composition(self, mini_shop_and_hotel: Composition, pdf_of: Callable[..., Any]) -> None:
        pdf = pdf_of("notice", mini_shop_and_hotel)
        assert pdf.has("特种行业许可证（旅馆业）")
        assert pdf.has("经营场所平面布局图")

    def test_same_input_same_bytes_and_fast_enough(self, sample: Composition) -> None:
        render_pdf_uncached("commitment", sample)
        started = time.perf_counter()
        first = render_pdf_uncached("notice", sample)
        elapsed = time.perf_counter() - started
        assert render_pdf_uncached("notice", sample) == first
        assert elapsed < 2.0, f"notice PDF took {elapsed:.2f} s: is libharfbuzz-subset0 installed?"

    def test_cache_serves_repeats_and_never_a_stale_document(self, sample: Composition, values: dict[str, str]) -> None:
        clear_pdf_cache()
        first = render_pdf("form", sample, values)
        assert render_pdf("form", sample, values) is first  # the cached bytes
        changed = render_pdf("form", sample, {**values, "applicant_name": "另一家公司"})
        assert changed != first
        repacked = sample.model_copy(update={"pack": sample.pack.model_copy(update={"version": "0000"})})
        assert render_pdf("form", repacked, values) != first  # another pack version, another PDF
        assert render_pdf("form", sample, values, locale="en") != first


def test_threads_render_the_same_bytes(sample: Composition) -> None:
    """The service renders from a thread pool: per-thread font configs, one shared stylesheet."""
    from concurrent.futures import ThreadPoolExecutor

    expected = render_pdf_uncached("commitment", sample)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: render_pdf_uncached("commitment", sample), range(3)))
    assert results == [expected] * 3
