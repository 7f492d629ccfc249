"""Portals, their sync runs, and complete normalised snapshots of each portal.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

FRAMES = ("sessions_frame", "trainings_frame", "tutors_frame", "rejected_frame", "warnings_frame")


def upgrade() -> None:
    """Create portals, sync_runs and portal_snapshots."""
    op.create_table(
        "portals",
        sa.Column("portal_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("base_url", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sync_runs",
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "portal",
            sa.String(100),
            sa.ForeignKey("portals.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("sessions", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.CheckConstraint("status IN ('running', 'ok', 'failed')", name="ck_sync_runs_status"),
    )
    op.create_index("ix_sync_runs_portal_run", "sync_runs", ["portal", "run_id"])
    op.create_table(
        "portal_snapshots",
        sa.Column("snapshot_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "portal",
            sa.String(100),
            sa.ForeignKey("portals.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("sync_runs.run_id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("origin", sa.String(500), nullable=False),
        sa.Column("is_demo", sa.Boolean, nullable=False),
        sa.Column("quality", sa.Text, nullable=False),
        *(sa.Column(name, sa.LargeBinary, nullable=False) for name in FRAMES),
    )
    op.create_index(
        "ix_portal_snapshots_latest", "portal_snapshots", ["portal", "complete", "snapshot_id"]
    )


def downgrade() -> None:
    """Drop the snapshot tables (history stays)."""
    op.drop_table("portal_snapshots")
    op.drop_table("sync_runs")
    op.drop_table("portals")
