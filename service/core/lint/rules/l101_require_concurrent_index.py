"""L101 require-concurrent-index: CREATE INDEX without CONCURRENTLY blocks writes for the whole build."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import deparsed, non_transactional_file
from service.core.sql import Statement


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """An index built without CONCURRENTLY on a table that exists already."""
    if statement.node.get("concurrent"):
        return
    relation = statement.node.get("relation")
    if context.is_new(tree.qualified_name(relation)):
        return
    yield Hit(
        location=tree.location(relation),
        rewrite=non_transactional_file(deparsed(statement, concurrent=True)),
    )


RULE = Rule(
    code="L101",
    name="require-concurrent-index",
    severity=Severity.ERROR,
    message="CREATE INDEX without CONCURRENTLY holds a SHARE lock: writes to the table wait for the whole build",
    help="Build it with CREATE INDEX CONCURRENTLY, alone in a migration marked `-- Transaction: none`. "
    "Indexes on a table created earlier in the same run are fine.",
    check=check,
    kinds=frozenset({"IndexStmt"}),
)
