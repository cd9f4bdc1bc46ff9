"""S512 auth-users-exposed: a view or materialized view in the exposed schema that reads auth.users serves
users' emails, phones and metadata through the API (splinter 0002).

A view with security_invoker = true (PostgreSQL 15+, set at creation or by a
later ALTER VIEW of the file) reads auth.users with the caller's rights,
which API roles lack, so it is left alone. A materialized view always holds
the data itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.supabase import invoker_option, is_exposed
from service.core.sql import Statement


@dataclass
class _View:
    statement: Statement
    read: tree.Node  # the auth.users RangeVar
    materialized: bool
    invoker: bool


def _auth_users(query: tree.Node | None) -> tree.Node | None:
    for relation in tree.find(query, "RangeVar"):
        if relation.get("schemaname") == "auth" and relation.get("relname") == "users":
            return relation
    return None


def may_read_auth_users(source: str) -> bool:
    """Whether the file spells `users` (a view must name auth.users to be reported), or has escapes (`U&"..."`
    spells a name without its letters): a file that does neither has nothing for this rule."""
    if "users" in source or "USERS" in source:
        return True
    lowered = source.lower()
    return "users" in lowered or "\\" in source or "u&" in lowered


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember exposed views over auth.users and security_invoker changes, for `finish`."""
    views: dict[str, _View] = context.rule_state.setdefault("S512", {})
    node = statement.node
    invoker_exists = context.pg_version >= 15
    if statement.kind in ("ViewStmt", "CreateTableAsStmt"):
        materialized = statement.kind == "CreateTableAsStmt"
        if materialized and node.get("objtype") != "OBJECT_MATVIEW":
            return iter(())
        relation = node.get("view") or node.get("into", {}).get("rel") or {}
        name = tree.qualified_name(relation)
        read = _auth_users(node.get("query"))
        if read and relation.get("relpersistence") != "t" and is_exposed(name):
            invoker = invoker_exists and not materialized and bool(invoker_option(node.get("options")))
            views[name] = _View(statement, read, materialized, invoker)
    elif node.get("objtype") == "OBJECT_VIEW" and invoker_exists:
        view = views.get(tree.qualified_name(node.get("relation")))
        for item in node.get("cmds", ()) if view else ():
            command = item.get("AlterTableCmd", {})
            value = invoker_option(command.get("def", {}).get("List", {}).get("items"))
            if view is not None and value is not None:
                view.invoker = value and command.get("subtype") != "AT_ResetRelOptions"
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each exposed view over auth.users that reads it with its owner's rights, and each such matview."""
    views: dict[str, _View] = context.rule_state.get("S512", {})
    for name, view in views.items():
        if view.invoker:
            continue
        kind = "materialized view" if view.materialized else "view"
        yield view.statement, Hit(
            location=tree.location(view.read),
            message=f"{kind} {name} exposes auth.users through the API: every caller can read other users' "
            "emails, phones and metadata",
        )


RULE = Rule(
    code="S512",
    name="auth-users-exposed",
    severity=Severity.ERROR,
    message="view in an exposed schema reads auth.users with its owner's rights: users' emails and metadata "
    "are served through the API",
    help="Keep such views out of exposed schemas, create them WITH (security_invoker = true) (PostgreSQL 15+), "
    "or copy the few public fields into a table of your own (a profiles table with RLS).",
    check=check,
    finish=finish,
    kinds=frozenset({"ViewStmt", "CreateTableAsStmt", "AlterTableStmt"}),
    # views over auth.users, and ALTER VIEW ... SET (security_invoker)
    needles=frozenset({"users", "security_invoker"}),
    screen=may_read_auth_users,
)
