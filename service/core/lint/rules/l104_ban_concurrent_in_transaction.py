"""L104 ban-concurrent-in-transaction: a CONCURRENTLY statement inside a transaction block fails at run time.

CREATE INDEX, DROP INDEX, REINDEX and DETACH PARTITION ... CONCURRENTLY all
refuse to run in a transaction block. A migration file runs in one
transaction unless its header says `-- Transaction: none`; in such a file an
explicit BEGIN opens a block again until COMMIT or ROLLBACK.

REFRESH MATERIALIZED VIEW CONCURRENTLY is not flagged: PostgreSQL allows it
inside a transaction block.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import option_enabled, transaction_block
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import non_transactional_file
from service.core.sql import Statement


def _concurrent_operation(statement: Statement) -> tuple[str, int | None] | None:
    """(what runs concurrently, where to point) when the statement asks for CONCURRENTLY."""
    node = statement.node
    kind = statement.kind
    if kind == "IndexStmt":
        return ("CREATE INDEX CONCURRENTLY", tree.location(node.get("relation"))) if node.get("concurrent") else None
    if kind == "DropStmt":
        if node.get("concurrent") and node.get("removeType") == "OBJECT_INDEX":
            return "DROP INDEX CONCURRENTLY", None
        return None
    if kind == "ReindexStmt":
        for item in node.get("params") or ():
            option = item.get("DefElem", {})
            if option.get("defname") == "concurrently" and option_enabled(option):
                return "REINDEX CONCURRENTLY", tree.location(option)
        return None
    if kind == "AlterTableStmt":
        for command in node.get("cmds") or ():
            body = command.get("AlterTableCmd", {})
            partition = body.get("def", {}).get("PartitionCmd", {})
            if body.get("subtype") == "AT_DetachPartition" and partition.get("concurrent"):
                return "DETACH PARTITION CONCURRENTLY", tree.location(partition.get("name"))
    return None


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """A CONCURRENTLY statement in a transactional file, or between an explicit BEGIN and its COMMIT."""
    operation = _concurrent_operation(statement)
    if operation is None:
        return
    what, location = operation
    block = transaction_block(statement, context)
    if block is None:
        return
    where = ("this file runs in one transaction (its header has no `-- Transaction: none`)"
             if context.transactional else "it follows an explicit BEGIN that is not yet committed")
    yield Hit(
        location=location,
        message=f"{what} cannot run inside a transaction block, and {where}: the migration fails",
        rewrite=non_transactional_file(statement.text),
    )


RULE = Rule(
    code="L104",
    name="ban-concurrent-in-transaction",
    severity=Severity.ERROR,
    message="a CONCURRENTLY statement cannot run inside a transaction block: the migration fails",
    help="Put the statement alone in a migration file marked `-- Transaction: none`, without BEGIN/COMMIT: "
    "one concurrent statement per file, so a failure leaves nothing half-applied.",
    check=check,
    kinds=frozenset({"IndexStmt", "DropStmt", "ReindexStmt", "AT_DetachPartition"}),
    needles=frozenset({"concurrently"}),
)
