"""Helpers for rule tests: lint a snippet and get (code, line, column) triples or whole findings.

Every snippet is linted twice: as the engine does (each rule's needles and
screen skip what cannot concern it) and with every rule run on every
statement of its kinds. The two must agree, so each rule test also checks
that the rule's needles and screen lose nothing.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from service.core.lint import Finding, LintConfig, Rule, all_rules, lint_file

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
    config = LintConfig(pg_version=pg_version)
    result = lint_file(file, sql, config=config, new_tables=new_tables, runner_sets_timeouts=runner_sets_timeouts)
    unscreened = lint_file(file, sql, config=config, new_tables=new_tables,
                           runner_sets_timeouts=runner_sets_timeouts, rules=unscreened_rules())
    assert result == unscreened, "a rule's needles or screen hide what it finds unscreened"
    return [f for f in result.findings if only is None or f.code == only]


@cache
def unscreened_rules() -> tuple[Rule, ...]:
    """Every rule without its needles and screen."""
    return tuple(replace(rule, needles=None, screen=None) for rule in all_rules())


def hits(sql: str, code: str, **options: object) -> list[tuple[int, int]]:
    """(line, column) of each finding of rule `code` in `sql`."""
    return [(f.line, f.column) for f in lint(sql, only=code, **options)]  # type: ignore[arg-type]
