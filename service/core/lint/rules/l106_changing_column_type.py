"""L106 changing-column-type: ALTER COLUMN TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE.

Changes PostgreSQL makes without a rewrite are exempt: varchar -> text,
varchar(n) -> a wider varchar or unbounded varchar, numeric(p, s) -> a
larger precision with the same scale (or unbounded numeric), cidr -> inet.

A migration does not say what the column's type was. When the file itself
added the column, the rule knows; otherwise a change *to* text, varchar,
numeric or inet without a USING conversion may be one of those cheap
changes, and the rule gives it the benefit of the doubt: a USING clause or
any other target type is flagged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pglast import ast

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import commands_on_existing_table
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import in_row_trigger, quote_name, quoted_relation
from service.core.sql import Statement

_KNOWN_TYPES_KEY = "L106"  # rule_state: (table, column) -> TypeName of a column this file added or retyped
# Target types that some old type reaches without a rewrite.
_MAYBE_CHEAP_TARGETS = frozenset({"text", "varchar", "numeric", "inet"})


def _is_cheap(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether changing a column of type `old` to `new` needs no rewrite."""
    if tree.is_array_type(old) or tree.is_array_type(new):
        return tree.type_name(old) == tree.type_name(new) and tree.type_modifiers(old) == tree.type_modifiers(new)
    before, after = tree.type_name(old), tree.type_name(new)
    old_modifiers, new_modifiers = tree.type_modifiers(old), tree.type_modifiers(new)
    if before == after and old_modifiers == new_modifiers:
        return True
    if after == "text":
        return before in ("varchar", "text")
    if after == "varchar":
        if not new_modifiers:
            return before in ("varchar", "text")
        return before == "varchar" and bool(old_modifiers) and old_modifiers[0] <= new_modifiers[0]
    if after == "numeric" and before == "numeric":
        if not new_modifiers:
            return True
        if not old_modifiers:
            return False
        old_scale = old_modifiers[1] if len(old_modifiers) > 1 else 0
        new_scale = new_modifiers[1] if len(new_modifiers) > 1 else 0
        return old_scale == new_scale and old_modifiers[0] <= new_modifiers[0]
    return after == "inet" and before == "cidr"


def _is_plain_conversion(using: Any, column: str) -> bool:
    """No USING, or a USING that is just the column (possibly cast): PostgreSQL may then skip the rewrite."""
    if not using:
        return True
    if "TypeCast" in using:
        using = using["TypeCast"].get("arg")
    return tree.names((using or {}).get("ColumnRef", {}).get("fields")) == [column]


def _rewrite(statement: Statement, command_index: int) -> str:
    """Expand/contract: a new column kept in step by a trigger, a batched backfill, the old column dropped later."""
    node: Any = statement_node(statement, ast.AlterTableStmt)  # pglast types every part Optional
    command = node.cmds[command_index]
    definition = command.def_
    table = quoted_relation(node.relation)
    old = quote_name(command.name)
    new_name = f"{command.name}_new"
    new = quote_name(new_name)
    schema = f"{quote_name(node.relation.schemaname)}." if node.relation.schemaname else ""
    sync = quote_name(f"{node.relation.relname}_{new_name}_sync")
    column_type = deparse(definition.typeName)
    collation = ""
    if definition.collClause is not None:
        parts = (part.sval for part in definition.collClause.collname or ())
        collation = " COLLATE " + ".".join(quote_name(part) for part in parts)
    if definition.raw_default is None:  # no USING: PostgreSQL's assignment cast
        backfill_value, trigger_value = f"CAST({old} AS {column_type})", f"CAST(NEW.{old} AS {column_type})"
    else:
        backfill_value = deparse(definition.raw_default)
        trigger_value = deparse(in_row_trigger(definition.raw_default))
    return "\n".join([
        "-- expand: a new column of the new type",
        f"ALTER TABLE {table} ADD COLUMN {new} {column_type}{collation};",
        f"-- keep it in step: a trigger converts every write of {old}",
        (f"CREATE FUNCTION {schema}{sync}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n  IF TG_OP = 'INSERT' OR NEW.{old} IS DISTINCT FROM OLD.{old} THEN\n"
        f"    NEW.{new} := {trigger_value};\n  END IF;\n  RETURN NEW;\nEND\n$$;"),
        f"CREATE TRIGGER {sync} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {schema}{sync}();",
        "-- backfill the existing rows in batches (by key range, each batch its own transaction)",
        f"UPDATE {table} SET {new} = {backfill_value} WHERE {new} IS NULL AND {old} IS NOT NULL;",
        f"-- deploy code that reads and writes {new}; then, in a migration marked `-- Phase: contract`:",
        f"DROP TRIGGER {sync} ON {table};",
        f"DROP FUNCTION {schema}{sync}();",
        f"ALTER TABLE {table} DROP COLUMN {old};",
    ])


def may_change_type(source: str) -> bool:
    """Whether the file spells the keyword TYPE (`ALTER COLUMN c [SET DATA] TYPE t`; a keyword has no escaped
    spelling): without it the file changes no column's type, and the types it adds matter to nobody."""
    return "TYPE" in source or "type" in source or "type" in source.lower()


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each ALTER COLUMN TYPE on an existing table, except the binary-compatible changes."""
    relation = statement.node.get("relation")
    table = tree.qualified_name(relation)
    known: dict[tuple[str, str], Mapping[str, Any]] = context.rule_state.setdefault(_KNOWN_TYPES_KEY, {})
    for index, command in enumerate(commands_on_existing_table(statement, context)):
        subtype = command.get("subtype")
        definition = command.get("def", {}).get("ColumnDef", {})
        if subtype == "AT_AddColumn":
            known[(table, definition.get("colname", ""))] = definition.get("typeName", {})
            continue
        if subtype != "AT_AlterColumnType":
            continue
        column = str(command.get("name", ""))
        new_type = definition.get("typeName", {})
        old_type = known.get((table, column))
        known[(table, column)] = new_type
        if _is_plain_conversion(definition.get("raw_default"), column):
            if old_type is not None and _is_cheap(old_type, new_type):
                continue
            maybe_cheap = not tree.is_array_type(new_type) and tree.type_name(new_type) in _MAYBE_CHEAP_TARGETS
            if old_type is None and maybe_cheap:
                continue
        yield Hit(
            location=tree.location(new_type),
            message=f"ALTER COLUMN {column} TYPE rewrites {table} and rebuilds its indexes under an ACCESS EXCLUSIVE "
            "lock: reads and writes wait for the whole rewrite",
            rewrite=_rewrite(statement, index),
        )


RULE = Rule(
    code="L106",
    name="changing-column-type",
    severity=Severity.ERROR,
    message="ALTER COLUMN TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
    help="Add a column of the new type, keep it in step with a trigger, backfill in batches, move the "
    "application to it, then drop the old column in a `-- Phase: contract` migration. varchar -> text, "
    "a wider varchar, a larger numeric precision and cidr -> inet need no rewrite.",
    check=check,
    kinds=frozenset({"AT_AddColumn", "AT_AlterColumnType"}),
    screen=may_change_type,
)
