"""L109 constraint-missing-not-valid: a CHECK added without NOT VALID scans the table under ACCESS EXCLUSIVE.

Adding a CHECK to an existing table checks every row while reads and writes
wait. Added NOT VALID it applies to new rows at once, and a later VALIDATE
CONSTRAINT scans under a lock that lets reads and writes go on. A CHECK on a
column added by the same ALTER TABLE scans too (a column constraint cannot be
NOT VALID: the rewrite moves it to a table constraint). Tables created in
this run are exempt.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType, ConstrType

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import quote_name, quoted_relation
from service.core.sql import Statement


def _checks(command: dict[str, Any]) -> list[dict[str, Any]]:
    """The validated CHECK constraints an ALTER TABLE command adds (table or column constraints)."""
    subtype = command.get("subtype")
    if subtype == "AT_AddConstraint":
        constraints = [command.get("def", {})]
    elif subtype == "AT_AddColumn":
        constraints = command.get("def", {}).get("ColumnDef", {}).get("constraints") or []
    else:
        return []
    found = [c["Constraint"] for c in constraints if c.get("Constraint", {}).get("contype") == "CONSTR_CHECK"]
    return [constraint for constraint in found if not constraint.get("skip_validation")]


def default_check_name(table: str, expression: ast.Node | None, column: str | None = None) -> str:
    """PostgreSQL's name for an unnamed CHECK: `table_column_check` after the first column it reads."""
    if column is None:
        found = list(_column_refs(expression))
        found.sort(key=lambda node: node.location if isinstance(node.location, int) else 0)
        fields = [field.sval for field in found[0].fields or () if isinstance(field, ast.String)] if found else []
        column = fields[-1] if fields else None
    return f"{table}_{column}_check" if column else f"{table}_check"


def _column_refs(node: Any) -> Iterator[ast.ColumnRef]:
    if isinstance(node, ast.ColumnRef):
        yield node
    elif isinstance(node, ast.Node):
        for attribute in node:
            yield from _column_refs(getattr(node, attribute))
    elif isinstance(node, tuple):
        for item in node:
            yield from _column_refs(item)


def _rewrite(statement: Statement) -> str:
    """The statement with every CHECK NOT VALID (and named), then their VALIDATE in a later migration."""
    node: Any = statement_node(statement, ast.AlterTableStmt)  # pglast types every part Optional
    commands: list[ast.AlterTableCmd] = []
    names: list[str] = []
    for command in node.cmds:
        commands.append(command)
        if command.subtype == AlterTableType.AT_AddConstraint and command.def_.contype == ConstrType.CONSTR_CHECK:
            constraint = command.def_
            if not constraint.skip_validation:
                constraint.conname = constraint.conname or default_check_name(node.relation.relname,
                                                                              constraint.raw_expr)
                constraint.skip_validation, constraint.initially_valid = True, False
                names.append(constraint.conname)
        elif command.subtype == AlterTableType.AT_AddColumn:
            column = command.def_
            checks = [c for c in column.constraints or () if c.contype == ConstrType.CONSTR_CHECK]
            column.constraints = tuple(c for c in column.constraints or ()
                                       if c.contype != ConstrType.CONSTR_CHECK) or None
            for constraint in checks:
                constraint.conname = constraint.conname or default_check_name(node.relation.relname, None,
                                                                              column.colname)
                constraint.skip_validation, constraint.initially_valid = True, False
                names.append(constraint.conname)
                commands.append(ast.AlterTableCmd(subtype=AlterTableType.AT_AddConstraint, def_=constraint))
    node.cmds = tuple(commands)
    table = quoted_relation(node.relation)
    return "\n".join([
        "-- applies to new rows at once: no scan",
        f"{deparse(node)};",
        "-- in a later migration (its own transaction): scans while reads and writes go on",
        *(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote_name(name)};" for name in names),
    ])


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each CHECK added to an existing table without NOT VALID."""
    table = tree.qualified_name(statement.node.get("relation"))
    if context.is_new(table):
        return
    rewrite: str | None = None
    for item in statement.node.get("cmds") or ():
        for constraint in _checks(item.get("AlterTableCmd", {})):
            rewrite = rewrite or _rewrite(statement)
            yield Hit(
                location=tree.location(constraint),
                message=f"CHECK without NOT VALID scans every row of {table} under an ACCESS EXCLUSIVE lock: "
                "reads and writes wait for the scan",
                rewrite=rewrite,
            )


RULE = Rule(
    code="L109",
    name="constraint-missing-not-valid",
    severity=Severity.ERROR,
    message="CHECK without NOT VALID scans every row under an ACCESS EXCLUSIVE lock: reads and writes wait",
    help="Add it NOT VALID (enforced for new rows at once), then VALIDATE CONSTRAINT in a later migration, "
    "which scans without blocking reads or writes.",
    check=check,
    kinds=frozenset({"AT_AddConstraint", "AT_AddColumn"}),
)
