"""The audit log in the store: `audit_events`, one row per sign-in, refusal, download,
merge proposal and draft check.

Every replica writes to the one store, so "who downloaded what" has one answer. A sign-in seen
by several replicas or tabs is one row: its `sign_in_key` (a SHA-256 of the identity token's
issuer, subject and issue time, never the token) is unique, and writers insert-or-ignore.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create audit_events with its time and person indexes."""
    op.create_table(
        "audit_events",
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("page", sa.String(200), nullable=True),
        sa.Column("file", sa.String(500), nullable=True),
        sa.Column("rows", sa.Integer, nullable=True),
        sa.Column("filters", sa.Text, nullable=True),
        sa.Column("counts", sa.Text, nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("process", sa.String(200), nullable=True),
        sa.Column("sign_in_key", sa.String(64), nullable=True),
        sa.UniqueConstraint("sign_in_key", name="uq_audit_events_sign_in_key"),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_email_at", "audit_events", ["email", "at"])


def downgrade() -> None:
    """Drop the audit log."""
    op.drop_table("audit_events")
