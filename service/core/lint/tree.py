"""Walking pglast's JSON parse tree: finding nodes, names and constants without building Python node objects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Node = Mapping[str, Any]


def walk(node: Any) -> Iterator[tuple[str, Node]]:
    """Every `(type, body)` below `node` (depth first), e.g. ("FuncCall", {...})."""
    return _typed(node, None)


def find(node: Any, node_type: str) -> Iterator[Node]:
    """Every node of `node_type` below `node`, in `walk`'s order."""
    return (body for _, body in _typed(node, node_type))


def _typed(node: Any, only: str | None) -> Iterator[tuple[str, Node]]:
    """`walk`, or only the nodes of type `only` (tested in the loop: no generator step per other node)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if isinstance(value, dict):
                    if key == only if only is not None else key[:1].isupper():
                        yield key, value
                    stack.append(value)
                elif isinstance(value, list):
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(reversed(current))


def names(items: Any) -> list[str]:
    """`[{"String": {"sval": "pg_catalog"}}, {"String": {"sval": "int4"}}]` -> ["pg_catalog", "int4"]."""
    return [item["String"]["sval"] for item in items or () if "String" in item]


def options_named(options: Any, name: str) -> list[Node]:
    """The DefElem bodies named `name` in an options list (`WITH (...)`, a function's attributes), in order."""
    return [item["DefElem"] for item in options or () if item.get("DefElem", {}).get("defname") == name]


def dotted_name(parts: Sequence[str]) -> str:
    """A name's parts as `schema.name`: `["t"]` -> `public.t`, `["s", "t"]` -> `s.t`, a database prefix dropped
    (`["db", "s", "t"]` -> `s.t`); the same spelling as `qualified_name`."""
    return ".".join(parts[-2:]) if len(parts) > 1 else f"public.{parts[0] if parts else ''}"


def qualified_name(relation: Node | None, default_schema: str = "public") -> str:
    """A RangeVar as `schema.table`; unqualified names are taken to be in `default_schema`."""
    if not relation:
        return ""
    return f"{relation.get('schemaname', default_schema)}.{relation.get('relname', '')}"


def type_name(type_node: Node | None) -> str:
    """A TypeName's last name part, lower-case: `int4`, `varchar`, `timestamptz`, `text`."""
    parts = names((type_node or {}).get("names"))
    return parts[-1].lower() if parts else ""


def type_modifiers(type_node: Node | None) -> list[int]:
    """A TypeName's integer modifiers: varchar(50) -> [50], numeric(10, 2) -> [10, 2]."""
    values = []
    for item in (type_node or {}).get("typmods", ()) or ():
        constant = item.get("A_Const", {})
        if "ival" in constant:
            values.append(int(constant["ival"].get("ival", 0)))
    return values


def is_array_type(type_node: Node | None) -> bool:
    """Whether the TypeName has array bounds (`int[]`)."""
    return bool((type_node or {}).get("arrayBounds"))


def location(node: Node | None) -> int | None:
    """A node's byte location, or None when it has none (-1 or absent)."""
    if not node:
        return None
    value = node.get("location")
    return value if isinstance(value, int) and value >= 0 else None


def string_constant(node: Any) -> str | None:
    """The value of a string constant (through casts), else None."""
    if not isinstance(node, dict):
        return None
    if "TypeCast" in node:
        return string_constant(node["TypeCast"].get("arg"))
    value = node.get("A_Const", {}).get("sval", {}).get("sval")
    return value if isinstance(value, str) else None


def is_constant(node: Any) -> bool:
    """A literal, possibly cast (`0`, `'x'::text`, `true`, `NULL`): no function call, no column."""
    if not isinstance(node, dict):
        return False
    if "TypeCast" in node:
        return is_constant(node["TypeCast"].get("arg"))
    return "A_Const" in node
