"""The print faces: built by `make setup`, holding every character the documents' fixed texts use,
and a rare character outside them still printed, from the full system face."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont

from composer import Composition
from forms import print_fonts


@pytest.fixture(scope="module")
def print_cmap() -> dict[int, str]:
    assert print_fonts.built(), "the print faces are missing: `make setup` builds them (python -m forms build-fonts)"
    return _cmap(print_fonts.path("normal"))


def _cmap(file: Path, index: int = -1) -> dict[int, str]:
    with TTFont(file, fontNumber=index) as font:
        cmap: dict[int, str] = font.getBestCmap()
        return cmap


def test_every_character_of_the_packs_and_templates_is_in_the_print_face(print_cmap: dict[int, str]) -> None:
    file, index = print_fonts.source("normal")
    system = _cmap(file, index)
    used = {ord(c) for text in print_fonts._texts() for c in text if c.isprintable()}
    missing = sorted(chr(cp) for cp in used & system.keys() - print_cmap.keys())
    assert not missing, f"rebuild the print faces (python -m forms build-fonts): they lack {''.join(missing)!r}"


def test_both_weights_hold_the_same_characters(print_cmap: dict[int, str]) -> None:
    bold = _cmap(print_fonts.path("bold"))
    assert bold.keys() == print_cmap.keys()
    assert len(print_cmap) > 8000  # GB 2312 alone has 7,445 characters


def test_documents_embed_only_the_print_faces(sample: Composition, values: dict[str, str], pdf_of: Callable[..., Any]) -> None:
    for kind in ("notice", "form", "commitment"):
        fonts = pdf_of(kind, sample, values).fonts()
        assert fonts
        assert all("Noto-Sans-CJK-SC-Print" in f for f in fonts), fonts


def test_a_rare_character_falls_back_to_the_system_face(
    sample: Composition, values: dict[str, str], pdf_of: Callable[..., Any], print_cmap: dict[int, str]
) -> None:
    name = "王堃"  # 堃 (kūn) is common in given names but not in GB 2312
    assert ord("堃") not in print_cmap
    pdf = pdf_of("form", sample, {**values, "legal_rep": name})
    assert pdf.has(name)
    fonts = pdf.fonts()
    assert any("Noto-Sans-CJK-SC-Print" in f for f in fonts), fonts
    assert any(f.endswith("+Noto-Sans-CJK-SC") for f in fonts), f"堃 was not printed from the system face: {fonts}"


def test_without_the_print_faces_pdfs_use_the_system_face(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(print_fonts, "FONTS_DIR", tmp_path)
    assert not print_fonts.built()
    assert print_fonts.stylesheet.__wrapped__() == ""
