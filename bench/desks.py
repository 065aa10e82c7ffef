"""The desks as the applications grow: each role's list page at the demo's size and with many times the applications.

    .venv/bin/python bench/desks.py                 # the demo's 5 applications, then 25 times as many
    .venv/bin/python bench/desks.py --rounds 5      # 6 times as many

In a temporary SQLite database: the demo's data (``service.demo.seed``), then ``--rounds`` more of its applications,
one per stage each round (``demo.add_applications``). Each desk page is fetched in-process (a TestClient, the app's
whole middleware stack) ``--runs`` times, signed in as its role, at both sizes. Printed per page: the applications it
shows, the statements it runs, its median time, and the ratio of the grown desk's time to the demo-sized one's (the
baseline, same run). A page that reads a statement per row, or loads each application's composition, grows with
the desk; tests/service/window/test_desk_growth.py holds the statements and what is loaded.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules.packs import DEFAULT_PACK, PACKS_DIR  # noqa: E402
from service import db, demo  # noqa: E402
from service.app import create_app  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.service.window.deskutil import DEMO_LISTS, NUMBERS  # noqa: E402


def measure(settings: Settings, runs: int) -> dict[str, tuple[int, int, float]]:
    """Per page: applications shown, statements per request, median milliseconds."""
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    figures = {}
    event.listen(Engine, "before_cursor_execute", count)
    try:
        with TestClient(create_app(settings)) as client:
            for login, pages in DEMO_LISTS.items():
                client.cookies.clear()
                token = re.findall(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text)[0]
                client.post("/sign-in", data={"csrf_token": token, "login": login, "password": demo.DEMO_PASSWORD, "next": ""})
                for page in pages:
                    shown = client.get(page)  # warm: templates compiled, packs read
                    assert shown.status_code == 200, (page, shown.status_code)
                    statements[0], took = 0, []
                    for _ in range(runs):
                        started = time.perf_counter()
                        client.get(page)
                        took.append(time.perf_counter() - started)
                    figures[page] = (len(set(NUMBERS.findall(shown.text))), statements[0] // runs, statistics.median(took) * 1000)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=24, help="more applications of the demo's, one per stage each round")
    parser.add_argument("--runs", type=int, default=20, help="requests per page and size; the median is printed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{Path(work) / 'desks.db'}"
        db.upgrade(url)
        settings = Settings(
            database_url=url,
            packs_dir=PACKS_DIR,
            default_pack=DEFAULT_PACK,
            files_dir=Path(work) / "files",
            keys_dir=Path(work) / "keys",
            demo=True,
        )
        seeded = demo.seed(settings)
        small = measure(settings, args.runs)
        started = time.perf_counter()
        grown = seeded.applications
        for _ in range(args.rounds):
            grown = demo.add_applications(settings)
        print(f"the demo's {seeded.applications} applications, then {grown} ({time.perf_counter() - started:.0f} s to add them)")
        large = measure(settings, args.runs)
    print(f"{'page':16} {'shown':>11} {'statements':>11} {'p50 ms':>17}  × baseline (the demo-sized desk)")
    for page, (shown, statements, ms) in small.items():
        big_shown, big_statements, big_ms = large[page]
        print(
            f"{page:16} {shown:>4} → {big_shown:<4} {statements:>4} → {big_statements:<4} "
            f"{ms:>7.1f} → {big_ms:<7.1f}  {big_ms / ms:.2f}×"
        )


if __name__ == "__main__":
    main()
