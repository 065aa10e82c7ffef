"""Steps 2 and 3: one question per page, then check your answers.

Only the questions the composer still returns as open are asked, in its order. A question page
is also reachable for a question already answered (the change links on the check page); any other
question id is redirected to the next step. Each answer is read by the composer before it is kept:
its refusal becomes the error message beside the field, with the value typed kept.

After a change (``?from=check``), the composer's open questions are exactly the new follow-up
questions the change raised: they are asked, then the applicant is back on the check page.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from composer import Composer
from composer.answers import UNKNOWN, shown
from composer.model import Composition, QuestionOut
from composer.questionnaire import worded
from rules.errors import InputError, Problem
from rules.model import Question, QuestionType
from service.deps import ComposeServiceDep, LangDep, OptionalUser, RegistryDep
from service.i18n import Lang, translations
from service.pages import responses as pages
from service.pages.formdata import FormDataDep, text
from service.pages.journey import CompleteJourney, Journey, StartedJourney, next_url, user_answers
from service.pages.templating import render

router = APIRouter(tags=["pages"])


def question_out(composer: Composer, composition: Composition, qid: str, lang: str) -> QuestionOut | None:
    """The question as the composer would ask it (open), or as the pack words it (answered)."""
    for q in composition.questions:
        if q.id == qid:
            return q
    question = composer.pack.questions.get(qid)
    if question is None:
        return None
    return worded(question, lang, affects=[])


def answer_text(question: Question, value: Any, lang: Lang) -> str:
    if value is None or value == UNKNOWN:
        return translations(lang).gettext("不确定")
    return shown(question, value, lang)


def progress(journey: Journey, composition: Composition, qid: str) -> tuple[int, int]:
    """Which question this is and about how many there will be: those answered and those still open."""
    answered = user_answers(journey, composition)
    position = answered.index(qid) + 1 if qid in answered else len(answered) + 1
    return position, len(dict.fromkeys([*answered, *(q.id for q in composition.questions), qid]))


def _back(journey: Journey, qid: str, change: bool) -> str:
    if change:
        return "/check-answers"
    earlier = [q for q in journey.history if q in journey.answers]
    if qid in earlier:
        earlier = earlier[: earlier.index(qid)]
    return f"/questions/{earlier[-1]}" if earlier else "/start"


def _not_found(request: Request, lang: str) -> Response:
    _ = translations(lang).gettext
    return render(request, "error.html", {"title": _("页面不存在"), "messages": [_("没有这个问题。")]}, status_code=404)


def _render_question(
    request: Request,
    composer: Composer,
    journey: Journey,
    q: QuestionOut,
    composition: Composition,
    lang: str,
    change: bool,
    *,
    value: str = "",
    unknown: bool = False,
    error: str | None = None,
) -> Response:
    pack = composer.pack
    decided = composer.decided_by(composition, q.id, q.affects)
    affects = [pack.permits[p].name.in_(lang) for p in decided]
    required = {p.id: p.name for p in composition.permits}
    shapes = [required[p] for p in q.affects if p in required]
    options = q.options if q.type in ("choice", "multi_choice") else []
    if q.type == "boolean":
        _ = translations(lang).gettext
        options = [("true", _("是")), ("false", _("否"))]
    context = {
        "q": q,
        "options": options,
        "affects": affects,
        "shapes": shapes,
        "progress": None if change else progress(journey, composition, q.id),
        "described": [
            i
            for i, on in (
                ("answer-hint", q.help),
                ("answer-affects", affects),
                ("answer-shapes", shapes),
                ("answer-error", error),
            )
            if on
        ],
        "value": value,
        "unknown": unknown,
        "error": error,
        "errors": [{"field": "answer", "message": error}] if error else [],
        "change": change,
        "back_url": _back(journey, q.id, change),
        "action": f"/questions/{q.id}" + ("?from=check" if change else ""),
    }
    return render(request, "question.html", context, status_code=400 if error else 200)


def _shown_value(question: Question, value: Any) -> tuple[str, bool]:
    """A stored answer as the form shows it: (value of the field, "I don't know" ticked)."""
    if value is None:
        return "", False
    if value == UNKNOWN:
        return ("" if question.type is QuestionType.number else UNKNOWN), True
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, tuple | list):
        return ",".join(value), False
    return str(value), False


@router.get(
    "/questions/{qid}",
    response_class=Response,
    responses={200: pages.PAGE, 303: pages.TO_START, 404: pages.NOT_FOUND, 422: pages.INVALID},
)
def question_page(
    request: Request, qid: str, user: OptionalUser, registry: RegistryDep, lang: LangDep, started: StartedJourney
) -> Response:
    """One question, its label or legend the page's heading."""
    journey, composed = started.journey, started.composed
    composer = registry.get(journey.pack)
    if composer is None or qid not in composer.pack.questions:
        return _not_found(request, lang)
    composition = composed.composition
    change = request.query_params.get("from") == "check"
    askable = {q.id for q in composition.questions} | set(user_answers(journey, composition))
    if qid not in askable:
        return RedirectResponse(next_url(composition, change), status_code=303)
    q = question_out(composer, composition, qid, lang)
    assert q is not None
    value, unknown = _shown_value(composer.pack.questions[qid], journey.answers.get(qid))
    return _render_question(request, composer, journey, q, composition, lang, change, value=value, unknown=unknown)


