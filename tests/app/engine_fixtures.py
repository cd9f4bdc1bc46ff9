"""Helpers for engine tests: a migrations folder written from a dict, and the history as rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from service.core.lint import LintConfig
from service.localstack.embedded import EmbeddedPostgres
from service.localstack.keys import DevKeys


TEST_CONFIG = Path(__file__).with_name("omnia-test.toml")
TEST_LINT = LintConfig(ignore=("S501",))  # what TEST_CONFIG says, for Settings built in tests


def write_files(folder: Path, files: dict[str, str | bytes]) -> None:
    """Write each file (text as UTF-8, bytes as they are) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def history(url: str) -> list[tuple[Any, ...]]:
    """(version, checksum, applied_by is not null) of every history row, in version order."""
    with psycopg.connect(url) as connection:
        return connection.execute(
            "select version, checksum, applied_by is not null from public.schema_migrations order by version"
        ).fetchall()


def relation_exists(url: str, name: str) -> bool:
    """Whether `public.<name>` exists."""
    with psycopg.connect(url) as connection:
        row = connection.execute("select to_regclass(%s) is not null", (f"public.{name}",)).fetchone()
    return bool(row and row[0])


def columns(url: str, table: str) -> list[str]:
    """The column names of `public.<table>` in order."""
    with psycopg.connect(url) as connection:
        return [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns where table_schema = 'public'"
                " and table_name = %s order by ordinal_position",
                (table,),
            )
        ]


@contextmanager
def local_endpoint(embedded: EmbeddedPostgres, database: str, keys: DevKeys) -> Iterator[Any]:
    """The local PostgREST-compatible endpoint over `database`, with the keys mapped to their roles."""
    from service.localstack.rest import LocalRestServer, RestConfig

    config = RestConfig(database_url=embedded.url(database, "authenticator"), jwt_secret=keys.jwt_secret,
                        api_keys=keys.roles_by_key)
    with LocalRestServer(config) as server:
        yield server
