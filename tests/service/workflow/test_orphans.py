"""A submitted application keeps the composition it was made from: draft deletes and ``yiye db prune`` leave it."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from typer.testing import CliRunner

from composer import Composer
from service import crud
from service.cli import app as cli
from service.compose import Composed, Output, canonical_request, today
from service.models import Draft, DraftUpdate, StoredComposition
from service.workflow.models import Application
from service.workflow.storage import LocalFileStore
from service.workflow.submit import submit
from tests.service.wfcase import CASE, SIGNED, Staff, uploads


def test_an_applications_composition_outlives_its_draft_and_a_prune(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], composer: Composer, store: LocalFileStore, db_url: str
) -> None:
    draft = make_draft(staff.applicant)
    application = submit(
        session, actor=staff.applicant, draft_id=draft.id, composer=composer, store=store, uploads=uploads(), signed=SIGNED
    ).application

    crud.delete_draft(session=session, draft=draft)
    result = CliRunner().invoke(cli, ["db", "prune", "--database-url", db_url])

    assert result.exit_code == 0, result.output
    assert "已删除 0 条" in result.output
    session.expire_all()
    kept = session.exec(select(Application)).one()
    assert kept.number == application.number
    assert kept.draft_id is None
    assert session.get(StoredComposition, kept.composition_id) is not None


def test_saving_a_submitted_draft_with_new_answers_keeps_the_applications_composition(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], composer: Composer, store: LocalFileStore
) -> None:
    draft = make_draft(staff.applicant)
    application = submit(
        session, actor=staff.applicant, draft_id=draft.id, composer=composer, store=store, uploads=uploads(), signed=SIGNED
    ).application
    changed = CASE.model_copy(update={"answers": {**CASE.answers, "area_m2": 120}})
    composition, body = composer.compose_json(changed)

    crud.update_draft(
        session=session,
        draft=draft,
        draft_update=DraftUpdate(answers=dict(changed.answers)),
        composed=Composed(
            changed,
            Output.of(composition, body),
            composition,
            cached=False,
            key=(changed.pack, composer.pack.version, canonical_request(changed)),
            today=today(),
        ),
    )

    assert draft.composition_id != application.composition_id
    assert session.get(StoredComposition, application.composition_id) is not None
