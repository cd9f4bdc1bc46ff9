"""B207 adding-required-field: ADD COLUMN ... NOT NULL without a default fails on a table with rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from pglast import ast
from pglast.enums import ConstrType

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import SERIALS, commands_on_existing_table
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import not_null_by_check, quote_name, take_constraints
from service.core.sql import Statement

# Constraints that give every existing row a value: the column is filled, not left NULL.
FILLING = frozenset({"CONSTR_IDENTITY", "CONSTR_GENERATED"})
VALIDATED_CHECK_SINCE = 12  # SET NOT NULL skips its scan when a valid CHECK (c IS NOT NULL) exists


def _fills_existing_rows(column: tree.Node) -> bool:
    """Whether a default (not NULL), identity, generation or serial type gives existing rows a value."""
    if tree.type_name(column.get("typeName")) in SERIALS:
        return True
    for item in column.get("constraints", ()):
        constraint = item.get("Constraint", {})
        contype = constraint.get("contype")
        if contype in FILLING:
            return True
        if contype == "CONSTR_DEFAULT" and not constraint.get("raw_expr", {}).get("A_Const", {}).get("isnull"):
            return True
    return False


def _nullable_add(statement: Statement, command_index: int) -> str:
    """The ADD COLUMN at `command_index`, alone and without its NOT NULL, deparsed."""
    node = statement_node(statement, ast.AlterTableStmt)
    command = cast(ast.AlterTableCmd, (node.cmds or ())[command_index])
    take_constraints(cast(ast.ColumnDef, command.def_), ConstrType.CONSTR_NOTNULL)
    single = ast.AlterTableStmt(relation=node.relation, cmds=(command,), objtype=node.objtype,
                                missing_ok=node.missing_ok)
    return deparse(single)


def required_column_rewrite(statement: Statement, command_index: int, relation: tree.Node, column: str,
                            pg_version: int) -> str:
    """Add the column nullable, backfill, then enforce NOT NULL without a long lock."""
    name = quote_name(column)
    steps = not_null_by_check(relation, column)
    lines = [
        "-- 1. add it nullable: INSERTs of the deployed code, which omit it, keep working",
        f"{_nullable_add(statement, command_index)};",
        f"-- 2. deploy code that writes {name}, and backfill the existing rows in batches",
    ]
    if pg_version >= VALIDATED_CHECK_SINCE:
        lines += [
            "-- 3. once backfilled, a CHECK that only new writes must pass:",
            steps.add_check,
            "-- 4. in a later migration: VALIDATE takes no write lock, and SET NOT NULL then skips its scan",
            steps.validate,
            steps.set_not_null,
            steps.drop_check,
        ]
    else:
        lines += [
            "-- 3. before PG12, SET NOT NULL scans the table under ACCESS EXCLUSIVE: run it in a maintenance window",
            steps.set_not_null,
        ]
    lines.append(f"-- or, when one value suits every existing row: ADD COLUMN {name} ... NOT NULL DEFAULT <constant>")
    return "\n".join(lines)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each `ADD COLUMN ... NOT NULL` without a default on a table that existed before this run."""
    if statement.node.get("objtype") != "OBJECT_TABLE":
        return
    relation = statement.node.get("relation") or {}
    table = tree.qualified_name(relation)
    for index, command in enumerate(commands_on_existing_table(statement, context)):
        if command.get("subtype") != "AT_AddColumn":
            continue
        column = command.get("def", {}).get("ColumnDef", {})
        constraints = column.get("constraints", ())
        not_null = any(c.get("Constraint", {}).get("contype") == "CONSTR_NOTNULL" for c in constraints)
        if not not_null or _fills_existing_rows(column):
            continue
        name = str(column.get("colname", ""))
        yield Hit(
            location=tree.location(column),
            message=f"ADD COLUMN {name} NOT NULL without a default fails if {table} has rows, and breaks "
            f"the deployed code's INSERTs, which omit {name}",
            rewrite=required_column_rewrite(statement, index, relation, name, context.pg_version),
        )


RULE = Rule(
    code="B207",
    name="adding-required-field",
    severity=Severity.ERROR,
    message="ADD COLUMN NOT NULL without a default fails on existing rows and breaks the deployed code's INSERTs",
    help="Add the column nullable, deploy code that writes it, backfill, then enforce NOT NULL with a "
    "CHECK ... NOT VALID validated later; or give it a constant DEFAULT. New tables are fine.",
    check=check,
    kinds=frozenset({"AT_AddColumn"}),
    needles=frozenset({"null"}),  # NOT NULL
)
