"""L114 require-concurrent-partition-detach: DETACH PARTITION without CONCURRENTLY locks the parent table.

A plain detach takes an ACCESS EXCLUSIVE lock on the parent: every query
on the partitioned table waits. `DETACH PARTITION ... CONCURRENTLY`
(PostgreSQL 14+) takes only SHARE UPDATE EXCLUSIVE; it cannot run in a
transaction block and fails if the table has a default partition. A parent
created in this run is exempt; `DETACH ... FINALIZE` completes a concurrent
detach and is not flagged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import non_transactional_file
from service.core.sql import Statement


def _concurrent_detach(statement: Statement, command_index: int) -> str:
    """That one DETACH, CONCURRENTLY (it cannot share its ALTER TABLE with other commands)."""
    node: Any = statement_node(statement, ast.AlterTableStmt)  # pglast types every part Optional
    command = node.cmds[command_index]
    command.def_.concurrent = True
    node.cmds = (command,)
    return deparse(node)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each DETACH PARTITION without CONCURRENTLY from an existing partitioned table."""
    table = tree.qualified_name(statement.node.get("relation"))
    if context.is_new(table):
        return
    for index, item in enumerate(statement.node.get("cmds") or ()):
        command: dict[str, Any] = item.get("AlterTableCmd", {})
        partition = command.get("def", {}).get("PartitionCmd", {})
        if command.get("subtype") != "AT_DetachPartition" or partition.get("concurrent"):
            continue
        name = tree.qualified_name(partition.get("name"))
        if context.pg_version < 14:
            yield Hit(
                location=tree.location(partition.get("name")),
                message=f"DETACH PARTITION {name} takes an ACCESS EXCLUSIVE lock on {table}, and PostgreSQL "
                f"{context.pg_version} has no concurrent detach (14+): run it in a maintenance window",
            )
            continue
        yield Hit(
            location=tree.location(partition.get("name")),
            message=f"DETACH PARTITION {name} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on {table}: "
            "every query on the partitioned table waits",
            rewrite=non_transactional_file(_concurrent_detach(statement, index)),
        )


RULE = Rule(
    code="L114",
    name="require-concurrent-partition-detach",
    severity=Severity.WARNING,
    message="DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the partitioned table",
    help="Use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), alone in a migration marked "
    "`-- Transaction: none`; if it is interrupted, finish it with DETACH PARTITION ... FINALIZE.",
    check=check,
    kinds=frozenset({"AT_DetachPartition"}),
)
