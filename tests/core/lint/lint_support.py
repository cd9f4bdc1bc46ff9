"""Helpers for rule tests: lint a snippet and get (code, line, column) triples or whole findings."""

from __future__ import annotations

from service.core.lint import Finding, LintConfig, lint_file

HEADER = "-- Migration: 20261124_001_test.sql\n"


def lint(
    sql: str,
    *,
    file: str = "20261124_001_test.sql",
    new_tables: tuple[str, ...] = (),
    runner_sets_timeouts: bool = True,
    pg_version: int = 15,
    only: str | None = None,
) -> list[Finding]:
    """Findings of `sql` as a migration file; `only` keeps one rule's findings (by code)."""
    result = lint_file(file, sql, config=LintConfig(pg_version=pg_version), new_tables=new_tables,
                       runner_sets_timeouts=runner_sets_timeouts)
    return [f for f in result.findings if only is None or f.code == only]


def hits(sql: str, code: str, **options: object) -> list[tuple[int, int]]:
    """(line, column) of each finding of rule `code` in `sql`."""
    return [(f.line, f.column) for f in lint(sql, only=code, **options)]  # type: ignore[arg-type]
