"""样表: the documents an applicant fills in, printed filled in as an example and marked 「样表」 on every page.

The one form and the commitment letter are yiye's own documents; a material's ``sample.document`` in the
pack names any other (today the 授权委托书). The example values are plainly not real: names follow the
customary 张三/李四, numbers are masked with X, and what only the applicant knows says to fill in the facts.
"""

from __future__ import annotations

from typing import Any

from composer.model import Composition, FieldOut
from composer.words import N_
from forms import i18n
from forms.render import SAMPLES, Printing, SampleKind, offered, render_html, render_pdf

__all__ = ["SAMPLES", "SampleKind", "example_values", "offered", "sample_html", "sample_pdf"]


BY_FIELD = {
    "applicant_name": N_("示例商贸有限公司"),
    "legal_rep_name": N_("张三"),
    "contact_name": N_("张三"),
    "registered_address": N_("××市××区××路1号"),
    "premises_address": N_("××市××区××路1号"),
    "agent_name": N_("李四"),
}
"""Example answers for the fields every pack shares (the national base's field ids)."""
BY_TYPE: dict[str, str] = {
    "uscc": "91110101MA00XXXXXX",
    "id_number": "110101XXXXXXXXXXXX",
    "phone": "138XXXXXXXX",
    "email": "name@example.com",
}
"""Masked numbers: the right shape, plainly no one's."""
AS_FACTS = N_("（按实际情况填写）")
AS_SAMPLE = Printing(sample=True)


def example_values(composition: Composition, locale: str) -> dict[str, Any]:
    """An example answer for every field of the one form and its sheets, and the agent of the 授权委托书."""
    fields = [f for s in composition.form.sections for f in s.fields] + [f for s in composition.form.sheets for f in s.fields]
    values = {f.id: _example(f, composition, locale) for f in fields}
    values.update(
        {key: _in(BY_FIELD[key], locale) for key in ("applicant_name", "legal_rep_name", "agent_name")},
        uscc=BY_TYPE["uscc"],
        agent_id_number=BY_TYPE["id_number"],
        agent_phone=BY_TYPE["phone"],
    )
    values.setdefault("premises_address", _in(BY_FIELD["premises_address"], locale))
    return values


def _example(field: FieldOut, composition: Composition, locale: str) -> Any:
    if field.id in BY_FIELD:
        return _in(BY_FIELD[field.id], locale)
    if field.type in BY_TYPE:
        return BY_TYPE[field.type]
    if field.type == "boolean":
        return True
    if field.type == "choice" and field.options:
        return field.options[0][0]
    if field.type == "date":
        return composition.pack.as_of.isoformat()
    if field.prefill is not None:
        return field.prefill
    return _in(AS_FACTS, locale)


def _in(message: str, locale: str) -> str:
    """A message of this module (marked N_ above) in ``locale``."""
    return i18n.gettext(message, locale)


def sample_html(kind: SampleKind, composition: Composition, locale: str = "zh") -> str:
    """The 样表 as a standalone HTML page."""
    return render_html(kind, composition, example_values(composition, locale), locale, AS_SAMPLE)


def sample_pdf(kind: SampleKind, composition: Composition, locale: str = "zh") -> bytes:
    """The 样表 printed on A4 like the notice."""
    return render_pdf(kind, composition, example_values(composition, locale), locale, AS_SAMPLE)
