"""A composition's JSON with its reasons spliced in, each serialised once when it was first built.

Reasons are two thirds of a composition's bytes and nearly all of them are shared fragments (see
composer.fragments), so serialising each once, not on every request, saves most of the cost of
the bytes. The result is ``model_dump_json().encode()`` byte for byte (a property test holds it).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter

from composer.model import Composition, QuestionOut, Reason

_COMPOSITION = Composition.__pydantic_serializer__
_REASON = Reason.__pydantic_serializer__
_QUESTIONS = TypeAdapter(list[QuestionOut])

TAIL = ("reasons", "questions", "complete")
"""The last fields of a Composition, written here after the rest: reasons first."""


def reason_json(reason: Reason) -> bytes:
    return _REASON.to_json(reason)


def composition_json(composition: Composition, reasons: Sequence[bytes]) -> bytes:
    """The composition's JSON, given the JSON of each of its reasons in order."""
    head = _COMPOSITION.to_json(composition, exclude=set(TAIL))  # the fields before TAIL, as "{...}"
    return b"".join(
        [
            head[:-1],
            b',"reasons":[',
            b",".join(reasons),
            b'],"questions":',
            _QUESTIONS.dump_json(composition.questions),
            b',"complete":',
            b"true" if composition.complete else b"false",
            b"}",
        ]
    )
