"""Composition → documents: the notice (告知单), the one form (一表申请) and the commitment letter.

``render_html(kind, composition, values=None, locale='zh')`` returns a standalone, semantic HTML
document; ``render_pdf(...)`` prints the same HTML with WeasyPrint on A4, with page numbers and a
footer naming the rule pack, its version and the as-of date, so a printed notice can be
reproduced by composing again under the same pack version.

Texts inside the Composition are already localised by the composer. Fixed labels go through the
Babel catalogs of forms/ (msgids in Chinese, see ``forms.i18n``); dates, money and numbers are
formatted with Babel.

For web pages: ``configure(env, locale)`` installs on any jinja2 Environment what the templates
and ``macros.html`` need (gettext, filters, globals); add ``TEMPLATES_DIR`` to its loader and
``{% import "macros.html" as forms %}`` to reuse the permit cards, materials table, savings table,
commitment list and form fields.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from composer.model import Composition, FieldOut
from composer.words import N_, read_yes_no
from forms import i18n, print_fonts

Kind = Literal["notice", "form", "commitment", "authorization"]
KINDS: tuple[Kind, ...] = ("notice", "form", "commitment", "authorization")

TEMPLATES_DIR = Path(__file__).parent / "templates"
CJK_FONT = "Noto Sans CJK SC"
"""Named in print.css: WeasyPrint follows the family chain strictly (a generic fallback misses glyphs)."""


STATUS_LABELS = {
    "submit": N_("需提交"),
    "exempt": N_("免于提交（政府部门已持有）"),
    "internal": N_("内部流转（由其他事项办理结果提供）"),
    "commitment": N_("以承诺替代"),
    "deferred": N_("承诺后补交（后续核查时提供）"),
}
STATUS_HINTS = {
    "submit": N_("请提交一份，供所列各事项共用"),
    "exempt": N_("无需提交，由审批部门通过共享调取"),
    "internal": N_("无需提交，审批部门内部取得"),
    "commitment": N_("无需提交，以签署的告知承诺书代替"),
    "deferred": N_("现在无需提交，在后续核查时提供"),
}
MATERIAL_TERMS = {
    # 办事指南 wording for a material's 材料类型, 纸质/电子, 来源 and 是否必需
    "copy_kind": {"original": N_("原件"), "copy": N_("复印件"), "original_and_copy": N_("原件及复印件")},
    "medium": {"paper": N_("纸质"), "electronic": N_("电子"), "either": N_("纸质或电子")},
    "issuer": {"applicant": N_("申请人自备"), "government": N_("政府部门核发")},
    "need": {"required": N_("必要"), "tolerated": N_("容缺（可先受理、后补交）"), "deferred": N_("承诺后补交")},
}
PERMIT_KINDS = {"license": N_("行政许可"), "filing": N_("备案"), "inspection": N_("检查")}
COMMIT_MODES = {"full": N_("全部承诺"), "materials": N_("以承诺替代部分材料")}
SAVINGS_ROWS = (
    ("permits", N_("许可证件")),
    ("forms", N_("申请表")),
    ("materials", N_("申请材料")),
    ("form_fields", N_("填报项目")),
    ("working_days", N_("办理时限（工作日）")),
)
SampleKind = Literal["form", "commitment", "authorization"]
SAMPLES: tuple[SampleKind, ...] = ("form", "commitment", "authorization")
"""The documents an applicant fills in, of which forms.samples prints a 样表."""
SAMPLES_AT = "/documents/samples"
"""Where the service serves the 样表 of the journey's notice: ``{SAMPLES_AT}/{kind}.pdf``."""


@dataclass(frozen=True)
class Printing:
    """How a document is printed: as a 样表 (marked on every page), and where its links to 样表 point (absolute in a
    PDF, which is read away from the site)."""

    sample: bool = False
    samples_at: str = SAMPLES_AT


PLAIN = Printing()
TITLES = {"notice": N_("一次告知单"), "form": N_("综合申请表"), "commitment": N_("告知承诺书"), "authorization": N_("授权委托书")}


