"""Server-side validation of a posted one form (一表申请).

``validate(form, values)`` checks every field of the composed form (its sections and its
separate sheets) and returns ``(clean, errors)``:

- ``clean``: field id → the value in canonical, JSON-ready form, ready to store as a draft and
  valid against ``forms.schema.json_schema(form)``: codes compacted and upper-cased, phone
  numbers as ``13800138000`` or ``010-12345678``, numbers as int or float, dates as ISO
  ``YYYY-MM-DD``, booleans as ``True``/``False``. Empty optional fields are left out; keys that
  are not fields of the form (a CSRF token, a button name) are ignored.
- ``errors``: field id → one message that names the field and says what is wrong, in Chinese
  (or English with ``locale='en'``, through the forms catalog), in form order, for an error
  summary at the top of the page and a message beside each field (GOV.UK pattern).

What applicants type is taken generously: stray spaces and hyphens in codes, full-width digits,
a ``+86`` prefix, thousands separators, the unit typed after a number, ``2026/11/26`` or
``2026年11月26日`` for a date. Eligibility is never a validation error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from composer.model import FieldOut, Form
from composer.words import N_
from forms import i18n


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def form_fields(form: Form) -> Iterator[FieldOut]:
    """Every field of the form once, sections first, then the sheets' own fields."""
    seen: set[str] = set()
    for section in form.sections:
        for f in section.fields:
            if f.id not in seen:
                seen.add(f.id)
                yield f
    for sheet in form.sheets:
        for f in sheet.fields:
            if f.id not in seen:
                seen.add(f.id)
                yield f


def validate(form: Form, values: Mapping[str, Any], locale: str = "zh") -> tuple[dict[str, Any], dict[str, str]]:
    """Check a form post. See the module docstring for what ``clean`` and ``errors`` hold."""
    locale = i18n.normalise(locale)
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in form_fields(form):
        raw = _raw(f, values)
        if raw is None:
            if f.required:
                message = {"choice": N_("请选择%(label)s"), "boolean": N_("请选择“%(label)s”：是或否")}.get(
                    f.type, N_("请填写%(label)s")
                )
                errors[f.id] = _t(message, locale, label=f.label)
            continue
        check = _CHECKS.get(f.type, _text)  # an unknown type is kept as text, length-checked
        try:
            clean[f.id] = check(f, raw, locale)
        except _Invalid as exc:
            errors[f.id] = exc.message
    return clean, errors


# --- reading the post -----------------------------------------------------------------------


def _raw(f: FieldOut, values: Mapping[str, Any]) -> str | None:
    """The posted text of a field, or None when it is empty. A date may come as three parts."""
    value = values.get(f.id)
    if f.type == "date" and (value is None or str(value).strip() == ""):
        parts = [values.get(f"{f.id}-{p}") for p in ("year", "month", "day")]
        if any(p is not None and str(p).strip() for p in parts):
            value = "-".join(str(p or "").strip() for p in parts)
    if value is None or isinstance(value, bool):
        return None if value is None else ("true" if value else "false")
    text = str(value).strip()
    return text or None


def _t(message: str, locale: str, **params: object) -> str:
    return i18n.gettext(message, locale, **params)


def _nfkc(text: str) -> str:
    """Full-width digits and letters to ASCII (１２３ → 123, Ｘ → X)."""
    return unicodedata.normalize("NFKC", text)


_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―－]+")


def _compact(text: str) -> str:
    """A code without stray spaces and hyphens, upper-cased."""
    return _SEPARATORS.sub("", _nfkc(text)).upper()


# --- the checks, one per field type ---------------------------------------------------------


def _text(f: FieldOut, raw: str, locale: str) -> str:
    text = raw.replace("\r\n", "\n")
    if f.type != "textarea":
        text = " ".join(text.split())
    if f.max_length is not None and len(text) > f.max_length:
        raise _Invalid(_t("%(label)s不能超过%(max)s个字", locale, label=f.label, max=f.max_length))
    return text


def _national_code(
    validate: Callable[[str], str], reasons: tuple[tuple[type[stdnum_errors.ValidationError], str], ...]
) -> Callable[[FieldOut, str, str], str]:
    """A check for a national code: python-stdnum validates it, the first reason whose error matches says why not."""

    def check(f: FieldOut, raw: str, locale: str) -> str:
        code = _compact(raw)
        try:
            return str(validate(code))
        except stdnum_errors.ValidationError as error:
            message = next(text for kind, text in reasons if isinstance(error, kind))
        raise _Invalid(_t(message, locale, label=f.label, n=len(code)))

    return check


_WRONG_LENGTH = N_("%(label)s应为18位，您填写了%(n)s位")
_WRONG_CHECK_DIGIT = N_("%(label)s校验位不正确，请核对后重新填写")

