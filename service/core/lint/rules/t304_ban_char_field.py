"""T304 ban-char-field: char(n) pads with spaces and is never faster than text."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import COLUMN_KINDS, columns_of_type
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import retyped, set_type
from service.core.sql import Statement


def _to_text(column: ast.ColumnDef) -> None:
    set_type(column, "text", keep_modifiers=False)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each column defined or retyped as char(n) / character(n) (bpchar); the one-byte `"char"` is another type."""
    found = columns_of_type(statement, context, {"bpchar"})
    if not found:
        return
    rewrite = retyped(statement, found, _to_text, context=context)
    for column, type_node, name in found:
        length = tree.type_modifiers(type_node)
        shown = f"char({length[0]})" if length else "char"
        yield Hit(
            location=tree.location(type_node),
            message=f"column {column} is {shown}: values are padded with spaces to the full length, "
            "compare in surprising ways, and are no faster than text",
            rewrite=rewrite,
        )


RULE = Rule(
    code="T304",
    name="ban-char-field",
    severity=Severity.INFO,
    message="char(n) pads values with spaces, compares in surprising ways and is no faster than text",
    help="Use text, with a CHECK (length(c) <= n) constraint if the length must be limited.",
    check=check,
    kinds=COLUMN_KINDS,
    needles=frozenset({"char"}),  # char, character, bpchar, nchar
)
