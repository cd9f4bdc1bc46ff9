"""Safe rewrites as SQL: names and literals quoted, statements changed on their parse tree and deparsed,
and the recipes several rules share (a column retyped, a unique index built before its constraint, a
constraint added NOT VALID, NOT NULL proven by a CHECK)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, NamedTuple

from pglast import ast, enums
from pglast.stream import maybe_double_quote_name

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import ColumnType
from service.core.lint.nodes import deparse, replaced, statement_node
from service.core.sql import Statement


def quote_name(name: str) -> str:
    """An identifier as SQL, double-quoted only where it must be (`accounts`, `"Accounts"`)."""
    return str(maybe_double_quote_name(name))


def quoted_names(names: Sequence[str]) -> str:
    """Identifiers as a comma-separated SQL list."""
    return ", ".join(quote_name(name) for name in names)


def quoted_relation(relation: Mapping[str, Any] | ast.RangeVar | None) -> str:
    """A RangeVar (JSON body or pglast node) as SQL, `schema.table` as the file wrote it, quoted where needed."""
    if isinstance(relation, ast.RangeVar):
        parts = (relation.schemaname, relation.relname)
    else:
        parts = ((relation or {}).get("schemaname"), (relation or {}).get("relname", ""))
    return ".".join(quote_name(part) for part in parts if part)


def sql_literal(text: str) -> str:
    """A string as an SQL literal: `it's` -> `'it''s'`."""
    return "'" + text.replace("'", "''") + "'"


def deparsed(statement: Statement, **changes: Any) -> str:
    """The statement with top-level node attributes changed (e.g. `concurrent=True`), as SQL."""
    node = statement_node(statement, ast.Node)
    for attribute, value in changes.items():
        setattr(node, attribute, value)
    return deparse(node)


def non_transactional_file(*statements: str) -> str:
    """Statements that must run outside a transaction, as the body of their own migration file."""
    body = "\n".join(f"{statement};" for statement in statements)
    return f"-- in a migration file of its own, marked:\n-- Transaction: none\n{body}"


def setting_first(statement: Statement, *, transactional: bool, setting: str, comment: str) -> str:
    """`-- comment`, then `SET setting` (SET LOCAL in a transactional file: it ends with the transaction), then
    the statement."""
    command = "SET LOCAL" if transactional else "SET"
    return f"-- {comment}\n{command} {setting};\n{statement.text};"


def with_option(options: Sequence[ast.DefElem] | None, name: str, value: str) -> tuple[ast.DefElem, ...]:
    """A statement's `options` with `name` set to the string `value`, last (replacing any setting of it)."""
    kept = tuple(option for option in options or () if option.defname != name)
    return (*kept, ast.DefElem(defname=name, arg=ast.String(sval=value)))


def take_constraints(owner: ast.ColumnDef | ast.CreateDomainStmt, contype: enums.ConstrType) -> list[ast.Constraint]:
    """Remove the `contype` constraints from a column's (or a domain's) constraints, and return them."""
    taken = [constraint for constraint in owner.constraints or () if constraint.contype == contype]
    owner.constraints = tuple(constraint for constraint in owner.constraints or ()
                              if constraint.contype != contype) or None
    return taken


def _prefixed(node: ast.ColumnRef) -> ast.ColumnRef:
    return ast.ColumnRef(fields=(ast.String(sval="new"), *(node.fields or ())))


def in_row_trigger(expression: ast.Node) -> ast.Node:
    """The expression with each column `c` read as `NEW.c` (changed in place)."""
    return replaced(expression, ast.ColumnRef, _prefixed)


# ---- column types (T301-T305) ----

Retype = Callable[[ast.ColumnDef], None]  # a change to a column's definition
_RETYPED_KEY = "retyped"  # rule_state: (statement, its changes by type location, the SQL) of the last rewrite


