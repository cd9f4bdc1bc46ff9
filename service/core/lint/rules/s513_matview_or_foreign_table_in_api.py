"""S513 matview-or-foreign-table-in-api: materialized views and foreign tables have no row level security,
so granting SELECT on one to anon or authenticated serves all of its rows through the API
(splinter 0016, 0017).

Judged for the materialized views and foreign tables the file creates in the
exposed schema.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.supabase import API_ROLES, is_exposed
from service.core.sql import Statement

GRANTEES = frozenset({*API_ROLES, "public"})


def _grantees(node: tree.Node) -> list[str]:
    roles = []
    for item in node.get("grantees", ()):
        spec = item.get("RoleSpec", {})
        role = "public" if spec.get("roletype") == "ROLESPEC_PUBLIC" else str(spec.get("rolename", ""))
        if role in GRANTEES:
            roles.append(role)
    return roles


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """A GRANT of SELECT (or ALL) to anon, authenticated or PUBLIC on a materialized view or foreign table
    the file creates (by name or through ALL TABLES IN SCHEMA)."""
    created: dict[str, str] = context.rule_state.setdefault("S513", {})
    node = statement.node
    if statement.kind in ("CreateTableAsStmt", "CreateForeignTableStmt"):
        if statement.kind == "CreateTableAsStmt" and node.get("objtype") == "OBJECT_MATVIEW":
            name, kind = tree.qualified_name(node.get("into", {}).get("rel")), "materialized view"
        elif statement.kind == "CreateForeignTableStmt":
            name, kind = tree.qualified_name(node.get("base", {}).get("relation")), "foreign table"
        else:
            return
        if is_exposed(name):
            created[name] = kind
        return
    privileges = [item.get("AccessPriv", {}).get("priv_name") for item in node.get("privileges", ())]
    roles = _grantees(node)
    if not node.get("is_grant") or node.get("objtype") != "OBJECT_TABLE" or not roles or not created:
        return
    if privileges and "select" not in privileges:
        return
    targets: list[tuple[str, int | None]]
    if node.get("targtype") == "ACL_TARGET_ALL_IN_SCHEMA":
        schemas = set(tree.names(node.get("objects")))
        targets = [(name, None) for name in created if name.split(".", 1)[0] in schemas]
    else:
        relations = [item.get("RangeVar", {}) for item in node.get("objects", ())]
        targets = [(tree.qualified_name(relation), tree.location(relation)) for relation in relations]
    for name, location in targets:
        if name in created:
            yield Hit(
                location=location,
                message=f"{created[name]} {name} is granted to {', '.join(roles)}: it has no row level "
                "security, so every row is served through the API",
            )


RULE = Rule(
    code="S513",
    name="matview-or-foreign-table-in-api",
    severity=Severity.WARNING,
    message="materialized view or foreign table granted to anon or authenticated: it has no row level "
    "security, so every row is served through the API",
    help="Keep it in a schema the API does not expose and serve it through a security_invoker view or a "
    "function that filters by user; or grant it to service_role only.",
    check=check,
    kinds=frozenset({"CreateTableAsStmt", "CreateForeignTableStmt", "GrantStmt"}),
)
