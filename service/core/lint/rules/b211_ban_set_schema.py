"""B211 ban-set-schema: moving an object to another schema breaks every reference by its old qualified name."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement


def _object_name(node: tree.Node) -> str:
    """The moved object's name as written (a relation, a function, a type, an extension...)."""
    if node.get("relation"):
        return tree.qualified_name(node["relation"])
    moved = node.get("object") or {}
    if "ObjectWithArgs" in moved:
        return ".".join(tree.names(moved["ObjectWithArgs"].get("objname")))
    if "List" in moved:
        return ".".join(tree.names(moved["List"].get("items")))
    if "TypeName" in moved:
        return ".".join(tree.names(moved["TypeName"].get("names")))
    return str(moved.get("String", {}).get("sval", ""))


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """`ALTER ... SET SCHEMA` of anything but a table created earlier in this run."""
    node = statement.node
    relation = node.get("relation")
    if relation and context.is_new(tree.qualified_name(relation)):
        return
    kind = str(node.get("objectType", "")).removeprefix("OBJECT_").lower().replace("_", " ")
    kind = "materialized view" if kind == "matview" else kind
    yield Hit(
        location=tree.location(relation),
        message=f"moving {kind} {_object_name(node)} to schema {node.get('newschema')} breaks the code "
        "and search_path settings that find it in its old schema",
    )


RULE = Rule(
    code="B211",
    name="ban-set-schema",
    severity=Severity.WARNING,
    message="SET SCHEMA breaks the code that names the object in its old schema",
    help="Deploy code that finds the object in the new schema (qualified names or search_path) first; "
    "for a table, a view under the old name bridges the switch. Tables created earlier in the same run are fine.",
    check=check,
    kinds=frozenset({"AlterObjectSchemaStmt"}),
)
