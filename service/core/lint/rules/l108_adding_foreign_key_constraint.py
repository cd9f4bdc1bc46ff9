"""L108 adding-foreign-key-constraint: a FOREIGN KEY added without NOT VALID blocks writes while it validates.

Adding the constraint takes SHARE ROW EXCLUSIVE locks on both tables and
scans the referencing table to check every row, so writes to both tables
wait for the scan. Added NOT VALID it is checked only for new rows; a later
VALIDATE CONSTRAINT scans without blocking writes. `ADD COLUMN ... REFERENCES`
is the same constraint. A table created in this run is exempt.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast
from pglast.enums import ConstrType

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import validating_constraints
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import not_valid_then_validate
from service.core.sql import Statement


def _default_name(table: str, constraint: ast.Constraint, column: str | None) -> str:
    """PostgreSQL's name for an unnamed foreign key: `table_column_fkey`, after its (first) columns."""
    columns = column if column is not None else "_".join(item.sval for item in constraint.fk_attrs or ())
    return f"{table}_{columns}_fkey"


def _rewrite(statement: Statement) -> str:
    """The statement with every foreign key NOT VALID (and named), then their VALIDATE in a later migration."""
    return not_valid_then_validate(
        statement, ConstrType.CONSTR_FOREIGN, _default_name,
        added="checks new rows only: no scan, a brief lock",
        validated="in a later migration (its own transaction): scans without blocking writes",
    )


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each FOREIGN KEY / REFERENCES added to an existing table without NOT VALID."""
    table = tree.qualified_name(statement.node.get("relation"))
    constraints = validating_constraints(statement, context, "CONSTR_FOREIGN")
    rewrite = _rewrite(statement) if constraints else None
    for constraint in constraints:
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
    needles=frozenset({"references"}),  # FOREIGN KEY ... REFERENCES and a column's REFERENCES alike
)
