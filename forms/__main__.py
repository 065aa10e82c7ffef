"""``python -m forms compile-catalogs``: recompile the forms .mo files after editing a .po.
``python -m forms build-fonts``: build the print faces (forms/print_fonts.py)."""

from __future__ import annotations

import sys

from forms import print_fonts
from forms.i18n import compile_catalogs


def main(argv: list[str]) -> int:
    if argv == ["compile-catalogs"]:
        for path in compile_catalogs():
            print(f"compiled {path}")  # noqa: T201
        return 0
    if argv == ["build-fonts"]:
        for path in print_fonts.build():
            print(f"built {path}")  # noqa: T201
        return 0
    print("usage: python -m forms compile-catalogs | build-fonts", file=sys.stderr)  # noqa: T201
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
