"""A composition's JSON with its shared fragments spliced in, each serialised once when it was first built.

The permits, elements, form, materials and reasons are nearly all of a composition's bytes, and
are shared fragments (see composer.fragments), so serialising each once, not on every request,
saves most of the cost of the bytes. Only the small fields built per request go through pydantic
here. The result is ``model_dump_json().encode()`` byte for byte (a property test holds it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel

from composer.model import Composition

_COMPOSITION = Composition.__pydantic_serializer__

LAYOUT: tuple[str | tuple[str, ...], ...] = (
    ("pack", "industries", "scope", "answers"),
    "permits",
    "elements",
    "form",
    "materials",
    ("commitments", "notice", "savings"),
    "reasons",
    ("questions", "complete"),
)
"""A Composition's fields in the contract's order (a test holds it): a name is spliced in; a run of
names, small and built per request, is serialised by one pydantic call, as each call costs more
than the few bytes it writes."""


def fragment_json(fragment: BaseModel) -> bytes:
    return fragment.__pydantic_serializer__.to_json(fragment)


def array_json(items: Iterable[bytes]) -> bytes:
    """A JSON array of items already serialised."""
    return b"[" + b",".join(items) + b"]"


def composition_json(composition: Composition, spliced: Mapping[str, bytes]) -> bytes:
    """The composition's JSON, given the JSON of each field LAYOUT splices in."""
    members = []
    for part in LAYOUT:
        if isinstance(part, str):
            members.append(b'"%s":%s' % (part.encode(), spliced[part]))
        else:
            members.append(_COMPOSITION.to_json(composition, include=set(part))[1:-1])  # "{...}" unwrapped
    return b"{" + b",".join(members) + b"}"
