"""The applicant's journey so far, kept in the server-side session, and composing from it.

The journey holds only *input* — the businesses chosen, the answers given, the items taken on
commitment, the order the questions were asked in — never a result. Every page composes it
again through the composer (cached by ``ComposeService``), so nothing the browser sends back is
trusted until the rules have read it. A pack reloaded in between can still make an old answer
wrong, so a problem with an answer or a commitment drops that one input instead of breaking the
journey.

Session key ``journey``::

    {"pack": "beijing-dongcheng", "industries": [...], "scope": [...], "answers": {qid: value},
     "commit": [...], "history": [qid, ...],       # questions in the order they were answered
     "last": {input} | None, "before": {input} | None,   # for the "what changed" summary
     "draft": "uuid" | None,                       # the draft this journey saves into
     "draft_version": int | None,                  # the version of it this session last read or saved
     "stash": {field: value} | None}               # a valid one form kept while signing in

Lists and answers are capped, so a session row stays small whatever a client posts.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import Request

from composer import Composer
from composer.answers import UNKNOWN
from composer.model import ComposeRequest, Composition
from rules.errors import InputError, Problem
from service.compose import Composed, ComposeService
from service.deps import ComposeServiceDep, LangDep, Redirect, SettingsDep
from service.registry import PackRegistry

SESSION_KEY = "journey"
MAX_ITEMS = 20
MAX_ANSWERS = 60
MAX_ID = 64

Answer = bool | int | float | str


def _ids(value: Any, limit: int = MAX_ITEMS) -> list[str]:
    if not isinstance(value, list):
        return []
    out: list[str] = []
    for item in value:
        if isinstance(item, str) and 0 < len(item) <= MAX_ID and item not in out:
            out.append(item)
    return out[:limit]


def _answers(value: Any) -> dict[str, Answer]:
    if not isinstance(value, dict):
        return {}
    out: dict[str, Answer] = {}
    for key, answer in list(value.items())[:MAX_ANSWERS]:
        if isinstance(key, str) and len(key) <= MAX_ID and isinstance(answer, bool | int | float | str):
            if not isinstance(answer, str) or len(answer) <= 100:
                out[key] = answer
    return out


def _input(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    return {
        "industries": _ids(value.get("industries")),
        "scope": _ids(value.get("scope")),
        "answers": _answers(value.get("answers")),
        "commit": _ids(value.get("commit")),
    }


@dataclass
class Journey:
    pack: str
    industries: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)
    commit: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    last: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    draft: str | None = None
    draft_version: int | None = None
    stash: dict[str, Any] | None = None

    # --- session ---------------------------------------------------------------------------

    @classmethod
    def load(cls, request: Request, default_pack: str) -> Journey:
        raw = request.session.get(SESSION_KEY)
        if not isinstance(raw, dict):
            return cls(pack=default_pack)
        pack = raw.get("pack")
        draft = raw.get("draft")
        try:
            draft = str(uuid.UUID(str(draft))) if draft else None
        except ValueError:
            draft = None
        stash = raw.get("stash")
        version = raw.get("draft_version")
        return cls(
            pack=pack if isinstance(pack, str) and 0 < len(pack) <= MAX_ID else default_pack,
            industries=_ids(raw.get("industries")),
            scope=_ids(raw.get("scope"), 50),
            answers=_answers(raw.get("answers")),
            commit=_ids(raw.get("commit")),
            history=_ids(raw.get("history"), MAX_ANSWERS),
            last=_input(raw.get("last")),
            before=_input(raw.get("before")),
            draft=draft,
            draft_version=version if draft and type(version) is int else None,
            stash=stash if isinstance(stash, dict) else None,
        )

    def _data(self, *optional: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "pack": self.pack,
            "industries": self.industries,
            "scope": self.scope,
            "answers": self.answers,
            "commit": self.commit,
            "history": self.history,
        }
        for key in optional:
            value = getattr(self, key)
            if value:
                data[key] = value
        return data

    def save(self, request: Request) -> None:
        """Into the session."""
        request.session[SESSION_KEY] = self._data("draft", "draft_version", "stash", "last", "before")

    def keep_stash(self, values: dict[str, Any]) -> None:
        """Keep a valid one form across signing in."""
        self.stash = values

    # --- input -----------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return bool(self.industries or self.scope)

    def input(self) -> dict[str, Any]:
        return {"industries": self.industries, "scope": self.scope, "answers": self.answers, "commit": self.commit}

    def request(self, lang: str, data: dict[str, Any] | None = None) -> ComposeRequest:
        data = data or self.input()
        return ComposeRequest(
            pack=self.pack,
            industries=data["industries"],
            scope=data["scope"],
            answers={q: (None if a == UNKNOWN else a) for q, a in data["answers"].items()},
            commit=data["commit"],
            locale="en" if lang == "en" else "zh",
        )

    def answered(self, qid: str, value: Answer) -> None:
        self.answers[qid] = value
        if qid in self.history:
            self.history.remove(qid)
        self.history.append(qid)

    def choose(self, industries: list[str], scope: list[str]) -> None:
        self.industries, self.scope = industries, scope


class JourneyBroken(Exception):
    """The business chosen can no longer be composed (e.g. a pack withdrew it): start again."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def compose(service: ComposeService, journey: Journey, lang: str) -> Composed:
    """Compose the journey. An answer or commitment the rules now refuse is dropped, not fatal.

    Raises ``JourneyBroken`` when the businesses themselves are refused (or none is chosen).
    """
    for _attempt in range(3):
        try:
            return service.compose(journey.request(lang), source="pages")
        except InputError as exc:
            dropped = _drop_refused(journey, exc.problems)
            if not dropped:
                raise JourneyBroken(exc.problems) from exc
    return service.compose(journey.request(lang), source="pages")


