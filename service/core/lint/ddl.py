"""What DDL statements do, read from their parse trees: options, transaction blocks, the locks they take,
the columns they type, the constraints ALTER TABLE adds. Shared by several rules."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.sql import Statement, transaction_kind

# ---- options: `REINDEX (CONCURRENTLY)`, `VACUUM (FULL false)` ----

_FALSE_WORDS = frozenset({"false", "off", "no", "0"})


def option_enabled(option: Mapping[str, Any]) -> bool:
    """Whether a boolean DefElem option is on: `(CONCURRENTLY)`, `(FULL true)` yes; `(FULL false)`, `(FULL 0)` no."""
    argument = option.get("arg")
    if not argument:
        return True
    if "String" in argument:
        return str(argument["String"].get("sval", "")).lower() not in _FALSE_WORDS
    if "Integer" in argument:
        return bool(argument["Integer"].get("ival", 0))
    if "Boolean" in argument:
        return bool(argument["Boolean"].get("boolval", False))
    return True


def has_option(options: Any, name: str) -> bool:
    """Whether a DefElem list (`REINDEX (...)`, `VACUUM (...)`) turns option `name` on."""
    return any(option_enabled(option) for option in tree.options_named(options, name))


# ---- transaction blocks ----

_BLOCKS_KEY = "transaction-blocks"  # rule_state: statement index -> its transaction block (None: autocommit)
TRANSACTION_ENDS = frozenset({"commit", "rollback", "prepare transaction"})  # unless `AND CHAIN` opens the next


def transaction_block(statement: Statement, context: LintContext) -> int | None:
    """The transaction block `statement` runs in: 0 for a transactional file, else the index
    of the explicit BEGIN that opened it, or None when it runs on its own (autocommit)."""
    if context.transactional:
        return 0
    blocks: dict[int, int | None] | None = context.rule_state.get(_BLOCKS_KEY)
    if blocks is None:
        blocks = {}
        current: int | None = None
        for each in context.statements:
            control = transaction_kind(each)
            if control == "begin":
                current = each.index
            blocks[each.index] = current
            if control in TRANSACTION_ENDS:
                current = None
        context.rule_state[_BLOCKS_KEY] = blocks
    return blocks.get(statement.index)


# ---- locks ----

# DROP of these takes a lock that waits behind the queries of a table (or, with CASCADE, of many).
_LOCKING_DROPS = frozenset({
    "OBJECT_TABLE", "OBJECT_INDEX", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE", "OBJECT_SEQUENCE",
    "OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE", "OBJECT_TYPE", "OBJECT_DOMAIN", "OBJECT_SCHEMA",
})
# Statements that lock their `relation` (or `table`) strongly enough to queue the table's readers or writers.
_RELATION_LOCKERS = {
    "RenameStmt": "relation", "AlterObjectSchemaStmt": "relation", "CreateTrigStmt": "relation",
    "CreatePolicyStmt": "table", "AlterPolicyStmt": "table", "RuleStmt": "relation",
}
# Every statement kind `takes_locks` may say yes to.
LOCKING_KINDS = frozenset({
    "AlterTableStmt", "IndexStmt", "DropStmt", "TruncateStmt", "LockStmt", "ReindexStmt", "ClusterStmt",
    "VacuumStmt", "RefreshMatViewStmt", "CreateStmt", "ViewStmt", "AlterDomainStmt", *_RELATION_LOCKERS,
})


def _is_existing(relation: Mapping[str, Any] | None, context: LintContext) -> bool:
    return bool(relation) and not context.is_new(tree.qualified_name(relation))


def _references_existing(node: Any, context: LintContext) -> bool:
    """Whether a foreign key in `node` references a table that is not new (it is locked SHARE ROW EXCLUSIVE)."""
    return any(c.get("contype") == "CONSTR_FOREIGN" and _is_existing(c.get("pktable"), context)
               for c in tree.find(node, "Constraint"))


def takes_locks(statement: Statement, context: LintContext) -> bool:
    """Whether the statement takes a lock on an existing table that other sessions' queries can queue behind."""
    kind = statement.kind
    node = statement.node
    if kind == "AlterTableStmt":
        return _is_existing(node.get("relation"), context) or _references_existing(node.get("cmds"), context)
    if kind == "IndexStmt":
        return not node.get("concurrent") and _is_existing(node.get("relation"), context)
    if kind == "DropStmt":
        if node.get("removeType") not in _LOCKING_DROPS or node.get("concurrent"):
            return False
        if node.get("removeType") == "OBJECT_TABLE":
            names = [tree.names(item.get("List", {}).get("items")) for item in node.get("objects") or ()]
            return not all(context.is_new(tree.dotted_name(parts)) for parts in names)
        return True
    if kind in ("TruncateStmt", "LockStmt"):
        relations = [item.get("RangeVar") for item in node.get("relations") or ()]
        return any(_is_existing(relation, context) for relation in relations)
    if kind == "ReindexStmt":
        return not has_option(node.get("params"), "concurrently")
    if kind == "ClusterStmt":  # bare CLUSTER: every clustered table
        return node.get("relation") is None or _is_existing(node.get("relation"), context)
    if kind == "VacuumStmt":
        return bool(node.get("is_vacuumcmd")) and has_option(node.get("options"), "full")
    if kind == "RefreshMatViewStmt":
        return not node.get("concurrent")
    if kind == "CreateStmt":  # a partition of an existing table, or a foreign key to one
        parents = [item.get("RangeVar") for item in node.get("inhRelations") or ()]
        return any(_is_existing(parent, context) for parent in parents) or _references_existing(
            node.get("tableElts"), context)
    if kind == "ViewStmt":
        return bool(node.get("replace"))
    if kind == "AlterDomainStmt":
        return True
    field = _RELATION_LOCKERS.get(kind)
    if field is None:
        return False
    return _is_existing(node.get(field), context)


