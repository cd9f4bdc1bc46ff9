"""S514 duplicate-index: two indexes with the same definition double the write cost and the space for
nothing (splinter 0009).

Indexes are the same when everything but their name matches: table, columns
or expressions, method, operator classes, ordering, INCLUDE, UNIQUE and the
partial-index predicate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

NOT_DEFINITION = frozenset({"idxname", "concurrent", "if_not_exists", "relation", "location"})


def _without_locations(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_locations(value) for key, value in node.items() if key != "location"}
    if isinstance(node, list):
        return [_without_locations(item) for item in node]
    return node


def definition(node: tree.Node) -> str:
    """The index's definition without its name, as a comparable string."""
    body = {key: _without_locations(value) for key, value in node.items() if key not in NOT_DEFINITION}
    body["table"] = tree.qualified_name(node.get("relation"))
    body.setdefault("accessMethod", "btree")
    return json.dumps(body, sort_keys=True)


@dataclass
class _Index:
    """An index the file created (several, when they share a definition): its node, its names (None when
    unnamed) and its definition, worked out when a second index on the same table needs it."""

    node: tree.Node
    names: list[str | None]
    _definition: str | None = None
    _shape: tuple[object, ...] | None = None

    @property
    def shape(self) -> tuple[object, ...]:
        """Method and column names (None for an expression): part of the definition, cheap to compare first,
        since indexes whose shapes differ have different definitions."""
        if self._shape is None:
            params = self.node.get("indexParams", ())
            self._shape = (self.node.get("accessMethod", "btree"),
                           *[item.get("IndexElem", {}).get("name") for item in params])
        return self._shape

    @property
    def definition(self) -> str:
        """`definition(node)`, once."""
        if self._definition is None:
            self._definition = definition(self.node)
        return self._definition


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """A CREATE INDEX identical, but for its name, to one created earlier in the file (and not dropped since)."""
    seen: dict[str, list[_Index]] = context.rule_state.setdefault("S514", {})  # table -> its indexes, by definition
    node = statement.node
    if statement.kind == "DropStmt":
        if seen and node.get("removeType") == "OBJECT_INDEX":
            dropped = {parts[-1] for item in node.get("objects", ())
                       if (parts := tree.names(item.get("List", {}).get("items")))}
            for indexes in seen.values():
                for index in indexes:
                    index.names[:] = [name for name in index.names if name not in dropped]
        return
    name = node.get("idxname")
    relation = node.get("relation")
    indexes = seen.setdefault(tree.qualified_name(relation), [])
    if not indexes:  # the table's first: nothing to compare its definition with
        indexes.append(_Index(node, [name]))
        return
    created = _Index(node, [])
    same = next((index for index in indexes
                 if index.shape == created.shape and index.definition == created.definition), None)
    if same is None:
        indexes.append(created)
        same = created
    names = same.names
    existing = [other for other in names if other is None or other != name]  # the same name again is no copy
    if name is None or name not in names:
        names.append(name)
    if not existing:
        return
    yield Hit(
        location=tree.location(relation),
        message=f"index {name or '(unnamed)'} on {tree.qualified_name(relation)} duplicates index "
        f"{existing[0] or '(unnamed)'} created earlier in this file: same columns, method and predicate",
    )


RULE = Rule(
    code="S514",
    name="duplicate-index",
    severity=Severity.WARNING,
    message="index identical to one created earlier in the file: twice the write cost and space for nothing",
    help="Keep one of the two indexes.",
    check=check,
    kinds=frozenset({"IndexStmt", "DropStmt"}),
)
