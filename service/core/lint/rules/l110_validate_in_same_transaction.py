"""L110 validate-in-same-transaction: VALIDATE CONSTRAINT in the transaction that added it NOT VALID.

NOT VALID exists so that the scan happens later under a weak lock. Validated
in the same transaction, the scan runs while the transaction still holds the
lock the ADD took (ACCESS EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE on both
tables for a foreign key): the same outage as adding it valid.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import transaction_block
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import quote_name, quoted_relation
from service.core.sql import Statement

_STATE_KEY = "L110"  # rule_state: (table, constraint) -> transaction block it was added NOT VALID in


def _constraint_name(table: str, constraint: Mapping[str, Any]) -> str:
    """The constraint's name, or the one PostgreSQL gives an unnamed foreign key or CHECK."""
    if constraint.get("conname"):
        return str(constraint["conname"])
    relname = table.rsplit(".", 1)[-1]
    if constraint.get("contype") == "CONSTR_FOREIGN":
        return f"{relname}_{'_'.join(tree.names(constraint.get('fk_attrs')))}_fkey"
    references = sorted(tree.find(constraint.get("raw_expr"), "ColumnRef"), key=lambda ref: ref.get("location", 0))
    fields = tree.names(references[0].get("fields")) if references else []
    return f"{relname}_{fields[-1]}_check" if fields else f"{relname}_check"


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """A VALIDATE CONSTRAINT of a constraint added NOT VALID earlier in the same transaction."""
    relation = statement.node.get("relation")
    owner = tree.qualified_name(relation)
    if context.is_new(owner):
        return
    commands = [item.get("AlterTableCmd", {}) for item in statement.node.get("cmds") or ()]
    added = [c.get("def", {}).get("Constraint", {}) for c in commands if c.get("subtype") == "AT_AddConstraint"]
    validated = [str(c.get("name", "")) for c in commands if c.get("subtype") == "AT_ValidateConstraint"]
    added = [constraint for constraint in added if constraint.get("skip_validation")]
    if not added and not validated:
        return
    pending: dict[tuple[str, str], int | None] = context.rule_state.setdefault(_STATE_KEY, {})
    block = transaction_block(statement, context)
    for constraint in added:
        pending[(owner, _constraint_name(owner, constraint))] = block
    for name in validated:
        if block is None or (owner, name) not in pending or pending[(owner, name)] != block:
            continue
        yield Hit(
            location=tree.location(relation),
            message=f"VALIDATE CONSTRAINT {name} runs in the transaction that added it NOT VALID: the scan happens "
            f"while the ADD's lock on {owner} is still held",
            rewrite=f"-- in a later migration (its own transaction):\n"
            f"ALTER TABLE {quoted_relation(relation)} VALIDATE CONSTRAINT {quote_name(name)};",
        )


RULE = Rule(
    code="L110",
    name="validate-in-same-transaction",
    severity=Severity.WARNING,
    message="VALIDATE CONSTRAINT in the transaction that added it NOT VALID scans while the ADD's lock is held",
    help="Move the VALIDATE CONSTRAINT to a later migration: each file runs in its own transaction.",
    check=check,
    kinds=frozenset({"AT_AddConstraint", "AT_ValidateConstraint"}),
    needles=frozenset({"valid"}),  # NOT VALID and VALIDATE
)
