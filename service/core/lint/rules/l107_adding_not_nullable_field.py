"""L107 adding-not-nullable-field: SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.

From PostgreSQL 12, SET NOT NULL skips the scan when a validated
`CHECK (c IS NOT NULL)` already proves it, so the safe sequence is: add that
CHECK as NOT VALID, VALIDATE it in a later migration (a weaker lock), then
SET NOT NULL and drop the CHECK. A SET NOT NULL that such a CHECK, validated
earlier in the same file, already proves is not flagged (see `_Proofs.proves`). The PostgreSQL 18
form `ADD CONSTRAINT ... NOT NULL c` (without NOT VALID) is flagged too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import commands_on_existing_table
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import not_null_by_check
from service.core.sql import Statement

_STATE_KEY = "L107"


class _Proofs:
    """What this file did so far towards proving a column NOT NULL without a scan."""

    def __init__(self) -> None:
        self.checks: dict[tuple[str, str], str] = {}  # (table, constraint) -> column it proves NOT NULL
        self.proven: set[tuple[str, str]] = set()  # (table, column) with a validated CHECK (column IS NOT NULL)
        self.validated_elsewhere: set[tuple[str, str]] = set()  # (table, constraint) added by an earlier migration

    def proves(self, table: str, column: str) -> bool:
        """Whether a validated CHECK spares SET NOT NULL its scan.

        A constraint added by an earlier migration and validated in this file
        is taken as the proof when its name contains the column's and is not
        PostgreSQL's name for a key, foreign key or exclusion constraint: the
        second migration of the safe sequence (VALIDATE, SET NOT NULL, DROP).
        """
        if (table, column) in self.proven:
            return True
        return any(
            each == table and column in name and not name.endswith(("_fkey", "_key", "_pkey", "_excl"))
            for each, name in self.validated_elsewhere
        )


def not_null_check_column(constraint: Mapping[str, Any]) -> str | None:
    """`c` when the constraint is `CHECK (c IS NOT NULL)`, else None."""
    if constraint.get("contype") != "CONSTR_CHECK":
        return None
    test = (constraint.get("raw_expr") or {}).get("NullTest", {})
    if test.get("nulltesttype") != "IS_NOT_NULL":
        return None
    fields = tree.names((test.get("arg") or {}).get("ColumnRef", {}).get("fields"))
    return fields[-1] if len(fields) == 1 else None


def _rewrite(relation: Mapping[str, Any], column: str) -> str:
    """The PostgreSQL 12+ sequence with the real names."""
    steps = not_null_by_check(relation, column)
    lines = [
        "-- migration 1: the CHECK is added without scanning the table",
        steps.add_check,
        "-- migration 2 (its own transaction): validating scans the table but lets reads and writes go on",
        steps.validate,
        "-- then: the validated CHECK proves the column NOT NULL, so no scan",
        steps.set_not_null,
        steps.drop_check,
    ]
    return "\n".join(lines)


def _remember(proofs: _Proofs, table: str, command: Mapping[str, Any]) -> None:
    """Record CHECK (c IS NOT NULL) constraints added or validated by this command."""
    subtype = command.get("subtype")
    if subtype == "AT_AddConstraint":
        constraint = command.get("def", {}).get("Constraint", {})
        column = not_null_check_column(constraint)
        if column is None:
            return
        if constraint.get("conname"):
            proofs.checks[(table, constraint["conname"])] = column
        if not constraint.get("skip_validation"):
            proofs.proven.add((table, column))
    elif subtype == "AT_ValidateConstraint":
        name = str(command.get("name", ""))
        column = proofs.checks.get((table, name))
        if column is not None:
            proofs.proven.add((table, column))
        elif (table, name) not in proofs.checks:
            proofs.validated_elsewhere.add((table, name))


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each SET NOT NULL (or validated NOT NULL constraint) on a column of an existing table."""
    relation = statement.node.get("relation") or {}
    table = tree.qualified_name(relation)
    proofs: _Proofs = context.state(_STATE_KEY, _Proofs)
    for command in commands_on_existing_table(statement, context):
        subtype = command.get("subtype")
        columns: list[str] = []
        what = "SET NOT NULL"
        if subtype == "AT_SetNotNull":
            columns = [str(command.get("name", ""))]
        elif subtype == "AT_AddConstraint":
            constraint = command.get("def", {}).get("Constraint", {})
            if constraint.get("contype") == "CONSTR_NOTNULL" and not constraint.get("skip_validation"):
                columns, what = tree.names(constraint.get("keys")), "ADD CONSTRAINT ... NOT NULL"
        _remember(proofs, table, command)
        for column in columns:
            if context.pg_version >= 12 and proofs.proves(table, column):
                continue
            if context.pg_version < 12:
                yield Hit(
                    location=tree.location(relation),
                    message=f"{what} on {table}.{column} scans the whole table under an ACCESS EXCLUSIVE lock, "
                    f"and before PostgreSQL 12 no CHECK constraint can spare the scan (target: "
                    f"{context.pg_version}): run it in a maintenance window",
                )
                continue
            yield Hit(
                location=tree.location(relation),
                message=f"{what} on {table}.{column} scans the whole table under an ACCESS EXCLUSIVE lock: "
                "reads and writes wait for the scan",
                rewrite=_rewrite(relation, column),
            )


RULE = Rule(
    code="L107",
    name="adding-not-nullable-field",
    severity=Severity.ERROR,
    message="SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock: reads and writes wait for the scan",
    help="Add CHECK (c IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL (no scan on "
    "PostgreSQL 12+) and drop the CHECK. Columns of a table created in the same run are fine.",
    check=check,
    kinds=frozenset({"AT_SetNotNull", "AT_AddConstraint", "AT_ValidateConstraint"}),
    # SET NOT NULL, CHECK (c IS NOT NULL), NOT NULL constraints, VALIDATE CONSTRAINT
    needles=frozenset({"null", "validate"}),
)
