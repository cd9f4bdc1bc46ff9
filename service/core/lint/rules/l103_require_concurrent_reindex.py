"""L103 require-concurrent-reindex: REINDEX without CONCURRENTLY blocks the table while it rebuilds.

A plain REINDEX holds an ACCESS EXCLUSIVE lock on the index (queries that
would use it wait) and a SHARE lock on the table (writes wait). REINDEX
CONCURRENTLY exists from PostgreSQL 12; REINDEX SYSTEM has no concurrent form.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import has_option
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import non_transactional_file
from service.core.sql import Statement

_TARGETS = {
    "REINDEX_OBJECT_INDEX": "index",
    "REINDEX_OBJECT_TABLE": "table",
    "REINDEX_OBJECT_SCHEMA": "schema",
    "REINDEX_OBJECT_DATABASE": "database",
    "REINDEX_OBJECT_SYSTEM": "system catalogs",
}


def _concurrent(statement: Statement) -> str:
    """The REINDEX with CONCURRENTLY added to its options."""
    node = statement_node(statement, ast.ReindexStmt)
    node.params = (*(node.params or ()), ast.DefElem(defname="concurrently"))
    return deparse(node)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """A REINDEX without CONCURRENTLY, except of a table created in this run."""
    if has_option(statement.node.get("params"), "concurrently"):
        return
    kind = str(statement.node.get("kind", ""))
    relation = statement.node.get("relation")
    if kind == "REINDEX_OBJECT_TABLE" and context.is_new(tree.qualified_name(relation)):
        return
    target = _TARGETS.get(kind, "object")
    if kind == "REINDEX_OBJECT_SYSTEM":
        yield Hit(message="REINDEX SYSTEM locks the system catalogs and has no CONCURRENTLY form: "
                  "run it in a maintenance window, not in a migration")
        return
    if context.pg_version < 12:
        yield Hit(
            location=tree.location(relation),
            message=f"REINDEX of a {target} blocks writes while it rebuilds, and PostgreSQL "
            f"{context.pg_version} has no REINDEX CONCURRENTLY: build a new index CONCURRENTLY, "
            "drop the old one CONCURRENTLY, then rename",
        )
        return
    yield Hit(
        location=tree.location(relation),
        message=f"REINDEX of a {target} without CONCURRENTLY blocks writes to the table (and reads that use "
        "the index) until the rebuild is done",
        rewrite=non_transactional_file(_concurrent(statement)),
    )


RULE = Rule(
    code="L103",
    name="require-concurrent-reindex",
    severity=Severity.WARNING,
    message="REINDEX without CONCURRENTLY blocks writes to the table until the rebuild is done",
    help="Use REINDEX (CONCURRENTLY) (PostgreSQL 12+), alone in a migration file marked `-- Transaction: none`.",
    check=check,
    kinds=frozenset({"ReindexStmt"}),
)
