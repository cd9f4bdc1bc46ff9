"""B202 ban-drop-column: dropping a column breaks every deployed reader of it."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each `DROP COLUMN` of an ALTER TABLE."""
    table = tree.qualified_name(statement.node.get("relation"))
    for command in tree.find(statement.node.get("cmds"), "AlterTableCmd"):
        if command.get("subtype") == "AT_DropColumn":
            yield Hit(
                location=tree.location(statement.node.get("relation")),
                message=f"DROP COLUMN {command.get('name')} on {table} breaks the application versions "
                "that still read or write it",
            )


RULE = Rule(
    code="B202",
    name="ban-drop-column",
    severity=Severity.ERROR,
    message="DROP COLUMN breaks the application versions that still use the column",
    help="Two phases: deploy code that no longer uses the column, then drop it in a migration marked "
    "`-- Phase: contract` (reported there as a warning).",
    check=check,
    kinds=frozenset({"AT_DropColumn"}),
)
