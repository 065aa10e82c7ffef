"""certificates after issue: each held sub-permit's live state and term; applications about an issued certificate"""

from service.migrations.schema import Ref, Unique, create_table, day, drop_table, integer, json, permit_of_application, string, uuid

revision = '0009_certlife'
down_revision = '0008_certsign'


def upgrade() -> None:
    create_table('permit_holding',
        *permit_of_application(),
        string('status', 30),
        day('valid_to', nullable=True),
        day('suspended_until', nullable=True),
        integer('version'),
        refs=(Ref('application_id', 'application'), Ref('owner_id', 'user')),
        unique=(Unique('uq_permit_holding_application_id_permit', ('application_id', 'permit')),),
        indexes=('application_id', 'department'),
    )
    create_table('lifecycle_request',
        uuid('application_id'),
        string('kind', 20),
        uuid('origin_id'),
        uuid('certificate_id'),
        json('permits'),
        json('values'),
        day('suspend_from', nullable=True),
        day('suspend_to', nullable=True),
        string('reason', 500),
        key=('application_id',),
        refs=(Ref('application_id', 'application'), Ref('origin_id', 'application'), Ref('certificate_id', 'certificate')),
        indexes=('origin_id',),
    )


def downgrade() -> None:
    drop_table('lifecycle_request')
    drop_table('permit_holding')
