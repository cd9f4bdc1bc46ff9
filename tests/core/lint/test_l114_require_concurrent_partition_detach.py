"""L114 require-concurrent-partition-detach."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table events detach partition events_2024;",
    "alter table public.events detach partition archive.events_2024;",
])
def test_fires_on_a_detach_without_concurrently(sql: str) -> None:
    assert len(hits(sql, "L114")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("-- Transaction: none\nalter table events detach partition events_2024 concurrently;", ()),
    ("alter table events detach partition events_2024 finalize;", ()),
    ("alter table events attach partition events_2025 for values from ('2025-01-01') to ('2026-01-01');", ()),
    ("alter table events detach partition events_2024;", ("public.events",)),
])
def test_does_not_fire_on_concurrent_or_finalize_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L114", new_tables=new_tables) == []


def test_points_at_the_partition_and_detaches_concurrently_in_a_non_transactional_file() -> None:
    (finding,) = lint("select 1;\nalter table events detach partition events_2024;", only="L114")
    assert (finding.line, finding.column, finding.severity) == (2, 37, "warning")
    assert finding.rewrite == (
        "-- in a migration file of its own, marked:\n-- Transaction: none\n"
        "ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;"
    )


def test_before_postgresql_14_there_is_no_concurrent_detach() -> None:
    (finding,) = lint("alter table events detach partition events_2024;", only="L114", pg_version=13)
    assert finding.rewrite is None
    assert "maintenance window" in finding.message
