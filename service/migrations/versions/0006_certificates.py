"""certificates: one row per version of a comprehensive certificate; the signing keys' public halves"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import JSON, create_indexes, drop_indexes, text, timestamp

revision = '0006'
down_revision = '0005'


def upgrade() -> None:
    op.create_table('certificate_key',
    sa.Column('key_id', text(8), nullable=False),
    sa.Column('public_key', text(64), nullable=False),
    timestamp('created_at'),
    timestamp('retired_at', nullable=True),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_certificate_key'))
    )
    op.create_table('certificate',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', text(40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('face', JSON, nullable=False),
    sa.Column('key_id', text(8), nullable=False),
    sa.Column('issued_by', sa.Uuid(), nullable=False),
    timestamp('issued_at'),
    timestamp('superseded_at', nullable=True),
    timestamp('recovered_at', nullable=True),
    sa.Column('recovery_reason', text(300), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_certificate_application_id_application')),
    sa.ForeignKeyConstraint(['issued_by'], ['user.id'], name=op.f('fk_certificate_issued_by_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_certificate_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('application_id', 'version', name='uq_certificate_application_id_version')
    )
    create_indexes('certificate', 'application_id', 'number')


def downgrade() -> None:
    drop_indexes('certificate', 'number', 'application_id')
    op.drop_table('certificate')
    op.drop_table('certificate_key')
