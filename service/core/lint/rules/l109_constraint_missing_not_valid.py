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
from pglast.enums import ConstrType

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import validating_constraints
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import not_valid_then_validate
from service.core.sql import Statement


def default_check_name(table: str, constraint: ast.Constraint, column: str | None) -> str:
    """PostgreSQL's name for an unnamed CHECK: `table_column_check` after its column, or the first column its
    expression reads."""
    if column is None:
        found = list(_column_refs(constraint.raw_expr))
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
    return not_valid_then_validate(
        statement, ConstrType.CONSTR_CHECK, default_check_name,
        added="applies to new rows at once: no scan",
        validated="in a later migration (its own transaction): scans while reads and writes go on",
    )


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each CHECK added to an existing table without NOT VALID."""
    table = tree.qualified_name(statement.node.get("relation"))
    constraints = validating_constraints(statement, context, "CONSTR_CHECK")
    rewrite = _rewrite(statement) if constraints else None
    for constraint in constraints:
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
    needles=frozenset({"check"}),
)
