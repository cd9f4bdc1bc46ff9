"""B206 renaming-object: renaming a schema, enum value, index or constraint breaks code that names it."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import quote_name, sql_literal
from service.core.sql import Statement

CODE = "B206"
CREATES = frozenset({"CreateSchemaStmt", "CreateEnumStmt", "IndexStmt"})


def _remember(statement: Statement, created: set[tuple[str, str]]) -> None:
    """Schemas, enums and indexes this file creates: renaming them breaks nobody yet."""
    node = statement.node
    if statement.kind == "CreateSchemaStmt":
        created.add(("schema", str(node.get("schemaname", ""))))
    elif statement.kind == "CreateEnumStmt":
        created.add(("enum", tree.dotted_name(tree.names(node.get("typeName")))))
    elif node.get("idxname"):  # an index lives in its table's schema
        schema = (node.get("relation") or {}).get("schemaname", "public")
        created.add(("index", f"{schema}.{node['idxname']}"))


def _enum_value_rewrite(type_parts: list[str], old: str, new: str) -> str:
    enum = ".".join(quote_name(part) for part in type_parts)
    return (
        f"-- add the new value beside the old one\n"
        f"ALTER TYPE {enum} ADD VALUE IF NOT EXISTS {sql_literal(new)} AFTER {sql_literal(old)};\n"
        f"-- in a later migration (a new value is usable once committed): move every column of type {enum}\n"
        f"-- from {sql_literal(old)} to {sql_literal(new)}, deploy code that writes {sql_literal(new)} only; "
        f"keep {sql_literal(old)} (PostgreSQL cannot drop an enum value)"
    )


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Renames of schemas, enum values, indexes and table or domain constraints made before this file."""
    kind = statement.kind
    if kind in CREATES:
        _remember(statement, context.rule_state.setdefault(CODE, set()))
        return
    node = statement.node
    created: set[tuple[str, str]] = context.rule_state.get(CODE, set())
    if kind == "AlterEnumStmt":
        old = node.get("oldVal")
        if old is None:
            return  # ADD VALUE
        parts = tree.names(node.get("typeName"))
        enum = tree.dotted_name(parts)
        if ("enum", enum) in created:
            return
        new = str(node.get("newVal", ""))
        yield Hit(
            message=f"renaming value {sql_literal(old)} of enum {enum} to {sql_literal(new)} breaks the "
            "application versions and stored queries that still use the old value",
            rewrite=_enum_value_rewrite(parts, old, new),
        )
        return
    rename_type = node.get("renameType")
    relation = node.get("relation") or {}
    if rename_type == "OBJECT_SCHEMA":
        schema = str(node.get("subname", ""))
        if ("schema", schema) not in created:
            yield Hit(message=f"renaming schema {schema} breaks every query, function and grant that names "
                      f"{schema}")
    elif rename_type == "OBJECT_INDEX":
        index = tree.qualified_name(relation)
        if ("index", index) not in created:
            yield Hit(location=tree.location(relation),
                      message=f"renaming index {index} breaks the scripts, migrations and hints that name it")
    elif rename_type == "OBJECT_TABCONSTRAINT":
        table = tree.qualified_name(relation)
        if not context.is_new(table):
            yield Hit(location=tree.location(relation),
                      message=f"renaming constraint {node.get('subname')} of {table} breaks the code that names it "
                      "(`ON CONFLICT ON CONSTRAINT`, error handling on the constraint name)")
    elif rename_type == "OBJECT_DOMCONSTRAINT":
        domain = tree.dotted_name(tree.names(node.get("object", {}).get("List", {}).get("items")))
        yield Hit(message=f"renaming constraint {node.get('subname')} of domain {domain} breaks the code that "
                  "names it")


RULE = Rule(
    code=CODE,
    name="renaming-object",
    severity=Severity.WARNING,
    message="renaming a schema, enum value, index or constraint breaks the code that uses the old name",
    help="Add the new object beside the old one, move the code to it, then remove the old one in a "
    "`-- Phase: contract` migration. Objects created earlier in the same file are fine.",
    check=check,
    kinds=CREATES | {"AlterEnumStmt", "RenameStmt"},
)
