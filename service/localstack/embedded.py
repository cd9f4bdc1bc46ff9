"""The embedded PostgreSQL: a `pgserver` cluster under the state directory, prepared like a Supabase project.

The `postgres` database is the local project; `omnia_template` is a prepared,
connection-less template from which a fresh Supabase-like database is one
`CREATE DATABASE` away (tests use one per test).
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from service.errors import LocalStackError, StateDirUnwritable
from service.supabase_sql import local_project_sql, preparation_fingerprint, service_sql

if TYPE_CHECKING:
    import psycopg

TEMPLATE_DATABASE = "omnia_template"
PROJECT_DATABASE = "postgres"
SUPERUSER = "postgres"
PREPARE_LOCK_KEY = 0x6F6D6E6961  # "omnia": serialises preparation across processes
# Throwaway clusters (tests, benchmarks) trade crash safety for speed.
NON_DURABLE_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def ensure_writable_dir(path: Path) -> None:
    """Create `path` if needed and prove a file can be written in it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        raise StateDirUnwritable(str(path), error.strerror or type(error).__name__) from None


class EmbeddedPostgres:
    """A local PostgreSQL cluster under `state_dir/pgdata`, started on demand and reused across runs."""

    def __init__(self, state_dir: Path, *, durable: bool = True) -> None:
        self.state_dir = state_dir
        self.pgdata = state_dir / "pgdata"
        self.durable = durable
        self._server: Any = None

    def start(self) -> None:
        """Start (or join) the cluster and make sure both databases are prepared."""
        ensure_writable_dir(self.state_dir)
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset (root, containers)
            warnings.simplefilter("ignore")
            import pgserver

        _forget_dead_handles(self.pgdata)
        try:
            self._server = pgserver.get_server(self.pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        except Exception as error:
            raise LocalStackError(
                f"the embedded PostgreSQL did not start ({type(error).__name__}); "
                f"see {self.pgdata / 'log'}, or remove {self.pgdata} to start from scratch"
            ) from error
        with self.connect() as connection:
            self._apply_durability(connection)
            self._prepare(connection)

    def stop(self) -> None:
        """Release this process's handle; the last process to leave stops the server."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def socket_dir(self) -> Path:
        """The directory of the server's Unix socket (it listens on no TCP port)."""
        if self._server is None:
            raise LocalStackError("the embedded PostgreSQL is not started")
        return Path(self._server.get_postmaster_info().socket_dir)

    def url(self, database: str = PROJECT_DATABASE, user: str = SUPERUSER) -> str:
        """A libpq URI for `user` on `database` over the Unix socket (trust authentication)."""
        return f"postgresql://{quote(user)}@/{quote(database)}?host={quote(str(self.socket_dir), safe='/')}"

    def connect(self, database: str = PROJECT_DATABASE) -> psycopg.Connection[Any]:
        """An autocommit superuser connection to `database`."""
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def create_database(self, name: str) -> None:
        """A new Supabase-like database `name`, copied from the prepared template."""
        from psycopg import sql

        # file_copy forces a checkpoint: cheap with fsync off, dearer than wal_log on a durable server.
        strategy = sql.SQL("wal_log" if self.durable else "file_copy")
        with self.connect() as connection:
            connection.execute(
                sql.SQL("create database {} template {} strategy {}").format(
                    sql.Identifier(name), sql.Identifier(TEMPLATE_DATABASE), strategy
                )
            )

    def drop_database(self, name: str) -> None:
        """Drop database `name`, closing whatever sessions are still connected to it."""
        from psycopg import sql

        with self.connect() as connection:
            connection.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))

    def _apply_durability(self, connection: psycopg.Connection[Any]) -> None:
        from psycopg import sql

        changed = False
        for setting, fast_value in NON_DURABLE_SETTINGS.items():
            current = connection.execute(sql.SQL("show {}").format(sql.Identifier(setting))).fetchone()
            wanted = "on" if self.durable else fast_value
            if current is not None and current[0] != wanted:
                statement = "alter system reset {}" if self.durable else "alter system set {} = 'off'"
                connection.execute(sql.SQL(statement).format(sql.Identifier(setting)))
                changed = True
        if changed:
            connection.execute("select pg_reload_conf()")

    def _prepare(self, connection: psycopg.Connection[Any]) -> None:
        from psycopg import sql

        fingerprint = preparation_fingerprint()
        connection.execute("select pg_advisory_lock(%s)", (PREPARE_LOCK_KEY,))
        try:
            row = connection.execute(
                "select shobj_description(oid, 'pg_database') from pg_database where datname = %s",
                (TEMPLATE_DATABASE,),
            ).fetchone()
            if row is not None and row[0] == fingerprint:
                return
            template = sql.Identifier(TEMPLATE_DATABASE)
            if row is not None:
                connection.execute(sql.SQL("alter database {} is_template false").format(template))
                connection.execute(sql.SQL("drop database {} with (force)").format(template))
            connection.execute(sql.SQL("create database {} template template0").format(template))
            project_sql = local_project_sql() + "\n" + service_sql()
            connection.execute(project_sql.encode())
            with self.connect(TEMPLATE_DATABASE) as template_connection:
                template_connection.execute(project_sql.encode())
            connection.execute(
                sql.SQL("comment on database {} is {}").format(template, sql.Literal(fingerprint))
            )
            connection.execute(
                sql.SQL("alter database {} with is_template true allow_connections false").format(template)
            )
        finally:
            connection.execute("select pg_advisory_unlock(%s)", (PREPARE_LOCK_KEY,))


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop processes that died without saying so (SIGKILL) from pgserver's list of users.

    pgserver stops the server when its last user leaves; a killed user never
    leaves, and the server would then outlive everyone.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if _pid_alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