_uscc = _national_code(
    uscc.validate,
    (
        (stdnum_errors.InvalidLength, _WRONG_LENGTH),
        (stdnum_errors.InvalidFormat, N_("%(label)s前8位应为数字，其余为数字或大写英文字母（不使用I、O、S、V、Z）")),
        (stdnum_errors.ValidationError, _WRONG_CHECK_DIGIT),
    ),
)

_id_number = _national_code(
    ric.validate,
    (
        (stdnum_errors.InvalidLength, _WRONG_LENGTH),
        (stdnum_errors.InvalidFormat, N_("%(label)s前17位应为数字，最后一位为数字或X")),
        (stdnum_errors.InvalidChecksum, _WRONG_CHECK_DIGIT),
        (stdnum_errors.ValidationError, N_("%(label)s中的地区码或出生日期不正确，请核对后重新填写")),
    ),
)


_EXTENSION = re.compile(r"^(?P<number>.*?)\s*(?:转|分机|ext\.?|x|#)\s*(?P<ext>\d{1,6})$", re.IGNORECASE)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_3 = re.compile(r"^(?P<area>0(?:10|2\d))(?P<local>\d{8})$")  # Beijing 010, 02x: 8-digit numbers
_LANDLINE_4 = re.compile(r"^(?P<area>0[3-9]\d{2})(?P<local>\d{7,8})$")
_HYPHEN_EXTENSION = re.compile(r"^(?P<number>\(?0\d{2,3}\)?[\s-]*\d{7,8})-(?P<ext>\d{1,6})$")


def _phone(f: FieldOut, raw: str, locale: str) -> str:
    text = _nfkc(raw).strip()
    ext = None
    if found := _EXTENSION.match(text) or _HYPHEN_EXTENSION.match(text):
        text, ext = found["number"], found["ext"]
    digits = re.sub(r"[\s\-‐‑–—()（）.]+", "", text)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 10:
            digits = digits[len(prefix) :]
            break
    if _MOBILE.match(digits) and ext is None:
        return digits
    if found := _LANDLINE_3.match(digits) or _LANDLINE_4.match(digits):
        return f"{found['area']}-{found['local']}" + (f"-{ext}" if ext else "")
    raise _Invalid(
        _t(
            "%(label)s应为11位手机号码或带区号的固定电话，例如 13800138000 或 010-12345678",
            locale,
            label=f.label,
        )
    )


_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,63}$"
)


def _email(f: FieldOut, raw: str, locale: str) -> str:
    text = _nfkc(raw).strip().replace("＠", "@")
    if len(text) > 254 or not _EMAIL.match(text) or ".." in text.split("@")[0]:
        raise _Invalid(_t("%(label)s格式不正确，例如 name@example.com", locale, label=f.label))
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _number(f: FieldOut, raw: str, locale: str) -> int | float:
    text = _nfkc(raw).strip()
    for unit in filter(None, (f.unit, _nfkc(f.unit or ""), "平方米", "m²", "m2")):
        if text.endswith(unit):
            text = text[: -len(unit)].strip()
            break
    text = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _Invalid(_t("%(label)s应为数字，例如 80", locale, label=f.label))
    unit = f.unit or ""
    if f.min is not None and number < Decimal(str(f.min)):
        raise _Invalid(_t("%(label)s不能小于%(min)s%(unit)s", locale, label=f.label, min=_number_text(f.min), unit=unit))
    if f.max is not None and number > Decimal(str(f.max)):
        raise _Invalid(_t("%(label)s不能大于%(max)s%(unit)s", locale, label=f.label, max=_number_text(f.max), unit=unit))
    return int(number) if number == number.to_integral_value() else float(number)


_DATE = re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")


def _date(f: FieldOut, raw: str, locale: str) -> str:
    text = _nfkc(raw).strip()
    found = _DATE.match(text) or _DATE_COMPACT.match(text)
    try:
        if found is None:
            raise ValueError(text)
        return date(int(found["y"]), int(found["m"]), int(found["d"])).isoformat()
    except ValueError:
        raise _Invalid(_t("%(label)s应为真实的日期，例如 2026-11-26", locale, label=f.label)) from None


def _choice(f: FieldOut, raw: str, locale: str) -> str:
    for value, label in f.options:
        if raw == value or raw == label:
            return value
    raise _Invalid(_t("请从列出的选项中选择%(label)s", locale, label=f.label))


_YES = {"true", "1", "yes", "y", "on", "是"}
_NO = {"false", "0", "no", "n", "off", "否"}


def _boolean(f: FieldOut, raw: str, locale: str) -> bool:
    text = _nfkc(raw).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _Invalid(_t("请选择“%(label)s”：是或否", locale, label=f.label))


_CHECKS = {
    "text": _text,
    "textarea": _text,
    "uscc": _uscc,
    "id_number": _id_number,
    "phone": _phone,
    "email": _email,
    "number": _number,
    "date": _date,
    "choice": _choice,
    "boolean": _boolean,
}
