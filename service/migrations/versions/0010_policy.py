"""policy desk: change sets and pack releases"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import JSON, create_indexes, drop_indexes, text, timestamp

revision = '0010_policy'
down_revision = '0009_certlife'


def upgrade() -> None:
    op.create_table('policy_change_set',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', text(200), nullable=False),
    sa.Column('reason', text(2000), nullable=False),
    sa.Column('pack_id', text(64), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('approver_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('base_commit', text(40), nullable=False),
    sa.Column('files', JSON, nullable=False),
    sa.Column('problems', JSON, nullable=False),
    sa.Column('comments', text(2000), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('published_commit', text(40), nullable=True),
    timestamp('created_at'),
    timestamp('updated_at'),
    sa.ForeignKeyConstraint(['approver_id'], ['user.id'], name=op.f('fk_policy_change_set_approver_id_user')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_policy_change_set_author_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_change_set'))
    )
    create_indexes('policy_change_set', 'author_id', 'status')
    op.create_table('pack_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commit', text(40), nullable=False),
    sa.Column('change_set_id', sa.Uuid(), nullable=False),
    timestamp('published_at'),
    sa.ForeignKeyConstraint(
        ['change_set_id'], ['policy_change_set.id'], name=op.f('fk_pack_release_change_set_id_policy_change_set')
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_release')),
    sa.UniqueConstraint('commit', name=op.f('uq_pack_release_commit'))
    )


def downgrade() -> None:
    op.drop_table('pack_release')
    drop_indexes('policy_change_set', 'status', 'author_id')
    op.drop_table('policy_change_set')
