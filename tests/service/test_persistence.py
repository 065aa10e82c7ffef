"""The schema comes from Alembic on both SQLite and PostgreSQL, matches the models, and keeps its promises."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from service import crud, db
from service.db import make_engine
from service.models import Draft, DraftCreate, DraftUpdate, StoredComposition, User, UserCreate

ROOT = Path(__file__).resolve().parents[2]


def test_upgrade_head_builds_every_table(db_url: str) -> None:
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"user", "draft", "stored_composition", "alembic_version"} <= tables


def test_models_and_migrations_agree(db_url: str) -> None:
    # alembic check: autogenerate finds nothing to add, drop or alter.
    command.check(db.alembic_config(db_url))


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'round.db'}"
    db.upgrade(url)
    db.downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    db.upgrade(url)
    command.check(db.alembic_config(url))


def test_user_round_trip_and_lookup_by_phone_or_email(db_url: str) -> None:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        user = crud.create_user(
            session=session, user_create=UserCreate(email="Li@Example.com", phone="13912345678", password="a-long-password")
        )
        assert crud.get_user_by_login(session=session, login="li@example.com") == user
        assert crud.get_user_by_login(session=session, login="139-1234-5678") == user
        assert crud.authenticate(session=session, login="13912345678", password="a-long-password") == user
        assert crud.authenticate(session=session, login="13912345678", password="wrong") is None
        assert user.created_at is not None
    engine.dispose()


def test_an_email_is_unique_in_the_database_itself(db_url: str) -> None:
    engine = make_engine(db_url)
    with Session(engine) as session:
        session.add(User(email="same@example.com", password_hash="x"))
        session.commit()
        session.add(User(email="same@example.com", password_hash="y"))
        with pytest.raises(IntegrityError):
            session.commit()
    engine.dispose()


def test_json_columns_keep_chinese_text_numbers_and_nesting(db_url: str) -> None:
    engine = make_engine(db_url)
    answers = {"area_m2": 80.5, "sells_tobacco": True, "kind": "现制现售", "unknown": None}
    form_values = {"applicant_name": "北京东城便利店有限公司", "rooms": 12, "nested": {"a": [1, 2, 3]}}
    with Session(engine, expire_on_commit=False) as session:
        owner = crud.create_user(session=session, user_create=UserCreate(phone="13700137000", password="a-long-password"))
        draft = crud.create_draft(
            session=session,
            owner=owner,
            draft_create=DraftCreate(
                pack_id="mini",
                industries=["shop"],
                scope=["food_sales"],
                answers=answers,
                commit=["food_business"],
                form_values=form_values,
            ),
        )
    with Session(engine) as session:
        loaded = session.get(Draft, draft.id)
        assert loaded is not None
        assert loaded.answers == answers
        assert loaded.form_values == form_values
        assert loaded.commit == ["food_business"]
        assert loaded.status == "draft"
    engine.dispose()


def test_deleting_a_user_deletes_their_drafts(db_url: str) -> None:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        owner = crud.create_user(session=session, user_create=UserCreate(phone="13600136000", password="a-long-password"))
        crud.create_draft(session=session, owner=owner, draft_create=DraftCreate(pack_id="mini"))
        session.delete(owner)
        session.commit()
        assert session.exec(select(Draft)).all() == []
    engine.dispose()


def test_stored_composition_keeps_its_date_and_input(db_url: str) -> None:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        row = StoredComposition(
            pack_id="mini",
            pack_version="0123456789abcdef",
            as_of=date(2026, 11, 26),
            input={"pack": "mini", "industries": ["shop"]},
            output_sha256="0" * 64,
        )
        session.add(row)
        session.commit()
    with Session(engine) as session:
        loaded = session.get(StoredComposition, row.id)
        assert loaded is not None
        assert loaded.as_of == date(2026, 11, 26)
        assert loaded.input == {"pack": "mini", "industries": ["shop"]}
    engine.dispose()


def test_list_drafts_newest_first(db_url: str) -> None:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        owner = crud.create_user(session=session, user_create=UserCreate(phone="13500135000", password="a-long-password"))
        first = crud.create_draft(session=session, owner=owner, draft_create=DraftCreate(pack_id="mini", industries=["shop"]))
        second = crud.create_draft(session=session, owner=owner, draft_create=DraftCreate(pack_id="mini", industries=["hotel"]))
        crud.update_draft(session=session, draft=first, draft_update=DraftUpdate(answers={"area_m2": 10}))
        assert [d.id for d in crud.list_drafts(session=session, owner=owner)] == [first.id, second.id]
        assert crud.count_drafts(session=session, owner=owner) == 2
    engine.dispose()


@pytest.mark.parametrize(("cwd", "config"), [(".", "service/alembic.ini"), ("service", "alembic.ini")])
def test_the_alembic_command_works_on_a_fresh_checkout(tmp_path: Path, cwd: str, config: str) -> None:
    # A fresh clone has no var/ directory for the default SQLite file; the command must make it.
    url = f"sqlite:///{tmp_path / 'var' / 'yiye.db'}"
    # no PYTHONPATH: the ini alone must put this checkout first, from either directory
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "YIYE_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", config, "upgrade", "head"],
        cwd=ROOT / cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    assert {"user", "draft", "stored_composition"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_drafts_saved_before_versions_start_at_version_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db.upgrade(url, "0001")
    engine = make_engine(url)
    owner, draft = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO \"user\" (id, display_name, password_hash, created_at) VALUES (:id, '', 'x', CURRENT_TIMESTAMP)"),
            {"id": owner.hex},
        )
        connection.execute(
            text(
                'INSERT INTO draft (id, owner_id, pack_id, industries, scope, answers, "commit", form_values, status,'
                " created_at, updated_at) VALUES (:id, :owner, 'mini', '[]', '[]', '{}', '[]', '{}', 'draft',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"id": draft.hex, "owner": owner.hex},
        )
    engine.dispose()
    db.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        loaded = session.get(Draft, draft)
        assert loaded is not None
        assert loaded.version == 1
    engine.dispose()
