"""Compositions to render: a hand-built, realistic one (tests/fixtures/samples.py) and real ones from the
composer on the small test pack, plus the default pack once it exists."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from composer import Composer, ComposeRequest, Composition
from forms import render_pdf
from rules import packs
from tests.fixtures.samples import sample_composition

FIXTURES = Path(__file__).parents[1] / "fixtures" / "packs"
TODAY = date(2026, 11, 26)

VALUES = {
    "applicant_name": "北京东城便民商贸有限公司",
    "uscc": "91110000600037341L",
    "legal_rep": "张三",
    "legal_rep_id": "11010519491231002X",
    "contact_phone": "13800138000",
    "entity_type": "llc",
    "premises_address": "北京市东城区东四北大街1号",
    "premises_area": "80",
    "school_distance": "350",
    "has_cold_storage": "true",
    "extinguishers": "4",
    "tobacco_funds": "5",
    "food_safety_manager": "李四",
    "staff_count": "3",
    "food_rules_in_place": "true",
    "opening_date": "2027-01-05",
    "publication_categories": "books",
    "publication_area": "12",
}
"""A valid post for the sample's one form."""


@pytest.fixture(scope="session")
def sample() -> Composition:
    return sample_composition("zh")


@pytest.fixture(scope="session")
def sample_en() -> Composition:
    return sample_composition("en")


@pytest.fixture
def values() -> dict[str, str]:
    return dict(VALUES)


@pytest.fixture(scope="session")
def mini() -> Composer:
    return Composer.load("mini", FIXTURES)


@pytest.fixture(scope="session")
def mini_shop_and_hotel(mini: Composer) -> Composition:
    """Real composer output: a shop that sells tobacco plus a hotel, food permit on commitment."""
    request = ComposeRequest(
        pack="mini",
        industries=["shop", "hotel"],
        answers={"sells_tobacco": True, "area_m2": 80, "food_prep": False},
        commit=["food_business"],
    )
    return mini.compose(request, today=TODAY)


@pytest.fixture(scope="session")
def default_pack() -> Composer:
    if packs.DEFAULT_PACK not in packs.available():
        pytest.skip(f"the default pack {packs.DEFAULT_PACK} is not there yet")
    composer = Composer.load(packs.DEFAULT_PACK)
    if "convenience_store" not in composer.pack.industries:
        pytest.skip("the default pack has no convenience_store industry")
    return composer


def _complete(composer: Composer, request: ComposeRequest, answer: bool) -> Composition:
    """Compose, answering every open question (yes/no, first option, 120) until complete."""
    answers = dict(request.answers)
    for _ in range(30):
        c = composer.compose(request.model_copy(update={"answers": answers}), today=TODAY)
        if c.complete:
            return c
        for q in c.questions:
            answers[q.id] = q.options[0][0] if q.options else (answer if q.type == "boolean" else 120)
    raise AssertionError("the questions never ran out")


@pytest.fixture(scope="session")
def default_pack_store(default_pack: Composer) -> Composition:
    """The default pack's convenience store that sells tobacco and says yes to everything else."""
    request = ComposeRequest(industries=["convenience_store"], answers={"sells_tobacco": True, "area_m2": 80})
    return _complete(default_pack, request, answer=True)


@pytest.fixture(scope="session")
def default_pack_store_committed(default_pack: Composer) -> Composition:
    """A convenience store selling tobacco and bulk food, taking every eligible permit on commitment."""
    answers = {"sells_tobacco": True, "sells_bulk_food": True, "area_m2": 80}
    request = ComposeRequest(industries=["convenience_store"], answers=answers)
    plain = _complete(default_pack, request, answer=False)
    eligible = [p.id for p in plain.permits if p.commitment.eligible]
    return _complete(default_pack, request.model_copy(update={"answers": plain.answers, "commit": eligible}), answer=False)


class Pdf:
    """A rendered PDF read back with pypdf."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reader = PdfReader(io.BytesIO(data))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.text = "\n".join(self.pages)
        # text extraction breaks lines inside table cells; compare against the text without breaks
        self.flat = "".join(self.text.split())

    def fonts(self) -> set[str]:
        names: set[str] = set()
        for page in self.reader.pages:
            resources: Any = page["/Resources"]
            for ref in resources.get("/Font", {}).values():
                font = ref.get_object()
                names.add(str(font["/BaseFont"]))
                for descendant in font.get("/DescendantFonts", []):
                    descriptor = descendant.get_object().get("/FontDescriptor")
                    if descriptor is not None:
                        assert any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
                            f"font {font['/BaseFont']} is not embedded"
                        )
        return names

    def has(self, text: str) -> bool:
        return "".join(text.split()) in self.flat


@pytest.fixture(scope="session")
def pdf_of() -> Callable[..., Pdf]:
    """Render once per (kind, composition, values, locale) in the session and read it back."""
    cache: dict[Any, Pdf] = {}

    def render(kind: str, composition: Composition, values: dict[str, str] | None = None, locale: str = "zh") -> Pdf:
        key = (kind, id(composition), tuple(sorted((values or {}).items())), locale)
        if key not in cache:
            cache[key] = Pdf(render_pdf(kind, composition, values, locale))  # type: ignore[arg-type]
        return cache[key]

    return render