_NUMBER_JUNK = re.compile(r"(?<=\d)[,，\s](?=\d{3}\b)")


def _clean_number(raw: str, question: Question) -> str:
    """Take numbers generously: full-width digits, thousands separators, the unit typed after."""
    text_ = unicodedata.normalize("NFKC", raw).strip()
    for unit in filter(None, (question.unit, unicodedata.normalize("NFKC", question.unit or ""), "平方米", "㎡", "m²", "m2")):
        if text_.endswith(unit):
            text_ = text_[: -len(unit)].strip()
            break
    return _NUMBER_JUNK.sub("", text_)


def _fmt(number: float | None) -> str:
    return "" if number is None else f"{number:g}"


def _message(problem: Problem, question: Question, value: str, lang: str) -> str:
    """The composer's refusal in the applicant's words (and language)."""
    _ = translations(lang).gettext
    unit = question.unit or ""
    if problem.code == "out_of_range":
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is not None and question.min is not None and number < question.min:
            return _("不能小于 %(min)s%(unit)s") % {"min": _fmt(question.min), "unit": unit}
        if number is not None and question.max is not None and number > question.max:
            return _("不能大于 %(max)s%(unit)s") % {"max": _fmt(question.max), "unit": unit}
    if problem.code == "bad_answer":
        if question.type is QuestionType.number:
            try:
                float(value)
            except ValueError:
                return _("请填写数字，例如 80")
            return _("请填写整数，例如 3") if question.integer else _("请填写合理范围内的数字")
        if question.type is QuestionType.boolean:
            return _("请选择“是”或“否”")
        return _("请从列出的选项中选择一项")
    return problem.message if lang == "zh" else _("这个回答与您的其他选择矛盾，请检查后重新回答")


