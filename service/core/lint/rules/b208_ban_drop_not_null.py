"""B208 ban-drop-not-null: readers that assume the column is always set meet NULLs."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import commands_on_existing_table
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each `ALTER COLUMN ... DROP NOT NULL` on a table that existed before this run."""
    if statement.node.get("objtype") != "OBJECT_TABLE":
        return
    relation = statement.node.get("relation") or {}
    table = tree.qualified_name(relation)
    for command in commands_on_existing_table(statement, context):
        if command.get("subtype") == "AT_DropNotNull":
            column = command.get("name")
            yield Hit(
                location=tree.location(relation),
                message=f"DROP NOT NULL on {table}.{column}: the deployed code that assumes {column} "
                "is always set will meet NULLs",
            )


RULE = Rule(
    code="B208",
    name="ban-drop-not-null",
    severity=Severity.WARNING,
    message="DROP NOT NULL lets NULLs in where the deployed code assumes the column is always set",
    help="First deploy code that handles NULL in the column, then drop the constraint; "
    "tables created earlier in the same run are fine.",
    check=check,
    kinds=frozenset({"AT_DropNotNull"}),
)
