"""outbox: work owed with the change it follows (notifications, reminders, e-mail), and users' notifications"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import JSON, create_indexes, drop_indexes, text, timestamp

revision = '0005'
down_revision = '0004'


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', text(200), nullable=False),
    sa.Column('topic', text(20), nullable=False),
    sa.Column('payload', JSON, nullable=False),
    timestamp('created_at'),
    sa.Column('attempts', sa.Integer(), nullable=False),
    timestamp('next_attempt_at'),
    timestamp('claimed_until', nullable=True),
    timestamp('delivered_at', nullable=True),
    timestamp('failed_at', nullable=True),
    sa.Column('last_error', text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['delivered_at', 'failed_at', 'next_attempt_at'], unique=False)
    op.create_table('notification',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('key', text(250), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('title', text(200), nullable=False),
    sa.Column('body', text(), nullable=False),
    timestamp('created_at'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('key', name=op.f('uq_notification_key'))
    )
    create_indexes('notification', 'user_id')


def downgrade() -> None:
    drop_indexes('notification', 'user_id')
    op.drop_table('notification')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')
    op.drop_table('outbox')