def first_unguarded_lock(statement: Statement, context: LintContext, *, timeout_set: bool, state_key: str) -> bool:
    """Whether `statement` is the file's first that takes locks while neither the file (`timeout_set`) nor the
    runner has set the timeout; once it is found, `state_key` in rule_state remembers it, so it is reported once."""
    if context.runner_sets_timeouts or timeout_set or context.rule_state.get(state_key):
        return False
    if not takes_locks(statement, context):
        return False
    context.rule_state[state_key] = True
    return True


# ---- column types ----

SERIAL_INTEGERS = {
    "smallserial": "int2", "serial2": "int2", "serial": "int4", "serial4": "int4",
    "bigserial": "int8", "serial8": "int8",
}
SERIALS = frozenset(SERIAL_INTEGERS)
COLUMN_KINDS = frozenset({"CreateStmt", "AT_AddColumn", "AT_AlterColumnType"})  # where `column_types` finds any
_COLUMN_TYPES_KEY = "column types"  # rule_state: (statement, its answer) of the last statement asked about

ColumnType = tuple[str, tree.Node, str]  # column name, TypeName, built-in type name or ""


def column_types(statement: Statement, context: LintContext) -> tuple[ColumnType, ...]:
    """(column name, TypeName, built-in type name or "") of each column a CREATE TABLE or ALTER TABLE
    defines or retypes. Several rules ask in turn about the same statement: the last answer is kept."""
    if statement.kind not in ("CreateStmt", "AlterTableStmt"):
        return ()
    last = context.rule_state.get(_COLUMN_TYPES_KEY)
    if last is None or last[0] is not statement:
        last = context.rule_state[_COLUMN_TYPES_KEY] = (statement, tuple(_column_types(statement)))
    found: tuple[ColumnType, ...] = last[1]
    return found


def columns_of_type(statement: Statement, context: LintContext, types: Collection[str]) -> list[ColumnType]:
    """The columns of `column_types` whose built-in type is one of `types`."""
    return [column for column in column_types(statement, context) if column[2] in types]


def _column_types(statement: Statement) -> Iterator[ColumnType]:
    if statement.kind == "CreateStmt":
        for element in statement.node.get("tableElts", ()):
            column = element.get("ColumnDef")
            if column and column.get("typeName"):
                yield column.get("colname", ""), column["typeName"], builtin_type(column["typeName"])
    else:
        for item in statement.node.get("cmds", ()):
            command = item.get("AlterTableCmd", {})
            if command.get("subtype") not in ("AT_AddColumn", "AT_AlterColumnType"):
                continue
            column = command.get("def", {}).get("ColumnDef", {})
            if column.get("typeName"):
                name = column.get("colname") or command.get("name", "")
                yield name, column["typeName"], builtin_type(column["typeName"])


def builtin_type(type_node: tree.Node) -> str:
    """The type's name when it is a built-in one (unqualified or in pg_catalog), else ""."""
    parts = tree.names(type_node.get("names"))
    if len(parts) == 2 and parts[0] == "pg_catalog" or len(parts) == 1:
        return parts[-1].lower()
    return ""


# ---- ALTER TABLE commands and the constraints they add ----

_COMMANDS_KEY = "commands on existing table"  # rule_state: (statement, its answer) of the last statement asked about


def commands_on_existing_table(statement: Statement, context: LintContext) -> list[Mapping[str, Any]]:
    """The commands (AlterTableCmd bodies) of an ALTER TABLE, or none when the table was created in this run
    (changing a table nobody uses yet blocks nobody). Several rules ask in turn about the same statement: the
    last answer is kept (and shared: read it, do not change it)."""
    last = context.rule_state.get(_COMMANDS_KEY)
    if last is None or last[0] is not statement:
        if context.is_new(tree.qualified_name(statement.node.get("relation"))):
            commands = []
        else:
            commands = [item.get("AlterTableCmd", {}) for item in statement.node.get("cmds") or ()]
        last = context.rule_state[_COMMANDS_KEY] = (statement, commands)
    found: list[Mapping[str, Any]] = last[1]
    return found


def added_constraints(command: Mapping[str, Any], contype: str) -> list[tuple[Mapping[str, Any], str | None]]:
    """(constraint, column or None) for each `contype` constraint an ALTER TABLE command adds: a table constraint
    of ADD CONSTRAINT, or a column constraint of ADD COLUMN (with the column)."""
    subtype = command.get("subtype")
    if subtype == "AT_AddConstraint":
        constraint = command.get("def", {}).get("Constraint", {})
        return [(constraint, None)] if constraint.get("contype") == contype else []
    if subtype == "AT_AddColumn":
        column = command.get("def", {}).get("ColumnDef", {})
        return [(item["Constraint"], str(column.get("colname", ""))) for item in column.get("constraints") or ()
                if item.get("Constraint", {}).get("contype") == contype]
    return []


def validating_constraints(statement: Statement, context: LintContext, contype: str) -> list[Mapping[str, Any]]:
    """The `contype` constraints an ALTER TABLE adds to an existing table without NOT VALID: adding each one
    scans the table to check every row."""
    return [constraint for command in commands_on_existing_table(statement, context)
            for constraint, _ in added_constraints(command, contype) if not constraint.get("skip_validation")]


def index_constraints(command: Mapping[str, Any], contype: str) -> list[tuple[Mapping[str, Any], str | None]]:
    """(constraint, column or None) for each `contype` constraint an ALTER TABLE command adds with its own index
    (not `USING INDEX`, which only a table constraint can say); the column is set for ADD COLUMN."""
    return [(constraint, column) for constraint, column in added_constraints(command, contype)
            if not constraint.get("indexname")]
