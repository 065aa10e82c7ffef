"""A client generated from ``/openapi.json`` by openapi-python-client installs and works without overrides.

The generator lives in a venv of its own (it pins a typer the project's venv does not have), made once
per generator version under the user's cache directory; the client is generated, installed there and
driven against a real ``yiye serve`` on each run.
"""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path

import httpx

from rules.packs import DEFAULT_PACK, PACKS_DIR
from tests.service.svcutil import serving

GENERATOR = "openapi-python-client==0.29.1"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "yiye" / GENERATOR.replace("==", "-")

LOOP = """
import json, sys
from yiye_client import Client
from yiye_client.api.catalogue import list_industries
from yiye_client.api.compose import compose, questions
from yiye_client.models import ComposeRequestType0, Composition, IndustryList, QuestionsResponse

base, pack = sys.argv[1:]
with Client(base_url=base, raise_on_unexpected_status=True) as client:
    catalogue = list_industries.sync(pack, client=client, q="便利店")
    assert isinstance(catalogue, IndustryList), catalogue
    industry = catalogue.items[0].id
    answers = {}
    while True:
        request = ComposeRequestType0.from_dict({"pack": pack, "industries": [industry], "answers": answers, "locale": "zh"})
        open_ = questions.sync(client=client, body=request)
        assert isinstance(open_, QuestionsResponse), open_
        if open_.complete:
            break
        for q in open_.questions:
            answers[q.id] = {"area_m2": 80, "sells_tobacco": True}.get(q.id, 80 if q.type_ == "number" else False)
    notice = compose.sync(client=client, body=request)
    assert isinstance(notice, Composition), notice
    print(json.dumps({"industry": industry, "asked": sorted(answers), "complete": notice.complete,
                      "permits": [p.id for p in notice.permits]}))
"""


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _generator_venv() -> Path:
    """The generator's own venv, built once: a marker is written only after the install succeeded."""
    ready = CACHE / "ready"
    if not ready.exists():
        venv.EnvBuilder(clear=True, with_pip=True).create(CACHE)
        _run(CACHE / "bin" / "python", "-m", "pip", "install", "--quiet", GENERATOR)
        ready.write_text(GENERATOR)
    return CACHE / "bin"


def test_a_generated_client_composes_asks_and_lists_industries(tmp_path: Path) -> None:
    bin_dir = _generator_venv()
    env = {
        "YIYE_DATABASE_URL": f"sqlite:///{tmp_path / 'client.db'}",
        "YIYE_PACKS_DIR": str(PACKS_DIR),
        "YIYE_DEFAULT_PACK": DEFAULT_PACK,
        "YIYE_RATE_LIMIT_ENABLED": "false",
        "YIYE_LOG_LEVEL": "WARNING",
    }
    with serving([], env, "/api/v1/packs") as base:
        (tmp_path / "openapi.json").write_bytes(httpx.get(f"{base}/openapi.json").raise_for_status().content)
        _run(bin_dir / "openapi-python-client", "generate", "--path", "openapi.json", cwd=tmp_path)
        _run(bin_dir / "python", "-m", "pip", "install", "--quiet", tmp_path / "yiye-client")
        result = json.loads(_run(bin_dir / "python", "-c", LOOP, base, DEFAULT_PACK))
    assert result["complete"] is True
    assert result["industry"] == "convenience_store"
    assert {"area_m2", "sells_tobacco"} <= set(result["asked"])
    assert "tobacco_retail" in result["permits"]
