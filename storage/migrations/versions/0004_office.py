"""accountability office: findings, officials, triage corrections, identity audit

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:46:44.241637
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('official',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('unit_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('post', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', storage.types.AwareDateTime(timezone=True), nullable=False),
    sa.Column('merged_into', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['merged_into'], ['official.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key', 'unit_key', name='uq_official_name_unit')
    )
    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=False),
    sa.Column('recorded_at', storage.types.AwareDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id')
    )
    op.create_table('identity_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('viewer', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', storage.types.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('identity_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_view_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('triage_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('old', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('new', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('by', sa.BigInteger(), nullable=False),
    sa.Column('at', storage.types.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('triage_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_triage_correction_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('finding_official',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('post', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('finding_official', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_official_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index('ix_finding_official_official_year', ['official_id', 'year'], unique=False)

    # the office reads tickets by the period they were filed in
    op.create_index('ix_ticket_created_at', 'ticket', ['created_at'], unique=False)



def downgrade() -> None:
    op.drop_index('ix_ticket_created_at', table_name='ticket')

    with op.batch_alter_table('finding_official', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_official_official_year')
        batch_op.drop_index(batch_op.f('ix_finding_official_finding_id'))

    op.drop_table('finding_official')
    with op.batch_alter_table('triage_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_triage_correction_ticket_id'))

    op.drop_table('triage_correction')
    with op.batch_alter_table('identity_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_view_ticket_id'))

    op.drop_table('identity_view')
    op.drop_table('finding')
    op.drop_table('official')
