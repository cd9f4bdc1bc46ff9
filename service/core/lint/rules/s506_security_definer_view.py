"""S506 security-definer-view: a view in the exposed schema runs with its owner's rights, so it reads the
tables underneath past the querying user's RLS policies (splinter 0010).

`security_invoker` exists from PostgreSQL 15; before that the rule is silent.
A later `ALTER VIEW ... SET (security_invoker = true)` in the file counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pglast import ast

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import with_option
from service.core.lint.supabase import invoker_option, is_exposed
from service.core.sql import Statement


@dataclass
class ViewSecurity:
    """The exposed views a file creates: statement, view RangeVar, and whether it runs as the invoker."""

    views: dict[str, tuple[Statement, tree.Node, bool]] = field(default_factory=dict)


def follow_views(statement: Statement, state: ViewSecurity) -> None:
    """Record exposed views `statement` creates and security_invoker changes it makes."""
    node = statement.node
    if statement.kind == "ViewStmt":
        relation = node.get("view") or {}
        name = tree.qualified_name(relation)
        if relation.get("relpersistence") != "t" and is_exposed(name):
            state.views[name] = (statement, relation, bool(invoker_option(node.get("options"))))
    elif statement.kind == "AlterTableStmt" and node.get("objtype") == "OBJECT_VIEW":
        name = tree.qualified_name(node.get("relation"))
        if name not in state.views:
            return
        for item in node.get("cmds", ()):
            command = item.get("AlterTableCmd", {})
            options = command.get("def", {}).get("List", {}).get("items")
            value = invoker_option(options)
            if value is None:
                continue
            created, relation, _ = state.views[name]
            reset = command.get("subtype") == "AT_ResetRelOptions"
            state.views[name] = (created, relation, False if reset else value)


def _with_invoker(statement: Statement) -> str:
    root = statement_node(statement, ast.ViewStmt)
    root.options = with_option(root.options, "security_invoker", "true")
    return deparse(root)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember exposed views and security_invoker changes for `finish` (PostgreSQL 15+)."""
    if context.pg_version >= 15:
        follow_views(statement, context.state("S506", ViewSecurity))
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each exposed view the file leaves without security_invoker = true."""
    state: ViewSecurity | None = context.rule_state.get("S506")
    if state is None:
        return
    for name, (statement, relation, invoker) in state.views.items():
        if not invoker:
            yield statement, Hit(
                location=tree.location(relation),
                message=f"view {name} runs with its owner's rights: API users read the tables under it past "
                "their own RLS policies and grants",
                rewrite=_with_invoker(statement),
            )


RULE = Rule(
    code="S506",
    name="security-definer-view",
    severity=Severity.ERROR,
    message="view in an exposed schema runs with its owner's rights: API users read the tables under it past "
    "their own RLS policies",
    help="Create it WITH (security_invoker = true) (PostgreSQL 15+), or move it to a schema the API does not "
    "expose.",
    check=check,
    finish=finish,
    kinds=frozenset({"ViewStmt", "AlterTableStmt"}),
    needles=frozenset({"view"}),  # CREATE VIEW, ALTER VIEW (an ALTER TABLE of a view changes nothing here)
)
