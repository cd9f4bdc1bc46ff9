"""pglast AST nodes built from the JSON parse tree the linter already holds, and printed back as SQL.

Rewrites change a statement's tree and print it with pglast's deparser,
which needs `pglast.ast` nodes. Parsing the statement's text a second time
(`pglast.parse_sql`) would build them too, at three times the cost: this
module builds them from the JSON tree of the first parse instead. The nodes
equal (`==`, which ignores locations) those of `parse_sql`; their
`location` attributes keep the JSON's byte offsets in the whole file.

The JSON (libpg_query's) omits false, zero and empty fields, wraps a node
in `{"Kind": {...}}` where the C field is a generic `Node *` but not where
it has a node type of its own, spells lists of lists as `{"List": {"items":
[...]}}` and constants as `A_Const: {"ival": {"ival": 1}}`: `_Plan` reads
from each node class's slot types which case applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pglast import ast, enums
from pglast.stream import RawStream
from pglast.visitors import Ancestor

from service.core.sql import Statement

NodeType = TypeVar("NodeType", bound=ast.Node)

_set_slot = object.__setattr__  # skips pglast's per-assignment type checks: the JSON's types are the parser's
_INTEGERS = frozenset({
    "int", "int16", "int32", "uint32", "long", "int64", "uint64", "Oid", "ParseLoc", "Index", "AttrNumber",
    "SubTransactionId", "RelFileNumber", "Cardinality", "bits32", "AclMode", "double",
})
_EMPTY_STRING_SLOTS = frozenset({("String", "sval"), ("Float", "fval"), ("BitString", "bsval")})
_CONSTANT_KEYS = (("ival", "Integer"), ("fval", "Float"), ("boolval", "Boolean"), ("sval", "String"),
                  ("bsval", "BitString"))

# How one slot is read: (slot, JSON key, how, default) where how is "value", "list", a node class name
# (a typed pointer: wrapped or not) or an enum class.
_Slot = tuple[str, str, Any, Any]


class _Plan:
    """How to build one node class from its JSON body: its scalar slots (read as they are, or their default),
    the others (lists, nodes and enums, read by `how`), and those of them that may hold a node or a tuple
    (`members`, what `_set_ancestors` descends into)."""

    __slots__ = ("members", "node_class", "others", "scalars")

    def __init__(self, name: str) -> None:
        self.node_class: type[ast.Node] = getattr(ast, name)
        self.scalars: list[tuple[str, str, Any]] = []
        self.others: list[tuple[str, str, Any]] = []
        members: list[str] = []
        for slot, key, how, default in _slots(self.node_class):
            if how == "value":
                self.scalars.append((slot, key, default))
            else:
                self.others.append((slot, key, how))  # their default is None
                if isinstance(how, str):
                    members.append(slot)
        self.members = tuple(members)


def _slots(node_class: type[ast.Node]) -> list[_Slot]:
    name = node_class.__name__
    slots: list[_Slot] = []
    for slot, info in node_class.__slots__.items():  # type: ignore[attr-defined]  # pglast's SlotTypeInfo map
        key = slot.removesuffix("_")  # def_ is the C field `def`
        c_type = info.c_type
        how: Any = "value"
        default: Any = None
        if c_type == "bool":
            default = False
        elif c_type in _INTEGERS:
            default = 0
        elif c_type == "char":
            default = "\x00"
        elif c_type == "List*":
            how = "list"
        elif c_type.endswith("*") and c_type != "char*":
            how = c_type[:-1]
        elif isinstance(getattr(ast, c_type, None), type):
            how = c_type  # a struct embedded by value (CreateForeignTableStmt.base)
        elif isinstance(getattr(enums, c_type, None), type):
            how = getattr(enums, c_type)
        if (name, slot) in _EMPTY_STRING_SLOTS:
            default = ""
        slots.append((slot, key, how, default))
    return slots


_PLANS: dict[str, _Plan] = {}


def _plan(kind: str) -> _Plan:
    plan = _PLANS.get(kind)
    if plan is None:
        plan = _PLANS[kind] = _Plan(kind)
    return plan


def build(kind: str, body: Mapping[str, Any]) -> ast.Node:
    """The pglast node of type `kind` for a JSON node body (`statement.kind`, `statement.node`)."""
    if kind == "A_Const":
        return _constant(body)
    plan = _PLANS.get(kind) or _plan(kind)
    node_class = plan.node_class
    node = node_class.__new__(node_class)
    get = body.get
    for slot, key, default in plan.scalars:
        value = get(key)
        _set_slot(node, slot, default if value is None else value)
    for slot, key, how in plan.others:
        value = get(key)
        if value is None:
            pass
        elif how == "list":
            value = tuple([_convert(item) for item in value])
        elif isinstance(how, str):
            value = _convert(value) if _is_wrapped(value) else build(how, value)
        else:
            value = how[value]
        _set_slot(node, slot, value)
    return node


def statement_node(statement: Statement, kind: type[NodeType]) -> NodeType:
    """A fresh pglast tree of the statement (to change and print), checked to be a `kind`."""
    node = build(statement.kind, statement.node)
    if not isinstance(node, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(node).__name__}")
    return node


def replaced(root: ast.Node, kind: type[NodeType], change: Callable[[NodeType], ast.Node | None]) -> ast.Node:
    """`root` with each `kind` node in it (itself included) for which `change` returns a node replaced by that
    node, in place; the new root. What a pglast `Visitor` with a `visit_<kind>` returning the replacement does
    (without its generic walk's cost): a replaced node's own children are not visited."""
    if type(root) is kind:
        new = change(root)
        if new is not None:
            return new
    _replace_below(root, kind, change)
    return root


def _replace_below(node: ast.Node, kind: type[NodeType], change: Callable[[NodeType], ast.Node | None]) -> None:
    for member in node:
        value = getattr(node, member)
        if isinstance(value, ast.Node):
            new = change(value) if type(value) is kind else None
            if new is None:
                _replace_below(value, kind, change)
            else:
                setattr(node, member, new)
        elif isinstance(value, tuple):
            items = _replace_items(value, kind, change)
            if items is not None:
                setattr(node, member, items)


def _replace_items(items: tuple[Any, ...], kind: type[NodeType],
                   change: Callable[[NodeType], ast.Node | None]) -> tuple[Any, ...] | None:
    """The tuple with its replaced members, or None when none is replaced."""
    changed: list[Any] | None = None
    for index, item in enumerate(items):
        new: Any = None
        if isinstance(item, ast.Node):
            if type(item) is kind:
                new = change(item)
            if new is None:
                _replace_below(item, kind, change)
        elif isinstance(item, tuple):
            new = _replace_items(item, kind, change)
        if new is None:
            continue
        if changed is None:
            changed = list(items)
        changed[index] = new
    return tuple(changed) if changed is not None else None


def deparse(node: ast.Node) -> str:
    """The node as SQL, by pglast's deparser: `RawStream()(node)`, whose first step (giving every node its
    `ancestors`, which the printers read) is done here at a fraction of the cost of pglast's visitor."""
    _set_ancestors((node,), Ancestor())
    stream = RawStream()
    stream.print_node(node)
    return str(stream.getvalue()).strip()


