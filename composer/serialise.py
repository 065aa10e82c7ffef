"""A composition's JSON with its shared fragments spliced in, each serialised once.

The permits, elements, form, materials and reasons are nearly all of a composition's bytes, and
are shared fragments (see composer.memo), so serialising each once, not on every request, saves
most of the cost of the bytes. A fragment's JSON is kept in the memo in use under the fragment's
identity, beside the fragment itself: while the entry lives no other object can take that
identity. Only the small fields built per request go through pydantic here. The result is
``model_dump_json().encode()`` byte for byte (a property test holds it).
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from composer.memo import Fragments, in_use
from composer.model import Composition

_COMPOSITION = Composition.__pydantic_serializer__

LAYOUT: tuple[str | tuple[str, ...], ...] = (
    ("pack", "industries", "scope", "answers", "refusals"),
    "permits",
    "elements",
    "form",
    "materials",
    ("commitments", "notice", "savings"),
    "reasons",
    ("questions", "scope_notes", "windows", "departments", "elsewhere", "complete"),
)
"""A Composition's fields in the contract's order (a test holds it): a name is spliced in; a run of
names, small and built per request, is serialised by one pydantic call, as each call costs more
than the few bytes it writes."""


def fragment_json(fragment: BaseModel) -> bytes:
    return fragment.__pydantic_serializer__.to_json(fragment)


def _kept(fragment: BaseModel) -> tuple[BaseModel, bytes]:
    return fragment, fragment_json(fragment)


def _json_of(memo: Fragments | None) -> Callable[[BaseModel], bytes]:
    """A fragment's JSON, serialised the first time it is asked for; kept in ``memo`` under the
    fragment's identity (an int, unlike every builder's key)."""
    if memo is None:
        return fragment_json

    def json_of(fragment: BaseModel) -> bytes:
        kept = memo.current.get(id(fragment))
        if kept is None:
            kept = memo.get(id(fragment), _kept, fragment)
        return kept[1]

    return json_of


def array_pieces(items: list[bytes]) -> list[bytes]:
    """The pieces of a JSON array of items already serialised, for composition_json to join."""
    if not items:
        return [b"[]"]
    pieces = [b","] * (2 * len(items) + 1)
    pieces[0], pieces[-1] = b"[", b"]"
    pieces[1::2] = items
    return pieces


_KEYS = {part: b'"%s":' % part.encode() for part in LAYOUT if isinstance(part, str)}


def composition_json(composition: Composition) -> bytes:
    """The composition's JSON, its shared fragments spliced in.

    Everything is joined once at the end: joining arrays and members on the way copied each of a
    composition's bytes several times."""
    json_of = _json_of(in_use())
    pieces = [b"{"]
    for part in LAYOUT:
        if isinstance(part, str):
            pieces.append(_KEYS[part])
            value = getattr(composition, part)
            if isinstance(value, list):
                pieces.extend(array_pieces([json_of(item) for item in value]))
            else:
                pieces.append(json_of(value))
        else:
            pieces.append(_COMPOSITION.to_json(composition, include=set(part))[1:-1])  # "{...}" unwrapped
        pieces.append(b",")
    pieces[-1] = b"}"
    return b"".join(pieces)
