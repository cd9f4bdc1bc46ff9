"""L116 require-lock-timeout: locking DDL with no `SET lock_timeout` before it.

A DDL statement that waits for its lock (behind one long query or an idle
transaction) makes every later query on the table queue behind it: a short
lock becomes an outage. `lock_timeout` makes it give up instead, and the
migration can be retried. Reported once per file, at the first statement
that takes a lock on an existing object, unless the runner sets the timeout
itself (`runner_sets_timeouts`).

`takes_locks` is shared with L117.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rules.l104_ban_concurrent_in_transaction import has_option
from service.core.sql import Statement

_FIRED_KEY = "L116"
# DROP of these takes a lock that waits behind the queries of a table (or, with CASCADE, of many).
_LOCKING_DROPS = frozenset({
    "OBJECT_TABLE", "OBJECT_INDEX", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE", "OBJECT_SEQUENCE",
    "OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE", "OBJECT_TYPE", "OBJECT_DOMAIN", "OBJECT_SCHEMA",
})
# Statements that lock their `relation` (or `table`) strongly enough to queue the table's readers or writers.
_RELATION_LOCKERS = {
    "RenameStmt": "relation", "AlterObjectSchemaStmt": "relation", "CreateTrigStmt": "relation",
    "CreatePolicyStmt": "table", "AlterPolicyStmt": "table", "RuleStmt": "relation",
}


def _is_existing(relation: Mapping[str, Any] | None, context: LintContext) -> bool:
    return bool(relation) and not context.is_new(tree.qualified_name(relation))


def _references_existing(node: Any, context: LintContext) -> bool:
    """Whether a foreign key in `node` references a table that is not new (it is locked SHARE ROW EXCLUSIVE)."""
    return any(c.get("contype") == "CONSTR_FOREIGN" and _is_existing(c.get("pktable"), context)
               for c in tree.find(node, "Constraint"))


def takes_locks(statement: Statement, context: LintContext) -> bool:
    """Whether the statement takes a lock on an existing table that other sessions' queries can queue behind."""
    kind = statement.kind
    node = statement.node
    if kind == "AlterTableStmt":
        return _is_existing(node.get("relation"), context) or _references_existing(node.get("cmds"), context)
    if kind == "IndexStmt":
        return not node.get("concurrent") and _is_existing(node.get("relation"), context)
    if kind == "DropStmt":
        if node.get("removeType") not in _LOCKING_DROPS or node.get("concurrent"):
            return False
        if node.get("removeType") == "OBJECT_TABLE":
            names = [tree.names(item.get("List", {}).get("items")) for item in node.get("objects") or ()]
            return not all(context.is_new(".".join(parts if len(parts) > 1 else ["public", *parts]))
                           for parts in names)
        return True
    if kind in ("TruncateStmt", "LockStmt"):
        relations = [item.get("RangeVar") for item in node.get("relations") or ()]
        return any(_is_existing(relation, context) for relation in relations)
    if kind == "ReindexStmt":
        return not has_option(node.get("params"), "concurrently")
    if kind == "ClusterStmt":  # bare CLUSTER: every clustered table
        return node.get("relation") is None or _is_existing(node.get("relation"), context)
    if kind == "VacuumStmt":
        return bool(node.get("is_vacuumcmd")) and has_option(node.get("options"), "full")
    if kind == "RefreshMatViewStmt":
        return not node.get("concurrent")
    if kind == "CreateStmt":  # a partition of an existing table, or a foreign key to one
        parents = [item.get("RangeVar") for item in node.get("inhRelations") or ()]
        return any(_is_existing(parent, context) for parent in parents) or _references_existing(
            node.get("tableElts"), context)
    if kind == "ViewStmt":
        return bool(node.get("replace"))
    if kind == "AlterDomainStmt":
        return True
    field = _RELATION_LOCKERS.get(kind)
    if field is None:
        return False
    return _is_existing(node.get(field), context)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """The file's first locking statement, when no lock_timeout was set before it."""
    if context.runner_sets_timeouts or context.lock_timeout_set or context.rule_state.get(_FIRED_KEY):
        return
    if not takes_locks(statement, context):
        return
    context.rule_state[_FIRED_KEY] = True
    set_command = "SET LOCAL" if context.transactional else "SET"
    yield Hit(
        rewrite=f"-- first in the file: give up on a lock after 5 seconds, then retry the migration\n"
        f"{set_command} lock_timeout = '5s';\n{statement.text};",
    )


RULE = Rule(
    code="L116",
    name="require-lock-timeout",
    severity=Severity.WARNING,
    message="locking DDL with no lock_timeout: while it waits for its lock, every query on the table queues "
    "behind it",
    help="Start the file with `SET LOCAL lock_timeout = '5s'` (plain SET in a `-- Transaction: none` file) "
    "and retry the migration when it times out, or let the runner set the timeouts.",
    check=check,
)