def _set_ancestors(items: tuple[Any, ...], ancestors: Ancestor) -> None:
    """The `ancestors` pglast's `populate_ancestors` gives each node under `items` (a tuple member's ancestors
    name the tuple and the index)."""
    for index, item in enumerate(items):
        if isinstance(item, ast.Node):
            _set_node_ancestors(item, Ancestor(ancestors, items, index))
        elif isinstance(item, tuple):
            _set_ancestors(item, Ancestor(ancestors, items, index))


def _set_node_ancestors(node: ast.Node, ancestors: Ancestor) -> None:
    # `Ancestor(parent, node, member)` is what `parent / (node, member)` returns, one call fewer. Only the slots
    # that may hold a node or a tuple are read: pglast's visitor finds nothing in the others.
    _set_slot(node, "ancestors", ancestors)
    plan = _PLANS.get(type(node).__name__) or _plan(type(node).__name__)
    for member in plan.members:
        value = getattr(node, member)
        if value is None:
            continue
        if isinstance(value, ast.Node):
            _set_node_ancestors(value, Ancestor(ancestors, node, member))
        elif isinstance(value, tuple):
            _set_ancestors(value, Ancestor(ancestors, node, member))


def _is_wrapped(value: Mapping[str, Any]) -> bool:
    """`{"RangeVar": {...}}` (a generic node) rather than a bare node body (whose keys are lower-case fields)."""
    return len(value) == 1 and next(iter(value))[:1].isupper()


def _convert(value: Any) -> Any:
    if isinstance(value, dict):
        ((kind, body),) = value.items()
        if kind == "List":
            return tuple([_convert(item) for item in body.get("items", ())])
        return build(kind, body)
    if isinstance(value, list):
        return tuple([_convert(item) for item in value])
    return value


def _constant(body: Mapping[str, Any]) -> ast.A_Const:
    node = ast.A_Const.__new__(ast.A_Const)
    _set_slot(node, "isnull", bool(body.get("isnull", False)))
    value = next((build(kind, body[key]) for key, kind in _CONSTANT_KEYS if key in body), None)
    _set_slot(node, "val", value)
    return node
