"""B204 renaming-table: the application versions still running query the old name and fail."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import quote_name
from service.core.sql import Statement

SECURITY_INVOKER_SINCE = 15  # views run with the caller's rights (and RLS) only from PG15


def view_under_old_name(relation: tree.Node, new_name: str, pg_version: int) -> str:
    """The rename, then an updatable view under the old name so deployed code keeps working."""
    schema = relation.get("schemaname")
    prefix = f"{quote_name(schema)}." if schema else ""
    old = f"{prefix}{quote_name(relation.get('relname', ''))}"
    new = f"{prefix}{quote_name(new_name)}"
    options = " WITH (security_invoker = true)" if pg_version >= SECURITY_INVOKER_SINCE else ""
    return (
        "-- rename, and keep the old name working: a view over one table is updatable\n"
        f"ALTER TABLE {old} RENAME TO {quote_name(new_name)};\n"
        f"CREATE VIEW {old}{options} AS SELECT * FROM {new};\n"
        f"-- once no deployed code uses {old}, in a migration marked `-- Phase: contract`:\n"
        f"-- DROP VIEW {old};"
    )


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """`ALTER TABLE ... RENAME TO` on a table that existed before this run."""
    if statement.node.get("renameType") != "OBJECT_TABLE":
        return
    relation = statement.node.get("relation") or {}
    table = tree.qualified_name(relation)
    if context.is_new(table):
        return
    new_name = str(statement.node.get("newname", ""))
    yield Hit(
        location=tree.location(relation),
        message=f"renaming {table} to {new_name} breaks the application versions that still use {table}",
        rewrite=view_under_old_name(relation, new_name, context.pg_version),
    )


RULE = Rule(
    code="B204",
    name="renaming-table",
    severity=Severity.ERROR,
    message="renaming a table breaks the application versions that still use the old name",
    help="Rename it and create a view under the old name in the same transaction (simple views are "
    "updatable), deploy code that uses the new name, then drop the view in a `-- Phase: contract` migration. "
    "Tables created earlier in the same run are fine.",
    check=check,
    kinds=frozenset({"RenameStmt"}),
)
