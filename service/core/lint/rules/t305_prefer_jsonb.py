"""T305 prefer-jsonb: json has no equality operator, so DISTINCT, GROUP BY and UNION fail on it."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import COLUMN_KINDS, columns_of_type
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import retyped, set_type
from service.core.sql import Statement


def _to_jsonb(column: ast.ColumnDef) -> None:
    set_type(column, "jsonb")


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each column defined or retyped as json (arrays included)."""
    found = columns_of_type(statement, context, {"json"})
    if not found:
        return
    rewrite = retyped(statement, found, _to_jsonb, context=context)
    for column, type_node, _ in found:
        yield Hit(
            location=tree.location(type_node),
            message=f"column {column} is json: it has no equality operator (DISTINCT, GROUP BY, UNION and "
            "unique indexes fail on it) and is re-parsed on every access",
            rewrite=rewrite,
        )


RULE = Rule(
    code="T305",
    name="prefer-jsonb",
    severity=Severity.WARNING,
    message="json has no equality operator (DISTINCT, GROUP BY and UNION fail on it) and is re-parsed on every access",
    help="Use jsonb; keep json only to preserve key order, duplicate keys or whitespace exactly as sent.",
    check=check,
    kinds=COLUMN_KINDS,
    needles=frozenset({"json"}),
)
