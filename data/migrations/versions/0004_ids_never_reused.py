"""ids never reused: SQLite AUTOINCREMENT on seekers and postings; per-seeker ledger key

On SQLite both tables are rebuilt with AUTOINCREMENT, so a deleted row's id is never handed out
again (PostgreSQL serial columns already never reuse). `seekers.ledger_key` is a random key the
service ledger's pseudonym is derived from; rows that existed before this migration keep NULL and
with it their id-based pseudonym, so their service history stays linked to them.

`data.db.migrate` turns SQLite foreign keys off while migrating: dropping the old table during the
rebuild would otherwise cascade into every table that refers to it.

Revision ID: 0004_ids
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_ids'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('seekers', recreate='always' if sqlite else 'auto',
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('ledger_key', sa.String(length=32), nullable=True))
    if sqlite:
        with op.batch_alter_table('postings', recreate='always', table_kwargs={'sqlite_autoincrement': True}):
            pass


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('seekers', recreate='always' if sqlite else 'auto') as batch_op:
        batch_op.drop_column('ledger_key')
    if sqlite:
        with op.batch_alter_table('postings', recreate='always'):
            pass
