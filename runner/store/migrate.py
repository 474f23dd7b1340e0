"""Schema migrations: Alembic configured in code from the scripts shipped in the package.

A developer who changes runner/store/schema.py writes the next migration with

    python -c "from alembic import command; from runner.store.migrate import alembic_config; \
command.revision(alembic_config('sqlite:///var/dev.db'), autogenerate=True, \
message='add users', rev_id='0002')"

against a database upgraded to the current head, then reviews the generated file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from runner.errors import StoreError
from runner.store.engine import transaction

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: Key of the PostgreSQL advisory lock that keeps two workers from migrating at once.
MIGRATION_LOCK = 7_305_011_001


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic Config for the packaged migrations, with a URL or an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest schema revision this code knows."""
    head = _scripts().get_current_head()
    assert head is not None, "runner/store/migrations/versions is empty"
    return head


def current_revisions(conn: Connection) -> tuple[str, ...]:
    """The revisions the database is at (empty for a new database)."""
    return tuple(MigrationContext.configure(conn).get_current_heads())


def check_not_newer(engine: Engine) -> None:
    """Raise StoreError if the database was migrated by a newer saksrobot than this one."""
    with transaction(engine, write=False) as conn:
        revisions = current_revisions(conn)
    known = {script.revision for script in _scripts().walk_revisions()}
    unknown = [revision for revision in revisions if revision not in known]
    if unknown:
        raise StoreError(
            f"The store's schema is at revision {', '.join(unknown)}, newer than this "
            f"saksrobot knows (newest: {head_revision()})",
            fix="Upgrade saksrobot to the version that migrated this database, "
            "or point store_url at another database.",
        )


def upgrade(engine: Engine) -> None:
    """Migrate the database to the newest schema, in one transaction."""
    with transaction(engine, write=True) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        command.upgrade(alembic_config(connection=conn), "head")
