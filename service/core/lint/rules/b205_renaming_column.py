"""B205 renaming-column: the application versions still running read and write the old name and fail."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import quote_name as quote
from service.core.lint.rewrite import sql_literal
from service.core.sql import Statement

EXECUTE_FUNCTION_SINCE = 11  # `EXECUTE PROCEDURE` before


def expand_and_contract(relation: tree.Node, old: str, new: str, pg_version: int) -> str:
    """Add `new` beside `old`, keep both in step with a trigger, backfill, switch reads, drop `old` last."""
    schema = relation.get("schemaname")
    prefix = f"{quote(schema)}." if schema else ""
    relname = str(relation.get("relname", ""))
    table = f"{prefix}{quote(relname)}"
    sync = quote(f"{relname}_sync_{new}")
    function = f"{prefix}{sync}"
    old_column, new_column = quote(old), quote(new)
    execute = "FUNCTION" if pg_version >= EXECUTE_FUNCTION_SINCE else "PROCEDURE"
    return f"""\
-- Phase 1 (expand): add {new_column} beside {old_column}, with its type (read from the catalog)
DO $$
BEGIN
    EXECUTE format('ALTER TABLE {table.replace("'", "''")} ADD COLUMN {new_column.replace("'", "''")} %s',
        (SELECT format_type(atttypid, atttypmod) FROM pg_attribute
         WHERE attrelid = {sql_literal(table)}::regclass AND attname = {sql_literal(old)}));
END
$$;
-- keep both columns in step while old and new code run side by side
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN  -- {new_column} has no default: set means new code wrote it
        IF NEW.{new_column} IS NULL THEN
            NEW.{new_column} := NEW.{old_column};
        ELSE
            NEW.{old_column} := NEW.{new_column};
        END IF;
    ELSIF NEW.{old_column} IS DISTINCT FROM OLD.{old_column} THEN
        NEW.{new_column} := NEW.{old_column};
    ELSIF NEW.{new_column} IS DISTINCT FROM OLD.{new_column} THEN
        NEW.{old_column} := NEW.{new_column};
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER {sync} BEFORE INSERT OR UPDATE ON {table}
    FOR EACH ROW EXECUTE {execute} {function}();
-- Phase 2: backfill (in batches on a large table); then give {new_column} {old_column}'s constraints and indexes
-- (its default only once no code writes {old_column})
UPDATE {table} SET {new_column} = {old_column} WHERE {new_column} IS DISTINCT FROM {old_column};
-- Phase 3: deploy code that reads and writes {new_column} only
-- Phase 4, in a migration marked `-- Phase: contract`:
DROP TRIGGER {sync} ON {table};
DROP FUNCTION {function}();
ALTER TABLE {table} DROP COLUMN {old_column};"""


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """`ALTER TABLE ... RENAME COLUMN` on a table that existed before this run."""
    node = statement.node
    if node.get("renameType") != "OBJECT_COLUMN":
        return
    if node.get("relationType") != "OBJECT_TABLE":
        return  # a view's or a composite type's column: no rows to keep in step
    relation = node.get("relation") or {}
    table = tree.qualified_name(relation)
    if context.is_new(table):
        return
    old, new = str(node.get("subname", "")), str(node.get("newname", ""))
    yield Hit(
        location=tree.location(relation),
        message=f"renaming {table}.{old} to {new} breaks the application versions that still use {old}",
        rewrite=expand_and_contract(relation, old, new, context.pg_version),
    )


RULE = Rule(
    code="B205",
    name="renaming-column",
    severity=Severity.ERROR,
    message="renaming a column breaks the application versions that still use the old name",
    help="Expand and contract: add the new column, keep both in step with a trigger, backfill, deploy code "
    "that uses the new one, then drop the old column in a `-- Phase: contract` migration. "
    "Tables created earlier in the same run are fine.",
    check=check,
    kinds=frozenset({"RenameStmt"}),
)
