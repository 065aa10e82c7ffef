"""compose(): from business scope and answers to one notice, one form, one materials list, with reasons.

The rules engine decides what applies (permits, conditional elements and materials, and
notify-and-commit eligibility). The rest reads like the reform: permits → elements → materials →
form → commitments → savings → notice → reasons, one module each, over one immutable Case.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from composer import commitments, departments, elements, form, left_out, materials, permits, questionnaire, refusals
from composer.case import Case, Rulebook
from composer.inputs import resolve
from composer.memo import Fragments, using
from composer.model import ComposeRequest, Composition, Form, MaterialOut, PackRef
from composer.notice import notice, wording_out
from composer.savings import savings
from composer.serialise import composition_json
from rules import packs
from rules.compile import Compiled, compile_pack, day
from rules.conditions import Truth
from rules.engine import DurableEngine, Engine, Facts
from rules.packs import Epoch, Pack

__all__ = ["Composer", "compose"]

DAYS_KEPT = 4096
"""As-of days whose period a composer remembers: over ten years of them, a few hundred KiB."""


class Composer:
    """One pack, compiled once, composing many requests. Swap in a new one to reload."""

    def __init__(self, pack: Pack, engine: Callable[[Compiled], Engine] = DurableEngine) -> None:
        self.pack = pack
        self.compiled = compile_pack(pack)
        self.rules = Rulebook(pack, self.compiled)
        self.engine = engine(self.compiled)
        self.fragments = Fragments()
        """The output pieces this composer's compositions share (see composer.memo)."""
        self._make_engine = engine
        current: Epoch = tuple((pid, None) for pid, _ in pack.epoch(date.max))
        self._epochs: dict[Epoch, tuple[Rulebook, Engine]] = {current: (self.rules, self.engine)}
        """The pack compiled as it reads in each period its permits' dated versions mark out, built when first asked."""
        self._days: dict[date, tuple[Rulebook, Engine]] = {}
        """Each day's entry of ``_epochs``: finding a day's period reads every versioned permit."""
        self._lock = threading.Lock()

    @classmethod
    def load(cls, pack_id: str = packs.DEFAULT_PACK, root: Path = packs.PACKS_DIR) -> Composer:
        """Load and compile a pack; raises PackError, and nothing changes, when it is broken."""
        return cls(packs.load(pack_id, root))

    def compose(self, request: ComposeRequest, today: date | None = None) -> Composition:
        """The Composition for one request. Raises InputError listing every problem in it."""
        with using(self.fragments):
            return compose(self._case(request, today))

    def compose_json(self, request: ComposeRequest, today: date | None = None) -> tuple[Composition, bytes]:
        """The Composition and its JSON, ``model_dump_json().encode()`` byte for byte: its shared
        fragments, most of the bytes, are spliced in as serialised once."""
        with using(self.fragments):
            composition = compose(self._case(request, today))
            return composition, composition_json(composition)

    def needs(
        self, request: ComposeRequest, permit_ids: Sequence[str], today: date | None = None
    ) -> tuple[Form, tuple[MaterialOut, ...]]:
        """The form and materials ``permit_ids`` ask of this applicant's case, required or not (a permit added after issue)."""
        with using(self.fragments):
            case = self._case(request, today)
            required = tuple((self.pack.permits[p], 1) for p in permit_ids)
            shape = elements.shape(required, elements.applicable(case, required))
            listed, _ = materials.listed(case, shape, ())
            asked, _ = form.merged(case, shape)
            return asked, listed

    def fired_rules(self, request: ComposeRequest, today: date | None = None) -> frozenset[str]:
        """The names of the rules a request fires (for rule coverage)."""
        rules, engine = self.read_on(request.as_of or today or date.today())
        situation = resolve(rules.compiled, request, today or date.today())
        return engine.fire(Facts(situation.scope, situation.answers, day(situation.as_of)))

    def decided_by(self, composition: Composition, qid: str, permits: Iterable[str]) -> list[str]:
        """Of ``permits``, those whose need this question can still change, read as the composition was: on its as-of day."""
        rules, _ = self.read_on(composition.pack.as_of)
        return questionnaire.decided_by(rules.compiled, composition, qid, permits)

    def read_on(self, on: date) -> tuple[Rulebook, Engine]:
        """The pack compiled as it reads on a day, with its engine."""
        found = self._days.get(on)
        if found is None:
            found = self._read_in(self.pack.epoch(on), on)
            if len(self._days) >= DAYS_KEPT:
                self._days.clear()
            self._days[on] = found
        return found

    def _read_in(self, key: Epoch, on: date) -> tuple[Rulebook, Engine]:
        found = self._epochs.get(key)
        if found is None:
            with self._lock:
                found = self._epochs.get(key)
                if found is None:
                    compiled = compile_pack(self.pack.read_on(on))
                    found = self._epochs[key] = (Rulebook(compiled.pack, compiled), self._make_engine(compiled))
        return found

    def _case(self, request: ComposeRequest, today: date | None) -> Case:
        rules, engine = self.read_on(request.as_of or today or date.today())
        situation = resolve(rules.compiled, request, today or date.today())
        facts = Facts(situation.scope, situation.answers, day(situation.as_of))
        fired = engine.fire(facts)
        truth = Truth(situation.scope, facts.known())
        commit = tuple(rules.pack.permit_id(pid) for pid in request.commit)  # a stored draft may name a former id
        return Case.of(rules, situation, truth, fired, request.locale, commit)


