"""The collector is tuned by ``yiye serve`` in its workers, never by the app factory."""

from __future__ import annotations

import gc

import pytest
from fastapi.testclient import TestClient

from service import cli_serve
from service.app import create_app
from tests.service.svcutil import make_settings


def test_an_app_made_by_the_factory_leaves_the_collector_as_it_was(sqlite_url: str) -> None:
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    with TestClient(create_app(make_settings(sqlite_url))) as client:
        assert client.get("/api/v1/packs").status_code == 200
    assert (gc.get_threshold(), gc.get_freeze_count()) == (threshold, frozen)


def test_a_served_worker_freezes_its_packs_and_collects_less_often(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    threshold = gc.get_threshold()
    for name, value in make_settings(sqlite_url).model_dump(mode="json").items():
        if value is not None and not isinstance(value, list | dict):
            monkeypatch.setenv(f"YIYE_{name.upper()}", str(value))
    try:
        with TestClient(cli_serve.serving_app()) as client:
            assert client.get("/api/v1/packs").status_code == 200
            assert gc.get_threshold()[0] > threshold[0]
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
