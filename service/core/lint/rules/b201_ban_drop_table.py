"""B201 ban-drop-table: dropping a table breaks every deployed reader and writer of it, and its data is gone."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each table of a `DROP TABLE` that existed before this run."""
    if statement.node.get("removeType") != "OBJECT_TABLE":
        return
    cascade = statement.node.get("behavior") == "DROP_CASCADE"
    for item in statement.node.get("objects", ()):
        table = tree.dotted_name(tree.names(item.get("List", {}).get("items")))
        if context.is_new(table):
            continue  # created earlier in this run: nobody uses it yet
        also = " and, with CASCADE, the views and foreign keys that depend on it" if cascade else ""
        yield Hit(message=f"DROP TABLE {table} deletes its data and breaks the application versions "
                  f"that still use it{also}")


RULE = Rule(
    code="B201",
    name="ban-drop-table",
    severity=Severity.ERROR,
    message="DROP TABLE deletes the data and breaks the application versions that still use the table",
    help="Two phases: deploy code that no longer uses the table, then drop it in a migration marked "
    "`-- Phase: contract` (reported there as a warning). Tables created earlier in the same run are fine.",
    check=check,
    kinds=frozenset({"DropStmt"}),
)
