"""accounts: an administrator may disable an account (staff who left); a disabled account signs in nowhere"""

from alembic import op

from service.migrations.schema import timestamp

revision = '0013_account_disabled'
down_revision = '0012_certperf'


def upgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.add_column(timestamp('disabled_at', nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.drop_column('disabled_at')
