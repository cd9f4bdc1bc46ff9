"""B212 ban-truncate-cascade: CASCADE also empties every table that references the truncated ones."""

from __future__ import annotations

from collections.abc import Iterator

from pglast.enums import DropBehavior

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import deparsed
from service.core.sql import Statement


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """`TRUNCATE ... CASCADE`."""
    if statement.node.get("behavior") != "DROP_CASCADE":
        return
    relations = [item.get("RangeVar", {}) for item in statement.node.get("relations", ())]
    tables = ", ".join(tree.qualified_name(relation) for relation in relations)
    yield Hit(
        location=tree.location(relations[0]) if relations else None,
        message=f"TRUNCATE ... CASCADE of {tables} also empties every table that references them, "
        "including tables the statement does not name",
        rewrite="-- name every table to empty; without CASCADE, TRUNCATE refuses to leave dangling references\n"
        f"{deparsed(statement, behavior=DropBehavior.DROP_RESTRICT)};",
    )


RULE = Rule(
    code="B212",
    name="ban-truncate-cascade",
    severity=Severity.ERROR,
    message="TRUNCATE ... CASCADE also empties every table that references the truncated ones",
    help="List every table to empty in the TRUNCATE and drop CASCADE: it then fails instead of emptying "
    "a table nobody named.",
    check=check,
    kinds=frozenset({"TruncateStmt"}),
)
