"""The site's icon, where a browser asks for it on every page, document and verify page it opens."""

from __future__ import annotations

import struct

from fastapi.testclient import TestClient


def test_a_browser_finds_the_site_icon_where_it_looks_first(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert "max-age" in icon.headers["cache-control"]  # asked for on every page: kept, not fetched each time
    reserved, kind, count = struct.unpack("<HHH", icon.content[:6])
    assert (reserved, kind) == (0, 1)  # an ICO file
    # each image's directory entry: width and height in its first two bytes, 0 meaning 256
    sizes = {(icon.content[6 + 16 * i] or 256, icon.content[7 + 16 * i] or 256) for i in range(count)}
    assert {(16, 16), (32, 32)} <= sizes
