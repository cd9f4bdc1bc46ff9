"""S502 policy-exists-rls-disabled: a policy on a table without row level security restricts nothing
(splinter 0007).

Judged only for tables the file creates: for an older table the file cannot
tell whether RLS is already on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.supabase import (
    ROW_SECURITY_KINDS,
    enable_row_security,
    file_row_security,
    row_security_so_far,
)
from service.core.sql import Statement


@dataclass
class _State:
    policies: list[tuple[Statement, str, tree.Node]] = field(default_factory=list)  # statement, table, relation


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember created tables, RLS switches (with S501, `file_row_security`) and policies for
    `finish`."""
    state: _State = context.state("S502", _State)
    if statement.kind == "CreatePolicyStmt":
        relation = statement.node.get("table") or {}
        state.policies.append((statement, tree.qualified_name(relation), relation))
    else:
        file_row_security(statement, context)
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each policy on a table the file creates and leaves without row level security."""
    state: _State | None = context.rule_state.get("S502")
    tables = row_security_so_far(context)
    if state is None or tables is None:
        return
    for statement, table, relation in state.policies:
        if table in tables.created and not tables.enabled.get(table, False):
            yield statement, Hit(
                location=tree.location(relation),
                message=f"policy {statement.node.get('policy_name')} on {table} has no effect: row level security "
                f"is not enabled on {table}, so every role's grants apply in full",
                rewrite=enable_row_security(relation),
            )


RULE = Rule(
    code="S502",
    name="policy-exists-rls-disabled",
    severity=Severity.ERROR,
    message="policy on a table without row level security: it restricts nothing",
    help="ALTER TABLE ... ENABLE ROW LEVEL SECURITY in the same migration.",
    check=check,
    finish=finish,
    kinds=ROW_SECURITY_KINDS | {"CreatePolicyStmt"},
)