def compose(case: Case) -> Composition:
    """The composition of one case."""
    required = permits.required(case)
    taken = commitments.chosen(case, required)  # a choice that cannot stand refuses the request first
    found = elements.applicable(case, required)
    shape = elements.shape(required, found)
    committed = [commitments.entry(case, p.id, taken) for p, _ in required]
    entries = [
        permits.entry(case, p, stage, commitment, found[p.id].applicable)
        for (p, stage), (commitment, _) in zip(required, committed, strict=True)
    ]
    told = {p.id: permits.told_required(case, p.id) for p, _ in required}
    not_needed, undecided = left_out.permits(case)
    listed, why_listed = materials.listed(case, shape, taken)
    the_form, why_asked = form.merged(case, shape)
    taken_out = commitments.taken(case, taken)
    saved = savings(case, entries, list(listed), the_form)
    situation, pack, locale = case.situation, case.pack, case.locale
    refused = refusals.refused(case, required)
    questions = questionnaire.open_questions(
        case.rules.compiled, situation, case.truth, undecided, set(case.branches), set(case.hits), locale
    )
    return Composition(
        pack=PackRef(
            id=pack.id,
            name=pack.meta.name.in_(locale),
            version=pack.version,
            as_of=case.as_of,
            chain=list(pack.chain),
            wording=wording_out(pack, locale),
        ),
        industries=list(situation.industries),
        scope=sorted(situation.scope),
        answers={**dict(sorted(situation.answers.items())), **dict.fromkeys(sorted(situation.unknown))},
        refusals=refused,
        permits=entries,
        elements=[entry for p, _ in required for entry in found[p.id].entries],
        form=the_form,
        materials=list(listed),
        commitments=taken_out,
        notice=notice(
            pack, situation.industries, situation.scope, case.as_of, locale, entries, list(listed), taken_out, saved, refused
        ),
        savings=saved,
        reasons=[
            *permits.why_required(case, required, told),
            *(reason for p, _ in required for reason in found[p.id].reasons),
            *(reason for _, reason in committed),
            *not_needed,
            *why_listed,
            *why_asked,
        ],
        questions=questions,
        scope_notes=permits.scope_notes(case, told),
        windows=departments.windows(case.rules, entries, locale),
        departments=departments.departments(case.rules, entries, locale),
        elsewhere=permits.elsewhere(case),
        complete=not questions,
    )
