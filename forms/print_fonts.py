"""The print faces: Noto Sans CJK SC cut down to the characters documents use, for faster PDFs.

WeasyPrint subsets every face it embeds, and the subsetter's cost follows the glyph count of the
source: Noto Sans CJK has 65,535 glyphs in each weight, subset on every PDF, plus a copy of its
20 MB file. A print face with GB 2312 (its 6,763 hanzi and symbols), Latin, the punctuation and
every character of the rule packs, the composer's wording, the templates and the catalogs has an
eighth of those glyphs: a notice prints sooner and its PDF is half the size.

A character outside the print face (a rare character in a name, a pack edited since the faces
were built) falls through to the full system face, which the stylesheet names next: nothing is
ever missing, that PDF only costs what it did before.

    python -m forms build-fonts     # `make setup` runs it when a source changes
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from composer import words
from rules.packs import PACKS_DIR

log = logging.getLogger(__name__)

FAMILY = "Noto Sans CJK SC Print"
"""The print faces' family name in the stylesheet; "Noto Sans CJK SC" follows it as the fallback."""
SYSTEM_FAMILY = "Noto Sans CJK SC"
FONTS_DIR = Path(__file__).parent / "fonts"
WEIGHTS = {"normal": "Regular", "bold": "Bold"}

TEXT_SOURCES = (
    (PACKS_DIR, "*.yaml"),
    (Path(words.__file__).parent, "*.py"),
    (Path(__file__).parent / "templates", "*"),
    (Path(__file__).parent / "locale", "*.po"),
)
"""Where the documents' fixed texts come from; every character in them goes into the faces."""

UNICODE_BLOCKS = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A (names in pinyin with tone marks)
    (0x01CD, 0x01DC),  # the third-tone vowels of pinyin (ǎ, ǐ, ǒ, ǔ, ǚ)
    (0x2000, 0x206F),  # General Punctuation
    (0x2100, 0x218F),  # Letterlike Symbols, Number Forms (℃, №, Ⅳ)
    (0x2190, 0x21FF),  # Arrows
    (0x2460, 0x24FF),  # Enclosed Alphanumerics (①)
    (0x25A0, 0x25FF),  # Geometric Shapes (□, ○)
    (0x2610, 0x2613),  # ballot boxes
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x3200, 0x32FF),  # Enclosed CJK Letters (㈠)
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)


HORIZONTAL_FEATURES = ("ccmp", "rlig", "calt", "clig", "liga", "rclt", "kern", "mark", "mkmk", "dist", "rvrn")
"""The OpenType features HarfBuzz applies to horizontal Chinese and Latin text by default, less
"locl": in the SC face it only maps to Japanese, Korean and traditional forms, which would double
the glyphs. Vertical forms are left out too: documents print horizontally."""


def path(weight: str) -> Path:
    return FONTS_DIR / f"NotoSansCJKsc-Print-{WEIGHTS[weight]}.otf"


def characters() -> set[str]:
    """Every character the print faces hold (those the source face has)."""
    chars = {chr(cp) for first, last in UNICODE_BLOCKS for cp in range(first, last + 1)}
    chars.update(_gb2312())
    for text in _texts():
        chars.update(text)
    return {c for c in chars if c.isprintable() or c == "\u3000"}


def _gb2312() -> Iterator[str]:
    # GB 2312 is 94 × 94 double-byte codes from 0xA1A1; rows 0xAA–0xAF are unassigned
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                yield bytes((row, cell)).decode("gb2312")
            except UnicodeDecodeError:
                continue


def _texts() -> Iterator[str]:
    for root, pattern in TEXT_SOURCES:
        for file in sorted(root.rglob(pattern)):
            if file.is_file():
                yield file.read_text(encoding="utf-8")


def source(weight: str) -> tuple[Path, int]:
    """The system's Noto Sans CJK SC of this weight: its file and face index, as fontconfig finds it."""
    query = f"{SYSTEM_FAMILY}:weight={'bold' if weight == 'bold' else 'regular'}"
    out = subprocess.run(
        ["fc-match", "--format=%{file}\n%{index}\n%{family}", query], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    if SYSTEM_FAMILY not in out[2].split(","):
        raise FileNotFoundError(f"fontconfig has no {SYSTEM_FAMILY!r} (it offers {out[2]!r}): install fonts-noto-cjk")
    return Path(out[0]), int(out[1])


def build(weights: Iterable[str] = WEIGHTS) -> list[Path]:
    """Write the print faces into FONTS_DIR, both weights at once (fontTools subsets each in its own process)."""
    FONTS_DIR.mkdir(exist_ok=True)
    chars = "".join(sorted(characters()))
    weights = list(weights)
    with ProcessPoolExecutor(max_workers=min(len(weights), os.cpu_count() or 1)) as pool:
        return list(pool.map(_build_one, weights, [chars] * len(weights)))


def _build_one(weight: str, chars: str) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    file, index = source(weight)
    font = TTFont(file, fontNumber=index, lazy=True)
    options = subset.Options()
    options.notdef_outline = True  # a glyph missing from a print face must still show as a box
    options.layout_features = list(HORIZONTAL_FEATURES)
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    target = path(weight)
    partial = target.with_suffix(".partial")
    font.save(partial)
    partial.replace(target)  # a reader never sees half a face
    return target


def built() -> bool:
    return all(path(w).is_file() for w in WEIGHTS)


@cache
def stylesheet() -> str:
    """CSS declaring the print faces and putting them first, or "" when they are not built."""
    if not built():
        log.warning("print fonts not built (python -m forms build-fonts): PDFs embed the full system face, slower")
        return ""
    faces = "".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{path(w).as_uri()}"); font-weight: {w}; }}\n' for w in WEIGHTS
    )
    chain = f'"{FAMILY}", "{SYSTEM_FAMILY}", sans-serif'
    return f"{faces}html {{ font-family: {chain}; }}\n@page {{ font-family: {chain}; }}\n"


_local = threading.local()


@atexit.register
def _drop_font_setup() -> None:
    # A FontConfiguration deletes its temporary copies of the print faces when it is collected,
    # which fails if that happens only once the interpreter has begun to take its modules apart.
    _local.__dict__.pop("font_setup", None)


def font_setup() -> tuple[Any, list[Any]]:
    """One WeasyPrint FontConfiguration per thread, reused across documents (Pango's font map is not shared
    between threads; reusing it saves ~5 % of a notice), and the print faces' stylesheet declared to it (none
    when they are not built). The notice and the certificate both print with it."""
    setup = getattr(_local, "font_setup", None)
    if setup is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        faces = stylesheet()
        setup = _local.font_setup = (config, [CSS(string=faces, font_config=config)] if faces else [])
    return setup