@router.post(
    "/questions/{qid}",
    **pages.form_post(
        "On to the next question, or to check your answers",
        {400: pages.FORM_ERRORS, 404: pages.NOT_FOUND, 422: pages.INVALID},
    ),
)
def answer(
    request: Request,
    qid: str,
    user: OptionalUser,
    registry: RegistryDep,
    service: ComposeServiceDep,
    lang: LangDep,
    started: StartedJourney,
    form: FormDataDep,
) -> Response:
    """Check one answer through the composer; keep it and go on, or show the question again with the error."""
    _ = translations(lang).gettext
    journey, composed = started.journey, started.composed
    composer = registry.get(journey.pack)
    if composer is None or qid not in composer.pack.questions:
        return _not_found(request, lang)
    composition = composed.composition
    change = request.query_params.get("from") == "check" or text(form, "from") == "check"
    askable = {q.id for q in composition.questions} | set(user_answers(journey, composition))
    if qid not in askable:
        return RedirectResponse(next_url(composition, change), status_code=303)
    question = composer.pack.questions[qid]
    q = question_out(composer, composition, qid, lang)
    assert q is not None

    if question.type is QuestionType.multi_choice:
        # One checkbox per option; none ticked is an answer too (none of them).
        raw = ",".join(v for v in form.getlist("answer") if isinstance(v, str))[:1000]
    else:
        raw = text(form, "answer", 100).strip()
    unknown = text(form, "unknown") == "1" or raw == UNKNOWN
    error: str | None = None
    value: Any = None
    if question.type is QuestionType.number:
        if unknown and raw and raw != UNKNOWN:
            error = _("请填写数字，或选择“不确定”，不要两者都填")
        elif unknown:
            value = UNKNOWN
        elif not raw:
            error = _("请填写数字") if not question.unit else _("请填写数字，单位：%(unit)s") % {"unit": question.unit}
        else:
            value = _clean_number(raw, question)
    elif not raw and question.type is not QuestionType.multi_choice:
        error = _("请选择“是”或“否”") if question.type is QuestionType.boolean else _("请选择一项")
    else:
        value = UNKNOWN if unknown else raw
    if value == UNKNOWN and not question.allow_unknown:
        error, value = _("这个问题需要明确回答，不能选择“不确定”"), None

    if error is None:
        candidate = Journey(**{**journey.__dict__, "answers": {**journey.answers, qid: value}})
        try:
            result = service.compose(candidate.request(lang), source="pages").composition
        except InputError as exc:
            mine = [p for p in exc.problems if p.where == f"answers.{qid}"] or exc.problems
            error = _message(mine[0], question, str(value), lang)
        else:
            kept = UNKNOWN if value == UNKNOWN else result.answers.get(qid, value)
            if isinstance(kept, tuple):
                kept = ",".join(kept)  # the journey keeps plain values; the composer reads the options back
            journey.answered(qid, kept if kept is not None else UNKNOWN)
            journey.save(request)
            return RedirectResponse(next_url(result, change), status_code=303)
    shown_unknown = unknown and question.type is QuestionType.number
    field_value = raw if question.type is QuestionType.number else (UNKNOWN if unknown else raw)
    return _render_question(
        request, composer, journey, q, composition, lang, change, value=field_value, unknown=shown_unknown, error=error
    )


@router.get("/check-answers", response_class=Response, responses={200: pages.PAGE, 303: pages.TO_START})
def check_answers(request: Request, user: OptionalUser, registry: RegistryDep, lang: LangDep, ready: CompleteJourney) -> Response:
    """Check your answers: each with a change link; open questions are asked first."""
    journey, composition = ready.journey, ready.composition
    composer = registry.get(journey.pack)
    assert composer is not None
    pack = composer.pack
    mine = user_answers(journey, composition)
    rows = [
        {
            "id": qid,
            "question": pack.questions[qid].text.in_(lang),
            "answer": answer_text(pack.questions[qid], composition.answers.get(qid), lang),
        }
        for qid in mine
        if qid in pack.questions
    ]
    implied = [
        {"question": pack.questions[qid].text.in_(lang), "answer": answer_text(pack.questions[qid], value, lang)}
        for qid, value in composition.answers.items()
        if qid not in journey.answers and qid in pack.questions and value is not None
    ]
    context = {
        "back_url": f"/questions/{mine[-1]}" if mine else "/start",
        "industries": [pack.industries[i].name.in_(lang) for i in journey.industries if i in pack.industries],
        "scope": [pack.scope_items[s].name.in_(lang) for s in journey.scope if s in pack.scope_items],
        "rows": rows,
        "implied": implied,
    }
    return render(request, "check_answers.html", context)
