"""B209 ban-drop-constraint: the data loses a guarantee the deployed code may rely on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

CODE = "B209"


@dataclass
class _Seen:
    """What this file did earlier: constraints it added, columns it made NOT NULL (both per table)."""

    added: set[tuple[str, str]] = field(default_factory=set)
    not_null: set[tuple[str, str]] = field(default_factory=set)


def _replaced_by_not_null(seen: _Seen, table: str, relname: str, constraint: str) -> bool:
    """A `CHECK (c IS NOT NULL)` dropped after `SET NOT NULL` on c: the last step of the safe NOT NULL."""
    return any(
        constraint in (f"{relname}_{column}_not_null", f"{relname}_{column}_check")
        for seen_table, column in seen.not_null
        if seen_table == table
    )


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each `DROP CONSTRAINT` of a constraint that existed before this file, on a table older than this run."""
    if statement.node.get("objtype") != "OBJECT_TABLE":
        return
    relation = statement.node.get("relation") or {}
    table = tree.qualified_name(relation)
    seen: _Seen | None = context.rule_state.get(CODE)
    if seen is None:
        seen = context.rule_state[CODE] = _Seen()
    for item in statement.node.get("cmds", ()):
        command = item.get("AlterTableCmd", {})
        subtype = command.get("subtype")
        if subtype == "AT_AddConstraint":
            name = command.get("def", {}).get("Constraint", {}).get("conname")
            if name:
                seen.added.add((table, name))
        elif subtype == "AT_SetNotNull":
            seen.not_null.add((table, str(command.get("name", ""))))
        elif subtype == "AT_DropConstraint" and not context.is_new(table):
            name = str(command.get("name", ""))
            if (table, name) in seen.added or _replaced_by_not_null(seen, table, relation.get("relname", ""), name):
                continue
            yield Hit(
                location=tree.location(relation),
                message=f"DROP CONSTRAINT {name} on {table}: the data loses a guarantee (uniqueness, a valid "
                "reference, a check) that the deployed code or an ON CONFLICT may rely on",
            )


RULE = Rule(
    code=CODE,
    name="ban-drop-constraint",
    severity=Severity.WARNING,
    message="DROP CONSTRAINT removes a guarantee on the data that the deployed code may rely on",
    help="Make sure no deployed code relies on it (ON CONFLICT targets, error handling, assumptions about the "
    "data) before dropping it. Constraints added earlier in the same file, and a CHECK (c IS NOT NULL) "
    "dropped after SET NOT NULL on c, are fine.",
    check=check,
    kinds=frozenset({"AT_AddConstraint", "AT_SetNotNull", "AT_DropConstraint"}),
    needles=frozenset({"constraint", "null"}),  # named constraints added or dropped, SET NOT NULL
)
