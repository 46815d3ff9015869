"""the seeker's match query stored with the row

- `seekers.match_query` (nullable text holding compact JSON): what a match request needs from the seeker's own text, derived
  when the seeker is written (`matcher.seeker_query`): the BM25 words of the seeker's text, the ranking
  fields read off `extracted` and `occupation_codes`, and a fingerprint of the code that derived them.
  Existing rows keep NULL; the first match of each derives it from the row and stores it.
Additive: no existing column or row changes.

Revision ID: 0010_seeker_match_query
Revises: 0009_location_radius
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_seeker_match_query'
down_revision = '0009_location_radius'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('seekers') as batch:
        batch.add_column(sa.Column('match_query', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('seekers') as batch:
        batch.drop_column('match_query')
