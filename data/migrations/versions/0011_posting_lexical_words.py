"""a posting's BM25 words stored with the row

- `postings.lexical_words` (nullable text holding compact JSON): the posting text's BM25 words, cut when the
  posting is written (`matcher.posting_words`), with a fingerprint of the code that cut them and a digest
  of the text. Existing rows keep NULL; the next index rebuild (or start-up read) cuts them and stores them.
Additive: no existing column or row changes.

Revision ID: 0011_posting_lexical_words
Revises: 0010_seeker_match_query
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_posting_lexical_words'
down_revision = '0010_seeker_match_query'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('postings') as batch:
        batch.add_column(sa.Column('lexical_words', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('postings') as batch:
        batch.drop_column('lexical_words')
