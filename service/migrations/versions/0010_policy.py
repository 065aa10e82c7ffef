"""policy desk: change sets and pack releases"""

import sqlalchemy as sa

from service.migrations.schema import Ref, create_table, day, drop_table, integer, json, string, timestamp, uuid

revision = '0010_policy'
down_revision = '0009_certlife'


def upgrade() -> None:
    create_table('policy_change_set',
        uuid('id'),
        string('title', 200),
        string('reason', 2000),
        string('pack_id', 64),
        uuid('author_id'),
        uuid('approver_id', nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        string('base_commit', 40),
        json('files'),
        json('problems'),
        string('comments', 2000),
        day('effective_date', nullable=True),
        string('published_commit', 40, nullable=True),
        timestamp('created_at'),
        timestamp('updated_at'),
        refs=(Ref('approver_id', 'user'), Ref('author_id', 'user')),
        indexes=('author_id', 'status'),
    )
    create_table('pack_release',
        integer('id'),
        string('commit', 40),
        uuid('change_set_id'),
        timestamp('published_at'),
        refs=(Ref('change_set_id', 'policy_change_set'),),
        unique=('commit',),
    )


def downgrade() -> None:
    drop_table('pack_release')
    drop_table('policy_change_set', 'author_id', 'status')
