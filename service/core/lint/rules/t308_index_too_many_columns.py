"""T308 index-too-many-columns: a non-unique index on more than three columns rarely pays for its size."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

MAX_COLUMNS = 3


def check(statement: Statement, _context: LintContext) -> Iterator[Hit]:
    """A non-unique CREATE INDEX with more than three key columns or expressions (INCLUDE columns aside)."""
    if statement.node.get("unique"):
        return
    columns = statement.node.get("indexParams", ())
    if len(columns) > MAX_COLUMNS:
        relation = statement.node.get("relation")
        yield Hit(
            location=tree.location(relation),
            message=f"index on {tree.qualified_name(relation)} has {len(columns)} key columns: beyond three, "
            "a non-unique index rarely speeds up a query more than its first columns do, and costs writes and space",
        )


RULE = Rule(
    code="T308",
    name="index-too-many-columns",
    severity=Severity.INFO,
    message="a non-unique index on more than three columns rarely helps more than its first columns do, "
    "and slows every write",
    help="Start the index with the columns that narrow the results most and stop at three; put columns that "
    "are only read in INCLUDE (...).",
    check=check,
    kinds=frozenset({"IndexStmt"}),
)
