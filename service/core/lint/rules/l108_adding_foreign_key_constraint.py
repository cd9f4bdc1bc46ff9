"""L108 adding-foreign-key-constraint: a FOREIGN KEY added without NOT VALID blocks writes while it validates.

Adding the constraint takes SHARE ROW EXCLUSIVE locks on both tables and
scans the referencing table to check every row, so writes to both tables
wait for the scan. Added NOT VALID it is checked only for new rows; a later
VALIDATE CONSTRAINT scans without blocking writes. `ADD COLUMN ... REFERENCES`
is the same constraint. A table created in this run is exempt.
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


def _foreign_keys(command: dict[str, Any]) -> list[dict[str, Any]]:
    """The validated FOREIGN KEY constraints an ALTER TABLE command adds (table or column constraints)."""
    subtype = command.get("subtype")
    if subtype == "AT_AddConstraint":
        constraints = [command.get("def", {})]
    elif subtype == "AT_AddColumn":
        constraints = command.get("def", {}).get("ColumnDef", {}).get("constraints") or []
    else:
        return []
    found = [c["Constraint"] for c in constraints if c.get("Constraint", {}).get("contype") == "CONSTR_FOREIGN"]
    return [constraint for constraint in found if not constraint.get("skip_validation")]


def _rewrite(statement: Statement) -> str:
    """The statement with every foreign key NOT VALID (and named), then their VALIDATE in a later migration."""
    node: Any = statement_node(statement, ast.AlterTableStmt)  # pglast types every part Optional
    commands: list[ast.AlterTableCmd] = []
    names: list[str] = []
    for command in node.cmds:
        commands.append(command)
        if command.subtype == AlterTableType.AT_AddConstraint and command.def_.contype == ConstrType.CONSTR_FOREIGN:
            constraint = command.def_
            if not constraint.skip_validation:
                columns = "_".join(item.sval for item in constraint.fk_attrs or ())
                constraint.conname = constraint.conname or f"{node.relation.relname}_{columns}_fkey"
                constraint.skip_validation, constraint.initially_valid = True, False
                names.append(constraint.conname)
        elif command.subtype == AlterTableType.AT_AddColumn:
            column = command.def_
            keys = [c for c in column.constraints or () if c.contype == ConstrType.CONSTR_FOREIGN]
            column.constraints = tuple(c for c in column.constraints or ()
                                       if c.contype != ConstrType.CONSTR_FOREIGN) or None
            for key in keys:
                key.conname = key.conname or f"{node.relation.relname}_{column.colname}_fkey"
                key.fk_attrs = (ast.String(sval=column.colname),)
                key.skip_validation, key.initially_valid = True, False
                names.append(key.conname)
                commands.append(ast.AlterTableCmd(subtype=AlterTableType.AT_AddConstraint, def_=key))
    node.cmds = tuple(commands)
    table = quoted_relation(node.relation)
    validations = [f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote_name(name)};" for name in names]
    return "\n".join([
        "-- checks new rows only: no scan, a brief lock",
        f"{deparse(node)};",
        "-- in a later migration (its own transaction): scans without blocking writes",
        *validations,
    ])


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each FOREIGN KEY / REFERENCES added to an existing table without NOT VALID."""
    table = tree.qualified_name(statement.node.get("relation"))
    if context.is_new(table):
        return
    rewrite: str | None = None
    for item in statement.node.get("cmds") or ():
        for constraint in _foreign_keys(item.get("AlterTableCmd", {})):
            rewrite = rewrite or _rewrite(statement)
            referenced = tree.qualified_name(constraint.get("pktable"))
            yield Hit(
                location=tree.location(constraint),
                message=f"FOREIGN KEY from {table} to {referenced} without NOT VALID locks both tables against "
                f"writes while it scans {table} to validate every row",
                rewrite=rewrite,
            )


RULE = Rule(
    code="L108",
    name="adding-foreign-key-constraint",
    severity=Severity.ERROR,
    message="a FOREIGN KEY without NOT VALID locks both tables against writes while it scans every row",
    help="Add it NOT VALID (checked for new rows only), then VALIDATE CONSTRAINT in a later migration: validation "
    "then takes a lock that lets reads and writes go on.",
    check=check,
    kinds=frozenset({"AT_AddConstraint", "AT_AddColumn"}),
)
