"""L115 prefer-repack: VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock.

Both copy the whole table (and rebuild its indexes) while every read and
write waits. pg_repack (an extension and a client) does the same online;
PostgreSQL 19 has REPACK (CONCURRENTLY). Tables created in this run are
exempt.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import has_option
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import (
    non_transactional_file,
    quote_name,
    quoted_relation,
)
from service.core.sql import Statement


def _rewrite(relations: list[dict[str, Any]], ordered: bool, index: str | None, pg_version: int) -> str:
    """REPACK (CONCURRENTLY) on PostgreSQL 19+, else pg_repack run from outside the migration."""
    if pg_version >= 19:
        if not relations:
            return "-- REPACK (CONCURRENTLY) takes one table at a time: name the tables that need it"
        using = f" USING INDEX {quote_name(index)}" if index else ""
        return "\n\n".join(non_transactional_file(f"REPACK (CONCURRENTLY) {quoted_relation(relation)}{using}")
                            for relation in relations)
    tables = "".join(f" --table={tree.qualified_name(relation)}" for relation in relations)
    lines = ["-- not in a migration: rewrite it online with pg_repack (its extension installed in the database):"]
    if not ordered:
        lines += [f"-- pg_repack --no-order --dbname=<database>{tables}"]
        return "\n".join(lines)
    if index is not None:
        lines += ["-- pg_repack orders rows by the table's clustered index, which this marks (no rewrite):",
                  *(f"ALTER TABLE {quoted_relation(relation)} CLUSTER ON {quote_name(index)};"
                    for relation in relations)]
    lines += [f"-- pg_repack --dbname=<database>{tables}"]
    return "\n".join(lines)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """A VACUUM FULL or CLUSTER of a table that is not new in this run."""
    if statement.kind == "VacuumStmt":
        node = statement.node
        if not node.get("is_vacuumcmd") or not has_option(node.get("options"), "full"):
            return
        relations = [item["VacuumRelation"].get("relation") or {} for item in node.get("rels") or ()
                     if "VacuumRelation" in item]
        what, index = "VACUUM FULL", None
    else:  # ClusterStmt
        relations = [statement.node["relation"]] if statement.node.get("relation") else []
        what, index = "CLUSTER", statement.node.get("indexname")
    if relations and all(context.is_new(tree.qualified_name(relation)) for relation in relations):
        return
    names = ", ".join(tree.qualified_name(relation) for relation in relations) or (
        "every table" if what == "VACUUM FULL" else "every clustered table")
    yield Hit(
        location=tree.location(relations[0]) if relations else None,
        message=f"{what} rewrites {names} under an ACCESS EXCLUSIVE lock: every read and write waits for the copy",
        rewrite=_rewrite(relations, what == "CLUSTER", index, context.pg_version),
    )


RULE = Rule(
    code="L115",
    name="prefer-repack",
    severity=Severity.WARNING,
    message="VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock: every read and write waits",
    help="Rewrite it online with pg_repack, or REPACK (CONCURRENTLY) on PostgreSQL 19+; plain VACUUM reclaims "
    "space for reuse without a lock.",
    check=check,
    kinds=frozenset({"VacuumStmt", "ClusterStmt"}),
)
