"""certificates after issue: each held sub-permit's live state and term; applications about an issued certificate"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import JSON, create_indexes, text

revision = '0009_certlife'
down_revision = '0008_certsign'


def upgrade() -> None:
    op.create_table('permit_holding',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('permit', text(64), nullable=False),
    sa.Column('permit_name', text(200), nullable=False),
    sa.Column('department', text(64), nullable=False),
    sa.Column('status', text(30), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('suspended_until', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_permit_holding_application_id_application')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_permit_holding_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permit_holding')),
    sa.UniqueConstraint('application_id', 'permit', name='uq_permit_holding_application_id_permit')
    )
    create_indexes('permit_holding', 'application_id', 'department')
    op.create_table('lifecycle_request',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('kind', text(20), nullable=False),
    sa.Column('origin_id', sa.Uuid(), nullable=False),
    sa.Column('certificate_id', sa.Uuid(), nullable=False),
    sa.Column('permits', JSON, nullable=False),
    sa.Column('values', JSON, nullable=False),
    sa.Column('suspend_from', sa.Date(), nullable=True),
    sa.Column('suspend_to', sa.Date(), nullable=True),
    sa.Column('reason', text(500), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_lifecycle_request_application_id_application')),
    sa.ForeignKeyConstraint(['origin_id'], ['application.id'], name=op.f('fk_lifecycle_request_origin_id_application')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_lifecycle_request_certificate_id_certificate')),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_lifecycle_request'))
    )
    create_indexes('lifecycle_request', 'origin_id')


def downgrade() -> None:
    op.drop_table('lifecycle_request')
    op.drop_table('permit_holding')
