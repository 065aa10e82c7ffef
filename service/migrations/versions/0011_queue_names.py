"""queue names: the applicant's name on each permit task, trigram-indexed among open tasks (PostgreSQL)

Revision ID: 0011_queue_names
Revises: 0010_policy
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_queue_names'
down_revision: str | Sequence[str] | None = '0010_policy'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('waiting_dependency', 'pending', 'rectification_needed')")


def upgrade() -> None:
    with op.batch_alter_table('permit_task') as batch:
        batch.add_column(sa.Column('applicant_name', sa.String(length=200), nullable=False, server_default=''))
    op.execute(
        'UPDATE permit_task SET applicant_name = '
        '(SELECT applicant_name FROM application WHERE application.id = permit_task.application_id)'
    )
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        home = bind.execute(sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        )).scalar_one()
        op.create_index('ix_permit_task_open_name_trgm', 'permit_task', ['applicant_name'], unique=False,
                        postgresql_using='gin', postgresql_ops={'applicant_name': f'"{home}".gin_trgm_ops'},
                        postgresql_where=OPEN)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_permit_task_open_name_trgm', table_name='permit_task', postgresql_where=OPEN)
    with op.batch_alter_table('permit_task') as batch:
        batch.drop_column('applicant_name')
