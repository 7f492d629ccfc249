"""Which process ran each sync: `sync_runs.holder` ("hostname:pid").

With several dashboards and sync workers on one store, an operator (or a test) can tell which
process holds a running sync, and which one left a run abandoned.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable holder column (runs written before it keep NULL)."""
    op.add_column("sync_runs", sa.Column("holder", sa.String(200), nullable=True))


def downgrade() -> None:
    """Drop the holder column."""
    with op.batch_alter_table("sync_runs") as batch:
        batch.drop_column("holder")
