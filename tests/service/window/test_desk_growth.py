"""A desk reads the same few statements however many applications it lists, and never their compositions (tens of
KiB each): a district's queue holds hundreds."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from service import demo
from service.app import create_app
from tests.service.svcutil import demo_settings
from tests.service.window.deskutil import DEMO_LISTS, NUMBERS

WHOLE = re.compile(r"\bapplication\.(composition|form_values)\b")


def _statements(client: TestClient) -> dict[str, tuple[int, int]]:
    """Per page: the statements it ran and the applications (their numbers) it showed."""
    counted = [0]

    def count(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        counted[0] += 1
        assert not WHOLE.search(statement), f"a desk loaded whole applications: {statement[:300]}"

    found = {}
    event.listen(Engine, "before_cursor_execute", count)
    try:
        for login, pages in DEMO_LISTS.items():
            client.cookies.clear()
            token = re.findall(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text)[0]
            form = {"csrf_token": token, "login": login, "password": demo.DEMO_PASSWORD, "next": ""}
            assert client.post("/sign-in", data=form).status_code == 200, login
            for page in pages:
                counted[0] = 0
                shown = client.get(page)
                assert shown.status_code == 200, page
                found[page] = (counted[0], len(set(NUMBERS.findall(shown.text))))
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return found


def test_each_desk_reads_as_many_statements_for_four_times_the_applications(tmp_path: Path) -> None:
    # The check for a newly published rule change reads the database once a second, whichever page is asking.
    settings = demo_settings(tmp_path).model_copy(update={"release_check_seconds": 0})
    demo.seed(settings)
    app = create_app(settings)
    with TestClient(app) as client:
        before = _statements(client)
        for _ in range(3):
            demo.add_applications(settings)
        after = _statements(client)
    for page, (statements, shown) in before.items():
        assert after[page][0] == statements, f"{page}: {statements} statements for {shown} applications, then {after[page]}"
        assert after[page][1] == 4 * shown, page  # and it lists all of them
    assert all(shown for page, (_, shown) in before.items() if page != "/supervision")  # which counts, not lists
