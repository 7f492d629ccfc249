"""Enrolment history: fetches, per-session snapshots, indexed by session_key.

Exactly the schema the pre-Alembic upgrade runner left at its version 2, so such a store is
stamped at this revision instead of being created again.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create fetches and snapshots, and the session_key index."""
    op.create_table(
        "fetches",
        sa.Column("fetch_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("origin", sa.String(500), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.UniqueConstraint("origin", "recorded_at", name="uq_fetches_origin_recorded_at"),
    )
    op.create_table(
        "snapshots",
        sa.Column(
            "fetch_id",
            sa.Integer,
            sa.ForeignKey("fetches.fetch_id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("session_key", sa.String(200), primary_key=True),
        sa.Column("training_key", sa.String(200), nullable=False),
        sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_capacity", sa.Integer, nullable=True),
        sa.Column("enrolled", sa.Integer, nullable=True),
    )
    op.create_index("ix_snapshots_session_key", "snapshots", ["session_key"])


def downgrade() -> None:
    """Drop the history tables."""
    op.drop_table("snapshots")
    op.drop_table("fetches")
