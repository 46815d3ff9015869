"""interview session owner and sharing consent

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 18:08:39.070702
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('interview_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('shared_with_counsellor', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key('fk_interview_sessions_user_id', 'users', ['user_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('interview_sessions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_interview_sessions_user_id', type_='foreignkey')
        batch_op.drop_column('shared_with_counsellor')
        batch_op.drop_column('user_id')

