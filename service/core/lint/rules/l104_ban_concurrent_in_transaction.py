"""L104 ban-concurrent-in-transaction: a CONCURRENTLY statement inside a transaction block fails at run time.

CREATE INDEX, DROP INDEX, REINDEX and DETACH PARTITION ... CONCURRENTLY all
refuse to run in a transaction block. A migration file runs in one
transaction unless its header says `-- Transaction: none`; in such a file an
explicit BEGIN opens a block again until COMMIT or ROLLBACK.

REFRESH MATERIALIZED VIEW CONCURRENTLY is not flagged: PostgreSQL allows it
inside a transaction block.

The helpers `option_enabled` and `transaction_block` are shared with other
rules (L103, L110, L115).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import non_transactional_file
from service.core.sql import Statement, transaction_kind

_FALSE_WORDS = frozenset({"false", "off", "no", "0"})
_BLOCKS_KEY = "transaction-blocks"  # rule_state: statement index -> its transaction block (None: autocommit)


def option_enabled(option: Mapping[str, Any]) -> bool:
    """Whether a boolean DefElem option is on: `(CONCURRENTLY)`, `(FULL true)` yes; `(FULL false)`, `(FULL 0)` no."""
    argument = option.get("arg")
    if not argument:
        return True
    if "String" in argument:
        return str(argument["String"].get("sval", "")).lower() not in _FALSE_WORDS
    if "Integer" in argument:
        return bool(argument["Integer"].get("ival", 0))
    if "Boolean" in argument:
        return bool(argument["Boolean"].get("boolval", False))
    return True


def has_option(options: Any, name: str) -> bool:
    """Whether a DefElem list (`REINDEX (...)`, `VACUUM (...)`) turns option `name` on."""
    return any(item.get("DefElem", {}).get("defname") == name and option_enabled(item["DefElem"])
               for item in options or ())


def transaction_block(statement: Statement, context: LintContext) -> int | None:
    """The transaction block `statement` runs in: 0 for a transactional file, else the index
    of the explicit BEGIN that opened it, or None when it runs on its own (autocommit)."""
    if context.transactional:
        return 0
    blocks: dict[int, int | None] | None = context.rule_state.get(_BLOCKS_KEY)
    if blocks is None:
        blocks = {}
        current: int | None = None
        for each in context.statements:
            control = transaction_kind(each)
            if control == "begin":
                current = each.index
            blocks[each.index] = current
            if control in ("commit", "rollback", "prepare transaction"):
                current = None
        context.rule_state[_BLOCKS_KEY] = blocks
    return blocks.get(statement.index)


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
    if statement.kind not in ("IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt"):
        return
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
)
