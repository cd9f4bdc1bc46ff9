"""L115 prefer-repack."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "vacuum full accounts;",
    "vacuum (full, analyze) accounts, orders;",
    "vacuum (full true) accounts;",
    "vacuum full;",
    "cluster accounts using accounts_pkey;",
    "cluster accounts;",
    "cluster;",
])
def test_fires_on_vacuum_full_and_cluster(sql: str) -> None:
    assert len(hits(sql, "L115")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("vacuum accounts;", ()),
    ("vacuum (analyze) accounts;", ()),
    ("vacuum (full false) accounts;", ()),
    ("analyze accounts;", ()),
    ("create table accounts (a int);\nvacuum full accounts;", ()),
    ("cluster accounts using accounts_pkey;", ("public.accounts",)),
])
def test_does_not_fire_on_plain_vacuum_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L115", new_tables=new_tables) == []


def test_points_at_the_table_and_suggests_pg_repack() -> None:
    (finding,) = lint("select 1;\nvacuum full accounts;", only="L115")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "warning")
    assert finding.rewrite == (
        "-- not in a migration: rewrite it online with pg_repack (its extension installed in the database):\n"
        "-- pg_repack --no-order --dbname=<database> --table=public.accounts"
    )


def test_cluster_keeps_its_order_with_pg_repack() -> None:
    (finding,) = lint("cluster accounts using accounts_pkey;", only="L115")
    assert finding.rewrite == "\n".join([
        "-- not in a migration: rewrite it online with pg_repack (its extension installed in the database):",
        "-- pg_repack orders rows by the table's clustered index, which this marks (no rewrite):",
        "ALTER TABLE accounts CLUSTER ON accounts_pkey;",
        "-- pg_repack --dbname=<database> --table=public.accounts",
    ])


def test_postgresql_19_repacks_concurrently() -> None:
    (finding,) = lint("cluster accounts using accounts_pkey;", only="L115", pg_version=19)
    assert finding.rewrite == (
        "-- in a migration file of its own, marked:\n-- Transaction: none\n"
        "REPACK (CONCURRENTLY) accounts USING INDEX accounts_pkey;"
    )
