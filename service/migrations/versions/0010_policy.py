"""policy desk: change sets and pack releases

Revision ID: 0010_policy
Revises: 0009_certlife
Create Date: 2026-12-05 07:35:58.484058
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = '0010_policy'
down_revision: str | Sequence[str] | None = '0009_certlife'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('policy_change_set',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('pack_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('approver_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('base_commit', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('files', JSON, nullable=False),
    sa.Column('problems', JSON, nullable=False),
    sa.Column('comments', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('published_commit', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['user.id'], name=op.f('fk_policy_change_set_approver_id_user')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_policy_change_set_author_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_change_set'))
    )
    with op.batch_alter_table('policy_change_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_change_set_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_change_set_status'), ['status'], unique=False)

    op.create_table('pack_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commit', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('change_set_id', sa.Uuid(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(
        ['change_set_id'], ['policy_change_set.id'], name=op.f('fk_pack_release_change_set_id_policy_change_set')
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_release')),
    sa.UniqueConstraint('commit', name=op.f('uq_pack_release_commit'))
    )


def downgrade() -> None:
    op.drop_table('pack_release')
    with op.batch_alter_table('policy_change_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_change_set_status'))
        batch_op.drop_index(batch_op.f('ix_policy_change_set_author_id'))

    op.drop_table('policy_change_set')