def retyped(statement: Statement, columns: Collection[ColumnType], change: Retype | Mapping[str, Retype], *,
            context: LintContext) -> str:
    """The statement as SQL, with `change` applied to each of `columns` (as `ddl.column_types` gives them), or
    `change[type]` for a column of built-in type `type`. Rules that change the same columns the same way get
    the same SQL (T301 and T302 on serial columns): the last rewrite is kept in the context."""
    changes: dict[int, Retype] = {}
    for _, type_node, type_name in columns:
        location = tree.location(type_node)
        if location is not None:
            changes[location] = change if callable(change) else change[type_name]
    key = frozenset(changes.items())
    last = context.rule_state.get(_RETYPED_KEY)
    if last is not None and last[0] is statement and last[1] == key:
        found: str = last[2]
        return found
    root = statement_node(statement, ast.Node)
    for column in _column_definitions(root):
        if column.typeName is not None and column.typeName.location in changes:
            changes[column.typeName.location](column)
    text = deparse(root)
    context.rule_state[_RETYPED_KEY] = (statement, key, text)
    return text


def _column_definitions(root: ast.Node) -> list[ast.ColumnDef]:
    """The columns a CREATE TABLE or ALTER TABLE defines or retypes."""
    if isinstance(root, ast.CreateStmt):
        return [element for element in root.tableElts or () if isinstance(element, ast.ColumnDef)]
    if isinstance(root, ast.AlterTableStmt):
        commands = [command for command in root.cmds or () if isinstance(command, ast.AlterTableCmd)]
        return [command.def_ for command in commands if isinstance(command.def_, ast.ColumnDef)]
    return []


def set_type(column: ast.ColumnDef, *names: str, keep_modifiers: bool = True) -> None:
    """Give the column the type `names` (`"pg_catalog", "int8"` prints as bigint), keeping its array bounds
    (and its modifiers if asked)."""
    old = column.typeName or ast.TypeName()
    column.typeName = ast.TypeName(
        names=tuple(ast.String(sval=name) for name in names),
        typmods=old.typmods if keep_modifiers else None,
        typemod=-1,
        arrayBounds=old.arrayBounds,
    )


def to_bigint_identity(column: ast.ColumnDef) -> None:
    """serial -> `bigint GENERATED BY DEFAULT AS IDENTITY` (same NOT NULL and default-on-insert behaviour)."""
    set_type(column, "pg_catalog", "int8", keep_modifiers=False)
    identity = ast.Constraint(contype=enums.ConstrType.CONSTR_IDENTITY, generated_when="d")
    column.constraints = (identity, *(column.constraints or ()))


# ---- UNIQUE and PRIMARY KEY from an index built concurrently (L111, L112) ----

_KEYWORDS = {"CONSTR_UNIQUE": "UNIQUE", "CONSTR_PRIMARY": "PRIMARY KEY"}


def index_backed_rewrite(statement: Statement, relation: Mapping[str, Any], constraint: Mapping[str, Any],
                         column: str | None) -> str | None:
    """Build the constraint's index CONCURRENTLY in a non-transactional file, then attach it as the constraint;
    None for a temporal key (WITHOUT OVERLAPS), whose GiST index no `USING INDEX` can attach."""
    if constraint.get("without_overlaps"):
        return None
    keyword = _KEYWORDS[str(constraint.get("contype"))]
    relname = str(relation.get("relname", ""))
    keys = [column] if column else tree.names(constraint.get("keys"))
    if constraint.get("conname"):
        name = str(constraint["conname"])
    elif keyword == "UNIQUE":
        name = f"{relname}_{'_'.join(keys)}_key"
    else:
        name = f"{relname}_pkey"
    table = quoted_relation(relation)
    index = f"CREATE UNIQUE INDEX CONCURRENTLY {quote_name(name)} ON {table} ({quoted_names(keys)})"
    if constraint.get("including"):
        index += f" INCLUDE ({quoted_names(tree.names(constraint['including']))})"
    if constraint.get("nulls_not_distinct"):
        index += " NULLS NOT DISTINCT"
    attach = f"ALTER TABLE {table} ADD CONSTRAINT {quote_name(name)} {keyword} USING INDEX {quote_name(name)}"
    if constraint.get("deferrable"):
        attach += " DEFERRABLE" + (" INITIALLY DEFERRED" if constraint.get("initdeferred") else "")
    lines = []
    if column and keyword == "PRIMARY KEY":
        lines += [(f"-- first add {quote_name(column)} without the key, fill it and make it NOT NULL "
                  "without long locks (see L105 and L107)")]
    elif column:
        lines += ["-- first the column alone, in this migration:", f"{_bare_column(statement, column)};"]
    lines += [non_transactional_file(index), "-- then, in the next migration: attaching the built index is instant"]
    if keyword == "PRIMARY KEY" and not column:
        lines += ["-- (the key columns must already be NOT NULL, or this scans the table: see L107)"]
    lines += [f"{attach};"]
    return "\n".join(lines)


