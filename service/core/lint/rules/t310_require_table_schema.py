"""T310 require-table-schema (opt-in): an unqualified table name depends on the session's search_path."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

KINDS = frozenset({"CreateStmt", "CreateTableAsStmt", "AlterTableStmt", "DropStmt", "IndexStmt", "CreatePolicyStmt"})


def _unqualified(relation: tree.Node | None) -> Iterator[Hit]:
    if relation and not relation.get("schemaname") and relation.get("relpersistence") != "t":
        yield Hit(location=tree.location(relation),
                  message=f"table {relation.get('relname')} is not schema-qualified: which table it names "
                  "depends on the search_path of the session that runs the migration")


def check(statement: Statement, _context: LintContext) -> Iterator[Hit]:
    """Table names without a schema in CREATE/ALTER/DROP TABLE, CREATE INDEX and CREATE POLICY (temp tables aside)."""
    node = statement.node
    if statement.kind == "DropStmt":
        if node.get("removeType") == "OBJECT_TABLE":
            for item in node.get("objects", ()):
                parts = tree.names(item.get("List", {}).get("items"))
                if len(parts) == 1:
                    yield Hit(message=f"table {parts[0]} is not schema-qualified: which table it names depends on "
                              "the search_path of the session that runs the migration")
        return
    if statement.kind == "AlterTableStmt" and node.get("objtype") != "OBJECT_TABLE":
        return
    relation = node.get("relation") or node.get("table") or node.get("into", {}).get("rel")
    yield from _unqualified(relation)


RULE = Rule(
    code="T310",
    name="require-table-schema",
    severity=Severity.INFO,
    message="table name is not schema-qualified: which table it names depends on the session's search_path",
    help="Write schema.table (e.g. public.accounts).",
    check=check,
    enabled_by_default=False,
    kinds=KINDS,
)
