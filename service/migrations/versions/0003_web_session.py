"""web_session: server-side sessions (the cookie holds only a random id)"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import JSON, create_indexes, drop_indexes, text, timestamp

revision = '0003'
down_revision = '0002'


def upgrade() -> None:
    op.create_table('web_session',
    sa.Column('id_hash', text(64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('data', JSON, nullable=False),
    timestamp('created_at'),
    timestamp('idle_expires_at'),
    timestamp('expires_at'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_web_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_web_session'))
    )
    create_indexes('web_session', 'user_id', 'idle_expires_at', 'expires_at')


def downgrade() -> None:
    drop_indexes('web_session', 'expires_at', 'idle_expires_at', 'user_id')
    op.drop_table('web_session')