def _drop_refused(journey: Journey, problems: list[Problem]) -> bool:
    dropped = False
    for problem in problems:
        where = problem.where
        if where.startswith("answers."):
            qid = where.removeprefix("answers.")
            if journey.answers.pop(qid, None) is not None:
                dropped = True
            if qid in journey.history:
                journey.history.remove(qid)
        elif where.startswith("commit[") and problem.subject in journey.commit:
            journey.commit.remove(problem.subject)
            dropped = True
    return dropped


def try_compose(service: ComposeService, journey: Journey, lang: str, data: dict[str, Any]) -> Composition | None:
    """Compose an earlier input (for the "what changed" summary); None when it no longer composes."""
    try:
        return service.compose(journey.request(lang, data), source="pages").composition
    except InputError:
        return None


def composer_for(registry: PackRegistry, journey: Journey) -> Composer | None:
    return registry.get(journey.pack)


def user_answers(journey: Journey, composition: Composition) -> list[str]:
    """The questions the applicant answered that still count, in the order they were asked."""
    in_force = composition.answers
    order = [q for q in journey.history if q in journey.answers]
    order += [q for q in journey.answers if q not in order]
    return [q for q in order if q in in_force]


def next_url(composition: Composition, change: bool = False) -> str:
    """Where to go after an answer: the next open question, else check your answers."""
    if composition.questions:
        suffix = "?from=check" if change else ""
        return f"/questions/{composition.questions[0].id}{suffix}"
    return "/check-answers"


# --- what every journey page starts with: a dependency ----------------------------------------


@dataclass(frozen=True)
class ComposedJourney:
    """The journey in the session and its composition, as a journey page receives them."""

    journey: Journey
    composed: Composed

    @property
    def composition(self) -> Composition:
        return self.composed.composition


def started_journey(request: Request, service: ComposeServiceDep, settings: SettingsDep, lang: LangDep) -> ComposedJourney:
    """The journey and its composition; raises a redirect to the start when there is nothing to compose.

    Inputs the rules now refuse are dropped and the cleaned journey saved; a journey whose
    businesses are refused altogether is forgotten (keeping only the draft it belongs to).
    """
    journey = Journey.load(request, settings.default_pack)
    if not journey.started:
        raise Redirect("/start")
    before = copy.deepcopy(journey.input())
    try:
        composed = compose(service, journey, lang)
    except JourneyBroken:
        kept = {"pack": settings.default_pack, "draft": journey.draft, "draft_version": journey.draft_version}
        request.session[SESSION_KEY] = kept if journey.draft else {}
        raise Redirect("/start") from None
    if journey.input() != before:
        journey.save(request)
    return ComposedJourney(journey, composed)


StartedJourney = Annotated[ComposedJourney, Depends(started_journey)]
"""A journey with a business chosen, open questions or not (the question pages)."""


def complete_journey(started: StartedJourney) -> ComposedJourney:
    """A journey whose questions are all answered; raises a redirect to the next open question."""
    if started.composition.questions:
        raise Redirect(next_url(started.composition))
    return started


CompleteJourney = Annotated[ComposedJourney, Depends(complete_journey)]
"""A journey ready for its notice, form and documents."""
