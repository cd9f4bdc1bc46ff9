"""T303 prefer-timestamptz: `timestamp` drops the UTC offset, so values from different zones become ambiguous."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import COLUMN_KINDS, columns_of_type
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import retyped, set_type
from service.core.sql import Statement


def _to_timestamptz(column: ast.ColumnDef) -> None:
    set_type(column, "timestamptz")


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each column defined or retyped as `timestamp` (without time zone), arrays included."""
    found = columns_of_type(statement, context, {"timestamp"})
    if not found:
        return
    rewrite = retyped(statement, found, _to_timestamptz, context=context)
    for column, type_node, _ in found:
        yield Hit(
            location=tree.location(type_node),
            message=f"column {column} is timestamp without time zone: the UTC offset of each value is dropped, "
            "so times written from different zones can no longer be compared",
            rewrite=rewrite,
        )


RULE = Rule(
    code="T303",
    name="prefer-timestamptz",
    severity=Severity.WARNING,
    message="timestamp without time zone drops the UTC offset: times written from different zones become ambiguous",
    help="Use timestamptz (timestamp with time zone): it stores an absolute instant and shows it in the "
    "session's time zone.",
    check=check,
    kinds=COLUMN_KINDS,
    needles=frozenset({"timestamp"}),
)
