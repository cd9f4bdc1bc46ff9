"""L113 adding-exclusion-constraint: ADD EXCLUDE builds its index and checks every row under ACCESS EXCLUSIVE.

An exclusion constraint has no NOT VALID form and no `USING INDEX` form, so
there is no online recipe: the build blocks reads and writes for as long as
it takes. (squawk reports it as constraint-missing-not-valid, whose fix does
not exist for EXCLUDE.) Tables created in this run are exempt.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each EXCLUDE constraint added to an existing table."""
    table = tree.qualified_name(statement.node.get("relation"))
    if context.is_new(table):
        return
    for item in statement.node.get("cmds") or ():
        command = item.get("AlterTableCmd", {})
        constraint = command.get("def", {}).get("Constraint", {})
        if command.get("subtype") == "AT_AddConstraint" and constraint.get("contype") == "CONSTR_EXCLUSION":
            yield Hit(
                location=tree.location(constraint),
                message=f"ADD EXCLUDE builds its index and checks every row of {table} under an ACCESS EXCLUSIVE "
                "lock, and has no NOT VALID or concurrent form: reads and writes wait for all of it",
            )


RULE = Rule(
    code="L113",
    name="adding-exclusion-constraint",
    severity=Severity.WARNING,
    message="ADD EXCLUDE builds its index under an ACCESS EXCLUSIVE lock and has no NOT VALID or concurrent form",
    help="Schedule it in a maintenance window (time it on a copy of production data first), or create the table "
    "with the constraint and move the data into it.",
    check=check,
    kinds=frozenset({"AT_AddConstraint"}),
)
