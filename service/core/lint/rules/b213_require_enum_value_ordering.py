"""B213 require-enum-value-ordering: ADD VALUE without BEFORE/AFTER puts the value last, perhaps by accident."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import deparsed, sql_literal
from service.core.sql import Statement

CODE = "B213"


def _track(values: list[str], node: tree.Node) -> None:
    """Apply an ADD VALUE or RENAME VALUE to a known enum's ordered values."""
    new = str(node.get("newVal", ""))
    old = node.get("oldVal")
    if old is not None:
        if old in values:
            values[values.index(old)] = new
        return
    if new in values:
        return
    neighbour = node.get("newValNeighbor")
    if neighbour is None or neighbour not in values:
        values.append(new)
    else:
        values.insert(values.index(neighbour) + (1 if node.get("newValIsAfter", True) else 0), new)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """`ALTER TYPE ... ADD VALUE` with no BEFORE/AFTER; the rewrite names the last value when the file shows it."""
    kind = statement.kind
    if kind == "CreateEnumStmt":
        known: dict[str, list[str]] = context.rule_state.setdefault(CODE, {})
        known[tree.dotted_name(tree.names(statement.node.get("typeName")))] = tree.names(statement.node.get("vals"))
        return
    node = statement.node
    enum = tree.dotted_name(tree.names(node.get("typeName")))
    values = context.rule_state.get(CODE, {}).get(enum)
    last = values[-1] if values else None
    if values is not None:
        _track(values, node)
    if node.get("oldVal") is not None or node.get("newValNeighbor") is not None:
        return  # RENAME VALUE (B206), or placed explicitly
    rewrite = None
    if last is not None:
        rewrite = f"{deparsed(statement, newValNeighbor=last, newValIsAfter=True)};"
    yield Hit(
        message=f"ADD VALUE {sql_literal(str(node.get('newVal', '')))} to {enum} without BEFORE/AFTER puts it last "
        "in the enum's sort order: say where it belongs",
        rewrite=rewrite,
    )


RULE = Rule(
    code=CODE,
    name="require-enum-value-ordering",
    severity=Severity.INFO,
    message="ADD VALUE without BEFORE/AFTER puts the value last in the enum's sort order, perhaps by accident",
    help="Say where the value belongs: `ALTER TYPE t ADD VALUE 'v' AFTER 'existing'` (ORDER BY and < on the "
    "column follow this order).",
    check=check,
    kinds=frozenset({"CreateEnumStmt", "AlterEnumStmt"}),
)
