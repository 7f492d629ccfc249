"""Schema migrations: the Alembic revisions in `migrations/`, applied whenever a store opens.

No env.py and no alembic.ini: the runner hands Alembic the open connection, so an upgrade is
one transaction of ours, serialised across instances by a PostgreSQL advisory lock (SQLite: by
BEGIN IMMEDIATE). Stores written before Alembic carry a `schema_version` table instead; one at
version 2 equals revision 0001 and is stamped so, one at version 1 first gets the index that
version 2 added. The legacy table is left in place, so a store stays readable by the release
before this one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateTable

from lu_data.store.engine import write_transaction
from lu_data.store.sql_tables import FETCHES, SNAPSHOTS

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
PG_MIGRATION_LOCK = 7_041_905  # any constant: serialises schema upgrades across instances
HEAD = "head"
# The pre-Alembic runner's bookkeeping, and the revision its newest version equals.
LEGACY_TABLE = sa.Table(
    "schema_version",
    sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("description", sa.String(200), nullable=False),
)
LEGACY_LATEST = 2
LEGACY_REVISION = "0001"
LEGACY_STEPS = {1: "create fetches and snapshots", 2: "index snapshots by session_key"}
SESSION_INDEX = next(i for i in SNAPSHOTS.indexes if i.name == "ix_snapshots_session_key")


def script_directory() -> ScriptDirectory:
    """The package's revisions (found beside this module, in any install)."""
    return ScriptDirectory(
        str(MIGRATIONS_DIR), version_locations=[str(MIGRATIONS_DIR / "versions")]
    )


def head_revision() -> str:
    """The newest revision id."""
    head = script_directory().get_current_head()
    if head is None:  # pragma: no cover - the package ships its revisions
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None: empty, or written before Alembic)."""
    return MigrationContext.configure(conn).get_current_revision()


def legacy_version(conn: Connection) -> int:
    """The pre-Alembic schema version (0 when there is no schema_version table)."""
    if not sa.inspect(conn).has_table(LEGACY_TABLE.name):
        return 0
    return int(conn.execute(sa.select(sa.func.max(LEGACY_TABLE.c.version))).scalar() or 0)


def upgrade_schema(engine: Engine, upto: str | None = None) -> str:
    """Bring the database to revision `upto` (default the newest); return the revision."""
    script = script_directory()
    target = script.get_revision(upto or HEAD)
    if target is None:  # pragma: no cover - get_revision raises for unknown ids
        raise ValueError(f"unknown store revision {upto}")
    with engine.connect() as conn:
        # A store already at the target opens without a write: read-only copies open too.
        if current_revision(conn) == target.revision:
            return target.revision
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            # Two instances starting together must not both run the same step.
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_MIGRATION_LOCK)))
        if current_revision(conn) is None:
            _adopt_legacy(conn, script)
        _run(conn, script, target.revision)
        return current_revision(conn) or target.revision


def create_legacy_store(conn: Connection, version: int) -> None:
    """Build the schema the pre-Alembic runner left at `version`; only upgrade tests need it."""
    conn.execute(CreateTable(LEGACY_TABLE, if_not_exists=True))
    for table in (FETCHES, SNAPSHOTS):
        conn.execute(CreateTable(table, if_not_exists=True))  # no index: version 2 adds it
    _note_legacy(conn, 1)
    if version >= 2:
        SESSION_INDEX.create(conn, checkfirst=True)
        _note_legacy(conn, 2)


def _adopt_legacy(conn: Connection, script: ScriptDirectory) -> None:
    """Stamp a pre-Alembic store at the revision its schema equals, upgrading v1 to v2 first."""
    version = legacy_version(conn)
    if version == 0:
        return
    if version > LEGACY_LATEST:  # pragma: no cover - no such release exists
        raise RuntimeError(f"store schema version {version} is newer than this release")
    if version < 2:
        SESSION_INDEX.create(conn, checkfirst=True)
        _note_legacy(conn, 2)
    MigrationContext.configure(conn).stamp(script, LEGACY_REVISION)


def _note_legacy(conn: Connection, version: int) -> None:
    """Record a legacy step as the old runner did, so the old release still reads the store."""
    conn.execute(
        LEGACY_TABLE.insert().values(
            version=version, applied_at=datetime.now(UTC), description=LEGACY_STEPS[version]
        )
    )


def _run(conn: Connection, script: ScriptDirectory, target: str) -> None:
    """Apply the revisions between the database's and `target` on this connection."""

    def steps(revision: str, _context: MigrationContext) -> list:
        return script._upgrade_revs(target, revision)  # what `alembic upgrade` itself calls

    with EnvironmentContext(Config(), script, fn=steps, destination_rev=target) as env:
        env.configure(connection=conn)
        env.run_migrations()
