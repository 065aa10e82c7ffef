"""certificates: a status revision per version for the scan's memory; the live earliest term indexed for reminders"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0012_certperf'
down_revision = '0012_certlife'

IN_FORCE = sa.text('superseded_at IS NULL AND recovered_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('certificate') as batch:
        batch.add_column(sa.Column('status_revision', sa.Integer(), nullable=False, server_default='0'))
    # expires_on held the printed terms; an extension moves a held permit's term, so versions with holdings are recomputed
    connection = op.get_bind()
    certificate = sa.table('certificate', sa.column('id', sa.Uuid()), sa.column('application_id', sa.Uuid()),
                           sa.column('face', sa.JSON()), sa.column('expires_on', sa.Date()))
    holding = sa.table('permit_holding', sa.column('application_id', sa.Uuid()), sa.column('permit', sa.String()),
                       sa.column('valid_to', sa.Date()))
    held: dict[object, dict[str, date | None]] = {}
    for row in connection.execute(sa.select(holding.c.application_id, holding.c.permit, holding.c.valid_to)):
        held.setdefault(row.application_id, {})[row.permit] = row.valid_to
    query = sa.select(certificate.c.id, certificate.c.application_id, certificate.c.face)
    for row in connection.execute(query.where(certificate.c.application_id.in_(list(held)))).all():
        terms = held[row.application_id]
        ends = [terms[p['permit']] if p['permit'] in terms else p.get('valid_to') for p in row.face.get('permits', [])]
        days = [e if isinstance(e, date) else date.fromisoformat(e) for e in ends if e]
        connection.execute(certificate.update().where(certificate.c.id == row.id).values(expires_on=min(days, default=None)))
    op.create_index('ix_certificate_in_force_expires_on', 'certificate', ['expires_on'], unique=False,
                    postgresql_where=IN_FORCE, sqlite_where=IN_FORCE)


def downgrade() -> None:
    op.drop_index('ix_certificate_in_force_expires_on', table_name='certificate', postgresql_where=IN_FORCE,
                  sqlite_where=IN_FORCE)
    with op.batch_alter_table('certificate') as batch:
        batch.drop_column('status_revision')
