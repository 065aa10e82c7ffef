"""certificates: one row per version of a comprehensive certificate; the signing keys' public halves"""

from service.migrations.schema import Ref, Unique, create_table, drop_table, integer, json, string, timestamp, uuid

revision = '0006'
down_revision = '0005'


def upgrade() -> None:
    create_table('certificate_key',
        string('key_id', 8),
        string('public_key', 64),
        timestamp('created_at'),
        timestamp('retired_at', nullable=True),
        key=('key_id',),
    )
    create_table('certificate',
        uuid('id'),
        string('number', 40),
        integer('version'),
        uuid('application_id'),
        uuid('owner_id'),
        json('face'),
        string('key_id', 8),
        uuid('issued_by'),
        timestamp('issued_at'),
        timestamp('superseded_at', nullable=True),
        timestamp('recovered_at', nullable=True),
        string('recovery_reason', 300),
        refs=(Ref('application_id', 'application'), Ref('issued_by', 'user'), Ref('owner_id', 'user')),
        unique=(Unique('uq_certificate_application_id_version', ('application_id', 'version')),),
        indexes=('application_id', 'number'),
    )


def downgrade() -> None:
    drop_table('certificate', 'application_id', 'number')
    drop_table('certificate_key')
