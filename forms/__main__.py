"""``python -m forms compile-catalogs``: recompile the forms .mo files after editing a .po."""

from __future__ import annotations

import sys

from forms.i18n import compile_catalogs


def main(argv: list[str]) -> int:
    if argv != ["compile-catalogs"]:
        print("usage: python -m forms compile-catalogs", file=sys.stderr)  # noqa: T201
        return 2
    for path in compile_catalogs():
        print(f"compiled {path}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
