"""The memo: a builder's key is itself and every argument it is given, and nothing else."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing

import pytest

import composer
from composer.case import Case
from composer.inputs import Situation
from composer.memo import Fragments, memoised, typed, using
from rules.conditions import Truth

built: list[tuple[object, ...]] = []


@memoised
def _label(kind: str, n: object, locale: str = "zh") -> str:
    built.append((kind, n, locale))
    return f"{kind}{n}{locale}"


def test_a_builders_key_covers_every_argument() -> None:
    built.clear()
    with using(Fragments()):
        for _ in range(2):
            assert _label("a", 1) == "a1zh"
            assert _label("b", 1) == "b1zh"
            assert _label("a", 2) == "a2zh"
            assert _label("a", 1, "en") == "a1en"
            assert _label("a", 1, locale="en") == "a1en"
    # each distinct call built once; the keyword spelling is a key of its own, never a wrong hit
    assert built == [("a", 1, "zh"), ("b", 1, "zh"), ("a", 2, "zh"), ("a", 1, "en"), ("a", 1, "en")]


def test_typed_keeps_one_apart_from_true() -> None:
    built.clear()
    with using(Fragments()):
        assert _label("x", typed(1)) != _label("x", typed(True))
    assert len(built) == 2


def test_outside_a_composer_a_builder_simply_builds() -> None:
    built.clear()
    _label("c", 3)
    _label("c", 3)
    assert len(built) == 2


def test_a_builder_reading_a_closure_is_refused() -> None:
    secret = "another applicant's answer"

    def leaky(kind: str) -> str:
        return kind + secret

    with pytest.raises(TypeError, match="closure"):
        memoised(leaky)


def _builders() -> list[typing.Callable[..., object]]:
    found = []
    for info in pkgutil.iter_modules(composer.__path__):
        module = importlib.import_module(f"composer.{info.name}")
        for value in vars(module).values():
            wrapped = getattr(value, "__wrapped__", None)
            if wrapped is not None and value.__module__ == module.__name__ and value.__qualname__ == wrapped.__qualname__:
                found.append(wrapped)
    return found


def test_no_builder_is_given_the_whole_case() -> None:
    builders = _builders()
    assert len(builders) >= 15
    for build in builders:
        hints = typing.get_type_hints(build)
        for name in inspect.signature(build).parameters:
            assert hints[name] not in (Case, Situation, Truth), f"{build.__qualname__}({name}) reads the whole case"
