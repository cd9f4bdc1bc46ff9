"""L105 adding-field-with-default: ADD COLUMN that rewrites the whole table under ACCESS EXCLUSIVE.

From PostgreSQL 11 a column added with a non-volatile default (a constant,
`now()`, `CURRENT_TIMESTAMP`...) is instant: the value is stored once in the
catalog. A volatile default (`random()`, `gen_random_uuid()`,
`clock_timestamp()`, `nextval()`, hence serial and identity columns) or a
STORED generated column still computes a value for every row, rewriting the
table while every read and write waits. Before 11, any non-NULL default does.

A function this rule does not know is taken to be volatile: that is the
default of CREATE FUNCTION.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pglast import ast

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import SERIAL_INTEGERS
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import in_row_trigger, quote_name, quoted_relation
from service.core.lint.supabase import AUTH_FUNCTIONS
from service.core.sql import Statement

_INTEGER_TYPES = {"int2": "smallint", "int4": "integer", "int8": "bigint"}
VOLATILE_FUNCTIONS = frozenset({
    "random", "random_normal", "gen_random_uuid", "uuidv4", "uuidv7", "uuid_generate_v1", "uuid_generate_v1mc",
    "uuid_generate_v4", "gen_random_bytes", "clock_timestamp", "timeofday", "nextval", "setval", "txid_current",
    "pg_current_xact_id",
})
# Built-ins that are STABLE or IMMUTABLE: a default made of them is stored once (fast default).
NON_VOLATILE_FUNCTIONS = frozenset({
    "now", "transaction_timestamp", "statement_timestamp", "current_setting", "timezone", "date_trunc",
    "date_part", "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval", "to_timestamp",
    "to_date", "to_char", "to_number", "age", "lower", "upper", "btrim", "ltrim", "rtrim", "concat", "concat_ws",
    "format", "replace", "substr", "substring", "left", "right", "length", "char_length", "md5", "encode",
    "decode", "jsonb_build_object", "jsonb_build_array", "json_build_object", "json_build_array", "to_jsonb",
    "to_json", "array_fill", "abs", "round", "floor", "ceil", "ceiling", "int4", "int8", "text", "numeric",
})


def unknown_or_volatile_function(expression: Any) -> tuple[str, int | None] | None:
    """(name, location) of the first function in `expression` that is volatile or not known to be stable;
    None when the default is stored once (a fast default)."""
    for kind, body in tree.walk(expression):
        if kind != "FuncCall":
            continue
        parts = [part.lower() for part in tree.names(body.get("funcname"))]
        name = parts[-1] if parts else ""
        schema = parts[0] if len(parts) > 1 else ""
        if name in VOLATILE_FUNCTIONS:
            return ".".join(parts), tree.location(body)
        if name in NON_VOLATILE_FUNCTIONS and schema in ("", "pg_catalog"):
            continue
        if name in AUTH_FUNCTIONS and schema == "auth":
            continue
        return ".".join(parts), tree.location(body)
    return None


def _is_null(expression: Any) -> bool:
    return isinstance(expression, dict) and bool(expression.get("A_Const", {}).get("isnull"))


def _rewriting_part(column: Mapping[str, Any], pg_version: int) -> tuple[str, int | None, str] | None:
    """(kind, location, why) of what makes adding `column` rewrite the table, else None."""
    type_node = column.get("typeName")
    names = tree.names((type_node or {}).get("names"))
    if len(names) == 1 and names[0].lower() in SERIAL_INTEGERS:
        return ("sequence", tree.location(type_node),
                f"a {names[0]} column takes nextval() for every existing row")
    for item in column.get("constraints") or ():
        constraint = item.get("Constraint", {})
        contype = constraint.get("contype")
        if contype == "CONSTR_IDENTITY":
            return "sequence", tree.location(constraint), "an identity column takes a value for every existing row"
        if contype == "CONSTR_GENERATED" and constraint.get("generated_kind") == "s":
            return "generated", tree.location(constraint), "a STORED generated column is computed for every row"
        if contype == "CONSTR_DEFAULT":
            expression = constraint.get("raw_expr")
            if _is_null(expression):
                continue
            if pg_version < 11:
                return ("default", tree.location(constraint),
                        f"before PostgreSQL 11 any default is written into every row (target: {pg_version})")
            found = unknown_or_volatile_function(expression)
            if found is not None:
                function, location = found
                how = ("is volatile" if function.rsplit(".", 1)[-1] in VOLATILE_FUNCTIONS
                       else "is not known to be STABLE or IMMUTABLE (CREATE FUNCTION makes functions VOLATILE)")
                return ("default", location,
                        f"the default calls {function}(), which {how}, so it is computed for every row")
    return None


def _rewrite(statement: Statement, command_index: int, kind: str) -> str:
    """The column added bare, then its default, trigger or sequence, then a batched backfill."""
    node: Any = statement_node(statement, ast.AlterTableStmt)  # pglast types every part Optional
    command = node.cmds[command_index]
    column = command.def_
    table = quoted_relation(node.relation)
    name = quote_name(column.colname)
    constraints = tuple(column.constraints or ())
    removed = {"CONSTR_DEFAULT", "CONSTR_NOTNULL", "CONSTR_GENERATED", "CONSTR_IDENTITY"}
    column.constraints = tuple(c for c in constraints if c.contype.name not in removed) or None
    serial = SERIAL_INTEGERS.get(column.typeName.names[-1].sval.lower()) if len(column.typeName.names) == 1 else None
    if serial:
        column.typeName = ast.TypeName(names=(ast.String(sval="pg_catalog"), ast.String(sval=serial)), typemod=-1)
    bare = deparse(ast.AlterTableStmt(relation=node.relation, cmds=(command,), objtype=node.objtype))
    not_null = serial is not None or any(c.contype.name in ("CONSTR_NOTNULL", "CONSTR_IDENTITY") for c in constraints)
    lines = ["-- 1. add the column plain (nullable, no default): no rewrite", f"{bare};"]
    if kind == "default":
        default = next(c.raw_expr for c in constraints if c.contype.name == "CONSTR_DEFAULT")
        value = deparse(default)
        lines += ["-- 2. new rows get the default from now on",
                  f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {value};",
                  "-- 3. backfill the existing rows in batches (by key range, each batch its own transaction)",
                  f"UPDATE {table} SET {name} = {value} WHERE {name} IS NULL;"]
    elif kind == "sequence":
        relation = node.relation
        sequence = ".".join(quote_name(part) for part in
                            (relation.schemaname, f"{relation.relname}_{column.colname}_seq") if part)
        literal = sequence.replace("'", "''")
        type_name = column.typeName.names[-1].sval
        sequence_type = _INTEGER_TYPES.get(type_name) or deparse(column.typeName)
        lines[1:1] = [f"CREATE SEQUENCE {sequence} AS {sequence_type};"]
        lines += [f"ALTER SEQUENCE {sequence} OWNED BY {table}.{name};",
                  "-- 2. new rows take the next value",
                  f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT nextval('{literal}');",
                  "-- 3. backfill the existing rows in batches (by key range, each batch its own transaction)",
                  f"UPDATE {table} SET {name} = nextval('{literal}') WHERE {name} IS NULL;"]
    else:
        expression = next(c.raw_expr for c in constraints if c.contype.name == "CONSTR_GENERATED")
        value = deparse(expression)
        expression = in_row_trigger(expression)
        function = quote_name(f"{node.relation.relname}_{column.colname}_compute")
        schema = node.relation.schemaname
        qualified = f"{quote_name(schema)}.{function}" if schema else function
        lines += ["-- 2. a trigger computes it for new and changed rows",
                  (f"CREATE FUNCTION {qualified}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                  f"BEGIN\n  NEW.{name} := {deparse(expression)};\n  RETURN NEW;\nEND\n$$;"),
                  (f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {table} "
                  f"FOR EACH ROW EXECUTE FUNCTION {qualified}();"),
                  "-- 3. backfill the existing rows in batches (by key range, each batch its own transaction)",
                  f"UPDATE {table} SET {name} = {value} WHERE {name} IS NULL;"]
    if not_null:
        lines += ["-- 4. then SET NOT NULL without a long lock (CHECK NOT VALID, VALIDATE, SET NOT NULL: see L107)"]
    return "\n".join(lines)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each ADD COLUMN of an existing table with a volatile default, serial, identity or STORED generated value."""
    relation = statement.node.get("relation")
    table = tree.qualified_name(relation)
    if context.is_new(table):
        return
    for index, item in enumerate(statement.node.get("cmds") or ()):
        command = item.get("AlterTableCmd", {})
        if command.get("subtype") != "AT_AddColumn":
            continue
        column = command.get("def", {}).get("ColumnDef", {})
        found = _rewriting_part(column, context.pg_version)
        if found is None:
            continue
        kind, location, why = found
        advice = " (or make it VIRTUAL, computed on read)" if kind == "generated" and context.pg_version >= 18 else ""
        yield Hit(
            location=location,
            message=f"ADD COLUMN {column.get('colname')} rewrites {table} under an ACCESS EXCLUSIVE lock: "
            f"{why}{advice}",
            rewrite=_rewrite(statement, index, kind),
        )


RULE = Rule(
    code="L105",
    name="adding-field-with-default",
    severity=Severity.ERROR,
    message="ADD COLUMN with a volatile default, serial/identity or STORED generated value rewrites the table "
    "under an ACCESS EXCLUSIVE lock",
    help="Add the column nullable and without the default, SET DEFAULT for new rows, then backfill the existing "
    "rows in batches; compute a generated value with a trigger instead. A constant default is instant on "
    "PostgreSQL 11+.",
    check=check,
    kinds=frozenset({"AT_AddColumn"}),
    needles=frozenset({"default", "generated", "serial"}),  # DEFAULT, GENERATED (identity and stored), the serial types
)
