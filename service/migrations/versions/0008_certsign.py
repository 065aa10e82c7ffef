"""certificates: each version's index in the status list and its earliest expiry; the status list itself"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0008_certsign'
down_revision = '0007_queues'


def upgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_index', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
    status_list = op.create_table('status_list',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('next_index', sa.Integer(), nullable=False),
    sa.Column('jws', sa.Text(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_list'))
    )
    # Certificates issued before this revision get indexes in issue order and their expiry from the face.
    connection = op.get_bind()
    certificate = sa.table('certificate', sa.column('id', sa.Uuid()), sa.column('face', sa.JSON()), sa.column('issued_at'),
                           sa.column('list_index', sa.Integer()), sa.column('expires_on', sa.Date()))
    rows = connection.execute(sa.select(certificate.c.id, certificate.c.face).order_by(certificate.c.issued_at)).all()
    for index, row in enumerate(rows):
        ends = [date.fromisoformat(p['valid_to']) for p in row.face.get('permits', []) if p.get('valid_to')]
        connection.execute(certificate.update().where(certificate.c.id == row.id).values(list_index=index, expires_on=min(ends, default=None)))
    op.bulk_insert(status_list, [{'id': 1, 'next_index': len(rows), 'jws': '', 'generated_at': None}])
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_list_index'), ['list_index'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_list_index'))
        batch_op.drop_column('expires_on')
        batch_op.drop_column('list_index')
    op.drop_table('status_list')
