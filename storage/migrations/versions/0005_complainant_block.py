"""complainant blocks: the office blocks and unblocks a complainant by ticket number

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = storage.types.AwareDateTime(timezone=True)
    op.create_table(
        "complainant_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complainant_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("blocked_by", sa.BigInteger(), nullable=False),
        sa.Column("blocked_at", when, nullable=False),
        sa.Column("told_at", when, nullable=True),
        sa.Column("appeal", sa.Text(), nullable=False),
        sa.Column("appealed_at", when, nullable=True),
        sa.Column("lifted_by", sa.BigInteger(), nullable=True),
        sa.Column("lifted_at", when, nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["complainant_id"], ["complainant.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("complainant_block", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complainant_block_complainant_id"),
                              ["complainant_id"])


def downgrade() -> None:
    with op.batch_alter_table("complainant_block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complainant_block_complainant_id"))
    op.drop_table("complainant_block")