def _bare_column(statement: Statement, column: str) -> str:
    """The statement's ADD COLUMN `column` alone, without its UNIQUE constraint."""
    node = statement_node(statement, ast.AlterTableStmt)
    for command in node.cmds or ():
        definition = command.def_ if isinstance(command, ast.AlterTableCmd) else None
        if isinstance(definition, ast.ColumnDef) and definition.colname == column:
            take_constraints(definition, enums.ConstrType.CONSTR_UNIQUE)
            node.cmds = (command,)
            break
    return deparse(node)


# ---- constraints added NOT VALID, validated later (L108, L109) ----

DefaultName = Callable[[str, ast.Constraint, "str | None"], str]  # (table, constraint, its column or None) -> name


def not_valid_then_validate(statement: Statement, contype: enums.ConstrType, default_name: DefaultName, *,
                            added: str, validated: str) -> str:
    """The ALTER TABLE with each `contype` constraint it adds NOT VALID and named (a column's moved to a table
    constraint: only those can be NOT VALID), then their VALIDATE CONSTRAINT for a later migration; `added` and
    `validated` are the comments of the two steps."""
    node: Any = statement_node(statement, ast.AlterTableStmt)  # pglast types every part Optional
    relname = node.relation.relname
    commands: list[ast.AlterTableCmd] = []
    names: list[str] = []
    for command in node.cmds:
        commands.append(command)
        if command.subtype == enums.AlterTableType.AT_AddConstraint and command.def_.contype == contype:
            if not command.def_.skip_validation:
                names.append(_not_valid(command.def_, default_name, relname, None))
        elif command.subtype == enums.AlterTableType.AT_AddColumn:
            column = command.def_
            for constraint in take_constraints(column, contype):
                if contype == enums.ConstrType.CONSTR_FOREIGN:  # a table FOREIGN KEY names its column
                    constraint.fk_attrs = (ast.String(sval=column.colname),)
                names.append(_not_valid(constraint, default_name, relname, column.colname))
                commands.append(ast.AlterTableCmd(subtype=enums.AlterTableType.AT_AddConstraint, def_=constraint))
    node.cmds = tuple(commands)
    table = quoted_relation(node.relation)
    return "\n".join([
        f"-- {added}",
        f"{deparse(node)};",
        f"-- {validated}",
        *(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote_name(name)};" for name in names),
    ])


def _not_valid(constraint: ast.Constraint, default_name: DefaultName, table: str, column: str | None) -> str:
    """Mark the constraint NOT VALID, and name it unless it has a name; its name."""
    constraint.conname = constraint.conname or default_name(table, constraint, column)
    constraint.skip_validation, constraint.initially_valid = True, False
    return str(constraint.conname)


# ---- SET NOT NULL proven by a CHECK (L107, B207) ----

class NotNullByCheck(NamedTuple):
    """SET NOT NULL without a long scan (PostgreSQL 12+), statement by statement: a CHECK (c IS NOT NULL) added
    NOT VALID, validated under a lock that lets reads and writes go on, then SET NOT NULL (which the validated
    CHECK spares its scan) and the CHECK dropped."""

    add_check: str
    validate: str
    set_not_null: str
    drop_check: str


def not_null_by_check(relation: Mapping[str, Any], column: str) -> NotNullByCheck:
    """The statements of the NOT NULL recipe for `column` of `relation` (a RangeVar body)."""
    table = quoted_relation(relation)
    name = quote_name(column)
    check = quote_name(f"{relation.get('relname', '')}_{column}_not_null")
    return NotNullByCheck(
        add_check=f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({name} IS NOT NULL) NOT VALID;",
        validate=f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};",
        set_not_null=f"ALTER TABLE {table} ALTER COLUMN {name} SET NOT NULL;",
        drop_check=f"ALTER TABLE {table} DROP CONSTRAINT {check};",
    )