def configure(env: Environment, locale: str) -> Environment:
    """Install gettext, filters and globals the forms templates and macros rely on."""
    locale = i18n.normalise(locale)
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        fdate=lambda d, fmt="long": i18n.fmt_date(_as_date(d), locale, fmt),
        yuan=lambda v: _yuan(v, locale),
        number=lambda v: i18n.fmt_number(v, locale),
        percent_less=lambda pair: _percent_less(pair, locale),
    )
    env.globals.update(
        locale=locale,
        html_lang="zh-Hans" if locale == "zh" else "en",
        status_label=lambda s: _t(STATUS_LABELS[s], locale) if s in STATUS_LABELS else s,
        status_hint=lambda s: _t(STATUS_HINTS.get(s, ""), locale),
        permit_kind=lambda k: _t(PERMIT_KINDS[k], locale) if k in PERMIT_KINDS else k,
        material_term=lambda term, value: _t(MATERIAL_TERMS[term][value], locale),
        commit_mode=lambda m: _t(COMMIT_MODES[m], locale) if m in COMMIT_MODES else m,
        savings_rows=[(key, _t(label, locale)) for key, label in SAVINGS_ROWS],
        names_of=names_of,
        commit_departments=commit_departments,
        permit_refs_of=permit_refs_of,
        field_value=lambda f, values: field_value(f, values, locale),
        field_display=lambda f, values: field_display(f, values, locale),
        samples_offered=offered,
        doc_title_of=lambda kind: _t(TITLES[kind], locale),
        list_sep="、" if locale == "zh" else ", ",
    )
    return env


@cache
def environment(locale: str = "zh") -> Environment:
    """The Environment for ``locale`` (one per locale per process; templates compiled once)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    configure(env, locale)
    env.globals["print_css"] = Markup((TEMPLATES_DIR / "print.css").read_text(encoding="utf-8"))
    return env


def render_html(
    kind: Kind, composition: Composition, values: Mapping[str, Any] | None = None, locale: str = "zh", printing: Printing = PLAIN
) -> str:
    """One of the documents as a standalone HTML page (styles inlined)."""
    return _render(kind, composition, values, locale, inline_css=True, printing=printing)


def _render(
    kind: Kind,
    composition: Composition,
    values: Mapping[str, Any] | None,
    locale: str,
    inline_css: bool,
    printing: Printing = PLAIN,
) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(KINDS)}")
    locale = i18n.normalise(locale)
    env = environment(locale)
    template = env.get_template(f"{kind}.html")
    footer = _footer(composition, locale)
    return template.render(
        kind=kind,
        c=composition,
        values=dict(values or {}),
        doc_title=_t(TITLES[kind], locale),
        sample=printing.sample,
        samples_at=printing.samples_at,
        footer=footer,
        page_css=Markup(_page_css(footer, locale)),
        print_css=env.globals["print_css"] if inline_css else "",
    )


def render_pdf(
    kind: Kind, composition: Composition, values: Mapping[str, Any] | None = None, locale: str = "zh", printing: Printing = PLAIN
) -> bytes:
    """The same document printed on A4 by WeasyPrint. Same input → same bytes.

    The last ``PDF_CACHE_SIZE`` PDFs of this process are kept, keyed by a hash of everything that
    goes into them (kind, locale, the whole Composition, the values), so printing the same notice
    again costs a hash, never a stale document."""
    key = _pdf_key(kind, composition, values, locale, repr(printing))
    with _pdf_lock:
        if key in _pdf_cache:
            _pdf_cache.move_to_end(key)
            return _pdf_cache[key]
    pdf = render_pdf_uncached(kind, composition, values, locale, printing)
    with _pdf_lock:
        _pdf_cache[key] = pdf
        while len(_pdf_cache) > PDF_CACHE_SIZE:
            _pdf_cache.popitem(last=False)
    return pdf


PDF_CACHE_SIZE = 32
"""About 0.2–0.5 MB each (the embedded CJK font subsets dominate)."""
_pdf_cache: OrderedDict[str, bytes] = OrderedDict()
_pdf_lock = threading.Lock()


def clear_pdf_cache() -> None:
    with _pdf_lock:
        _pdf_cache.clear()


def _pdf_key(kind: str, composition: Composition, values: Mapping[str, Any] | None, locale: str, options: str) -> str:
    digest = hashlib.sha256()
    for part in (kind, i18n.normalise(locale), json.dumps(values or {}, sort_keys=True, default=str), options):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(composition.model_dump_json().encode())
    return digest.hexdigest()


def render_pdf_uncached(
    kind: Kind, composition: Composition, values: Mapping[str, Any] | None = None, locale: str = "zh", printing: Printing = PLAIN
) -> bytes:
    """render_pdf without the cache (benchmarks, tests)."""
    from weasyprint import HTML  # imported late: it loads Pango and fonts

    # print.css goes in as a stylesheet parsed once per process rather than inline: WeasyPrint
    # would parse an inline <style> and compile its selectors again for every document
    html = _render(kind, composition, values, locale, inline_css=False, printing=printing)
    document = HTML(string=html, base_url=str(TEMPLATES_DIR))
    font_config, stylesheets = _print_setup()
    pdf: bytes = document.write_pdf(stylesheets=stylesheets, font_config=font_config)
    return pdf


def print_pdf(html: str) -> bytes:
    """A standalone page (a receipt, a proposal) printed on A4 by WeasyPrint with the notice's faces and stylesheet."""
    from weasyprint import HTML  # imported late: it loads Pango and fonts

    font_config, stylesheets = _print_setup()
    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf(stylesheets=stylesheets, font_config=font_config)
    return pdf


