"""S509 extension-in-public."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create extension pgcrypto;",
    'create extension if not exists "uuid-ossp";',
    "create extension pg_trgm with schema public;",
])
def test_fires_on_extensions_installed_in_public(sql: str) -> None:
    assert len(hits(sql, "S509")) == 1


@pytest.mark.parametrize("sql", [
    "create extension pgcrypto with schema extensions;",
    "create extension if not exists pg_trgm schema extensions;",
    "create extension plpgsql;",
    "create extension pg_graphql;",  # installs into its own schema
    "alter extension pgcrypto update;",
])
def test_does_not_fire_on_extensions_in_their_own_schema(sql: str) -> None:
    assert hits(sql, "S509") == []


def test_points_at_the_statement_and_rewrites_with_schema_extensions() -> None:
    (finding,) = lint('select 1;\ncreate extension if not exists "uuid-ossp";', only="S509")
    assert (finding.line, finding.column, finding.severity) == (2, 1, "warning")
    assert finding.rewrite == ("CREATE SCHEMA IF NOT EXISTS extensions;\n"
                               'CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;')
