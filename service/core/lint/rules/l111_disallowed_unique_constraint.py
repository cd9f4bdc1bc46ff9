"""L111 disallowed-unique-constraint: ADD UNIQUE builds its index under an ACCESS EXCLUSIVE lock.

The whole index build blocks reads and writes, and fails (after all that
work) if the data has duplicates. Build a unique index CONCURRENTLY instead,
then attach it with `ADD CONSTRAINT ... UNIQUE USING INDEX`, which is
instant. `ADD COLUMN ... UNIQUE` builds the same index. Tables created in
this run are exempt.

`index_backed_rewrite` is shared with L112 (primary keys).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import ConstrType
from pglast.stream import RawStream, maybe_double_quote_name

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import non_transactional_file
from service.core.sql import Statement

_KEYWORDS = {"CONSTR_UNIQUE": "UNIQUE", "CONSTR_PRIMARY": "PRIMARY KEY"}


def index_constraints(command: Mapping[str, Any], contype: str) -> list[tuple[Mapping[str, Any], str | None]]:
    """(constraint, column or None) for each `contype` constraint an ALTER TABLE command adds with its own index
    (not `USING INDEX`); the column is set for a column constraint of ADD COLUMN."""
    subtype = command.get("subtype")
    if subtype == "AT_AddConstraint":
        constraint = command.get("def", {}).get("Constraint", {})
        if constraint.get("contype") == contype and not constraint.get("indexname"):
            return [(constraint, None)]
    elif subtype == "AT_AddColumn":
        column = command.get("def", {}).get("ColumnDef", {})
        return [(item["Constraint"], str(column.get("colname", ""))) for item in column.get("constraints") or ()
                if item.get("Constraint", {}).get("contype") == contype]
    return []


def _quoted_list(names: list[str]) -> str:
    return ", ".join(maybe_double_quote_name(name) for name in names)


def _bare_column(statement_text: str, column: str) -> str:
    """The statement's ADD COLUMN `column` alone, without its UNIQUE constraint."""
    # a parsed AlterTableStmt; pglast types every part Optional
    node: Any = parse_sql(statement_text)[0].stmt
    for command in node.cmds:
        definition = command.def_
        if isinstance(definition, ast.ColumnDef) and definition.colname == column:
            definition.constraints = tuple(
                c for c in definition.constraints or ()
                if c.contype != ConstrType.CONSTR_UNIQUE) or None
            node.cmds = (command,)
            break
    return str(RawStream()(node))


def index_backed_rewrite(statement_text: str, relation: Mapping[str, Any], constraint: Mapping[str, Any],
                         column: str | None) -> str:
    """Build the index CONCURRENTLY in a non-transactional file, then attach it as the constraint."""
    keyword = _KEYWORDS[str(constraint.get("contype"))]
    relname = str(relation.get("relname", ""))
    keys = [column] if column else tree.names(constraint.get("keys"))
    if constraint.get("conname"):
        name = str(constraint["conname"])
    elif keyword == "UNIQUE":
        name = f"{relname}_{'_'.join(keys)}_key"
    else:
        name = f"{relname}_pkey"
    table = ".".join(maybe_double_quote_name(part) for part in (relation.get("schemaname"), relname) if part)
    index = f"CREATE UNIQUE INDEX CONCURRENTLY {maybe_double_quote_name(name)} ON {table} ({_quoted_list(keys)})"
    if constraint.get("including"):
        index += f" INCLUDE ({_quoted_list(tree.names(constraint['including']))})"
    if constraint.get("nulls_not_distinct"):
        index += " NULLS NOT DISTINCT"
    attach = (f"ALTER TABLE {table} ADD CONSTRAINT {maybe_double_quote_name(name)} {keyword} "
              f"USING INDEX {maybe_double_quote_name(name)}")
    if constraint.get("deferrable"):
        attach += " DEFERRABLE" + (" INITIALLY DEFERRED" if constraint.get("initdeferred") else "")
    lines = []
    if column and keyword == "PRIMARY KEY":
        lines += [(f"-- first add {maybe_double_quote_name(column)} without the key, fill it and make it NOT NULL "
                  "without long locks (see L105 and L107)")]
    elif column:
        lines += ["-- first the column alone, in this migration:", f"{_bare_column(statement_text, column)};"]
    lines += [non_transactional_file(index), "-- then, in the next migration: attaching the built index is instant"]
    if keyword == "PRIMARY KEY" and not column:
        lines += ["-- (the key columns must already be NOT NULL, or this scans the table: see L107)"]
    lines += [f"{attach};"]
    return "\n".join(lines)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each UNIQUE constraint added to an existing table with an index built on the spot."""
    if statement.kind != "AlterTableStmt":
        return
    relation = statement.node.get("relation") or {}
    table = tree.qualified_name(relation)
    if context.is_new(table):
        return
    for item in statement.node.get("cmds") or ():
        for constraint, column in index_constraints(item.get("AlterTableCmd", {}), "CONSTR_UNIQUE"):
            # A temporal key (WITHOUT OVERLAPS) is backed by a GiST index: no USING INDEX recipe for it.
            temporal = bool(constraint.get("without_overlaps"))
            yield Hit(
                location=tree.location(constraint),
                message=f"ADD UNIQUE builds its index on {table} under an ACCESS EXCLUSIVE lock: reads and writes "
                "wait for the whole build, which fails at the end if there are duplicates",
                rewrite=None if temporal else index_backed_rewrite(statement.text, relation, constraint, column),
            )


RULE = Rule(
    code="L111",
    name="disallowed-unique-constraint",
    severity=Severity.ERROR,
    message="ADD UNIQUE builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole build",
    help="CREATE UNIQUE INDEX CONCURRENTLY in a migration marked `-- Transaction: none`, then "
    "ADD CONSTRAINT ... UNIQUE USING INDEX in the next one (instant).",
    check=check,
)