@cache
def _print_stylesheet() -> Any:
    from weasyprint import CSS

    return CSS(filename=str(TEMPLATES_DIR / "print.css"))


def _print_setup() -> tuple[Any, list[Any]]:
    """This thread's FontConfiguration (print_fonts.font_setup) with the stylesheets: print.css, then the print faces."""
    config, faces = print_fonts.font_setup()
    return config, [_print_stylesheet(), *faces]


# --- helpers shared with the templates ------------------------------------------------------


def _t(message: str, locale: str, **params: object) -> str:
    return i18n.gettext(message, locale, **params)


def names_of(composition: Composition) -> dict[str, str]:
    """Permit ids and material keys → their names, for lists that only carry ids."""
    names = {m.key: m.name for m in composition.materials}
    names.update({p.id: p.name for p in composition.permits})
    return names


def offered(composition: Composition) -> list[SampleKind]:
    """The 样表 a notice offers: the one form; the commitment letter once items are taken on commitment; and
    each document a listed material names as its sample."""
    kinds: list[SampleKind] = ["form"] if composition.permits else []
    if composition.commitments:
        kinds.append("commitment")
    named = {m.sample.document for m in composition.materials if m.sample and m.sample.document}
    return kinds + [kind for kind in SAMPLES if kind in named and kind not in kinds]


def permit_refs_of(composition: Composition) -> dict[str, tuple[int, str]]:
    """Permits merged into the one form → (number, name), for the form's "used for" column."""
    merged = [p for p in composition.permits if p.mergeable]
    return {p.id: (n, p.name) for n, p in enumerate(merged, start=1)}


def commit_departments(composition: Composition) -> list[str]:
    """The departments the commitment letter is addressed to, in permit order, each once."""
    chosen = {cm.permit for cm in composition.commitments}
    out: list[str] = []
    for p in composition.permits:
        if p.id in chosen and p.department_name not in out:
            out.append(p.department_name)
    return out


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _yuan(value: float, locale: str) -> str:
    return _t("不收费", locale) if not value else i18n.fmt_yuan(value, locale)


def _percent_less(pair: tuple[int, int], locale: str) -> str:
    before, after = pair
    if before <= 0 or after >= before:
        return "—"
    from babel.numbers import format_percent

    return format_percent((before - after) / before, locale=i18n.babel_locale(locale))


def field_value(field: FieldOut, values: Mapping[str, Any], locale: str) -> Any:
    """The value to print for a field: the applicant's, else the prefill, else None."""
    value = values.get(field.id)
    if value is None or (isinstance(value, str) and not value.strip()):
        value = field.prefill
    return value


def field_display(field: FieldOut, values: Mapping[str, Any], locale: str) -> str | None:
    """A field's value as printed (choices by label, booleans as 是/否, numbers with unit)."""
    value = field_value(field, values, locale)
    if value is None or value == "":
        return None
    if field.type == "boolean":
        read = value if isinstance(value, bool) else read_yes_no(str(value))
        if read is None:
            return str(value)
        return _t("是", locale) if read else _t("否", locale)
    if field.type == "choice":
        return next((label for v, label in field.options if v == str(value)), str(value))
    if field.type == "number":
        try:
            number = float(value)
            shown = i18n.fmt_number(int(number) if number.is_integer() else number, locale)
        except (TypeError, ValueError):
            shown = str(value)
        return f"{shown} {field.unit}" if field.unit else shown
    if field.type == "date":
        parsed = _as_date(value)
        return i18n.fmt_date(parsed, locale) if parsed else str(value)
    return str(value)


def _footer(composition: Composition, locale: str) -> str:
    pack = composition.pack
    return _t(
        "规则包 %(pack)s · 版本 %(version)s · 依据日期 %(as_of)s",
        locale,
        pack=pack.id,
        version=pack.version,
        as_of=i18n.fmt_date(pack.as_of, locale),
    )


def _css_string(text: str) -> str:
    """A CSS string literal (quotes, backslashes and line breaks escaped)."""
    return '"' + re.sub(r'(["\\])', r"\\\1", text).replace("\n", "\\a ") + '"'


def _page_css(footer: str, locale: str) -> str:
    """Margin boxes: the footer (pack, version, as-of) and '第 1 页，共 3 页' / 'Page 1 of 3'."""
    before, middle, after = _t("第 %(page)s 页，共 %(pages)s 页", locale, page="\0", pages="\0").split("\0")
    content = f"{_css_string(before)} counter(page) {_css_string(middle)} counter(pages) {_css_string(after)}"
    return "@page { @bottom-left { content: " + _css_string(footer) + "; } @bottom-right { content: " + content + "; } }"
