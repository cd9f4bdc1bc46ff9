"""T311 naming-convention (opt-in): schemas, tables, views, columns, indexes and constraints named by one pattern.

Atlas's NM101-NM106 in one rule. Only names a statement defines are checked
(CREATE, ADD COLUMN / CONSTRAINT, RENAME ... TO), never names it refers to.
The pattern is lower-case snake_case; names come from the parse tree, so an
unquoted `Accounts` is already `accounts` and only quoted names can fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")  # identifiers, not SQL: matched against names from the parse tree
KINDS = frozenset({"CreateSchemaStmt", "CreateStmt", "CreateTableAsStmt", "ViewStmt", "IndexStmt",
                   "AlterTableStmt", "RenameStmt"})
RENAMED = {"OBJECT_TABLE": "table", "OBJECT_COLUMN": "column", "OBJECT_INDEX": "index", "OBJECT_VIEW": "view",
           "OBJECT_SCHEMA": "schema", "OBJECT_TABCONSTRAINT": "constraint", "OBJECT_MATVIEW": "materialized view"}

Name = tuple[str, str, int | None]  # what it names, the name, where


def _columns_and_constraints(elements: list[tree.Node]) -> Iterator[Name]:
    for element in elements:
        if "ColumnDef" in element:
            column = element["ColumnDef"]
            yield "column", column.get("colname", ""), tree.location(column)
            for item in column.get("constraints", ()):
                yield from _constraint(item.get("Constraint", {}))
        elif "Constraint" in element:
            yield from _constraint(element["Constraint"])


def _constraint(constraint: tree.Node) -> Iterator[Name]:
    if constraint.get("conname"):
        yield "constraint", constraint["conname"], tree.location(constraint)


def _defined(statement: Statement) -> Iterator[Name]:
    node, kind = statement.node, statement.kind
    if kind == "CreateSchemaStmt" and node.get("schemaname"):
        yield "schema", node["schemaname"], None
    elif kind in ("CreateStmt", "CreateTableAsStmt", "ViewStmt"):
        relation = node.get("relation") or node.get("view") or node.get("into", {}).get("rel") or {}
        what = "view" if kind == "ViewStmt" or node.get("objtype") == "OBJECT_MATVIEW" else "table"
        yield what, relation.get("relname", ""), tree.location(relation)
        yield from _columns_and_constraints(node.get("tableElts", ()))
    elif kind == "IndexStmt" and node.get("idxname"):
        yield "index", node["idxname"], tree.location(node.get("relation"))
    elif kind == "AlterTableStmt":
        for item in node.get("cmds", ()):
            command = item.get("AlterTableCmd", {})
            if command.get("subtype") in ("AT_AddColumn", "AT_AddConstraint"):
                yield from _columns_and_constraints([command.get("def", {})])
    elif kind == "RenameStmt" and node.get("renameType") in RENAMED and node.get("newname"):
        yield RENAMED[node["renameType"]], node["newname"], tree.location(node.get("relation"))


def check(statement: Statement, _context: LintContext) -> Iterator[Hit]:
    """Each defined name that is not lower-case snake_case."""
    for what, name, location in _defined(statement):
        if not NAME_PATTERN.fullmatch(name):
            yield Hit(location=location, message=f"{what} name {name!r} does not match the naming convention "
                      f"{NAME_PATTERN.pattern}")


RULE = Rule(
    code="T311",
    name="naming-convention",
    severity=Severity.INFO,
    message="name does not follow the naming convention (lower-case snake_case)",
    help="Use lower-case letters, digits and underscores, starting with a letter or underscore; such names "
    "never need quoting.",
    check=check,
    enabled_by_default=False,
    kinds=KINDS,
)
