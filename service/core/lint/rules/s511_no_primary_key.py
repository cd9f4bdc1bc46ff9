"""S511 no-primary-key: a table without a primary key cannot be replicated for UPDATE/DELETE (logical
replication, Realtime) and its rows cannot be addressed reliably (splinter 0004).

A primary key added by a later ALTER TABLE of the file counts. Partitions
(which take the parent's key) and `LIKE` copies (which may copy one) are
left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement


def _has_primary_key(elements: list[tree.Node]) -> bool:
    for element in elements:
        constraints = element.get("ColumnDef", {}).get("constraints", ()) if "ColumnDef" in element else [element]
        for item in constraints:
            if item.get("Constraint", {}).get("contype") == "CONSTR_PRIMARY":
                return True
    return False


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember created tables without a primary key, and keys added later, for `finish`."""
    keyless: dict[str, tuple[Statement, tree.Node]] = context.rule_state.setdefault("S511", {})
    node = statement.node
    if statement.kind == "CreateStmt":
        relation = node.get("relation") or {}
        elements = node.get("tableElts", ())
        if (relation.get("relpersistence") != "t" and not node.get("partbound")
                and not any("TableLikeClause" in element for element in elements)
                and not _has_primary_key(elements)):
            keyless[tree.qualified_name(relation)] = (statement, relation)
    elif statement.kind == "CreateTableAsStmt":
        relation = node.get("into", {}).get("rel") or {}
        if node.get("objtype") == "OBJECT_TABLE" and relation.get("relpersistence") != "t":
            keyless[tree.qualified_name(relation)] = (statement, relation)
    elif keyless:  # an ALTER TABLE: only a table remembered as keyless can gain its key here
        table = tree.qualified_name(node.get("relation"))
        if table in keyless:
            added = [item.get("AlterTableCmd", {}).get("def", {}) for item in node.get("cmds", ())
                     if item.get("AlterTableCmd", {}).get("subtype") in ("AT_AddConstraint", "AT_AddColumn")]
            if _has_primary_key(added):
                del keyless[table]
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each table the file creates and leaves without a primary key."""
    keyless: dict[str, tuple[Statement, tree.Node]] = context.rule_state.get("S511", {})
    for table, (statement, relation) in keyless.items():
        yield statement, Hit(
            location=tree.location(relation),
            message=f"table {table} has no primary key: UPDATE and DELETE cannot be replicated (logical "
            "replication, Realtime) and its rows cannot be addressed reliably",
        )


RULE = Rule(
    code="S511",
    name="no-primary-key",
    severity=Severity.INFO,
    message="table without a primary key: UPDATE and DELETE cannot be replicated and rows cannot be addressed "
    "reliably",
    help="Add a primary key, e.g. `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`.",
    check=check,
    finish=finish,
    kinds=frozenset({"CreateStmt", "CreateTableAsStmt", "AT_AddConstraint", "AT_AddColumn"}),
)
