"""L119 prefer-text-field: varchar(n) puts the length limit in the type, where changing it is costly.

Lowering the limit later rewrites the table under an ACCESS EXCLUSIVE lock
(raising it is cheap). `text` stores the same way, and a
`CHECK (char_length(c) <= n)` limit can be replaced NOT VALID, then
VALIDATEd, without a rewrite. Flags varchar(n) in CREATE TABLE, ADD COLUMN
and ALTER COLUMN TYPE; unbounded `varchar` is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, AlterTableType, CoercionForm, ConstrType

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import COLUMN_KINDS, column_types
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import quote_name, quoted_relation
from service.core.sql import Statement


def _bounded_varchar(type_node: Mapping[str, Any] | None) -> int | None:
    """n for `varchar(n)` (or `varchar(n)[]`), else None."""
    if tree.type_name(type_node) != "varchar":
        return None
    modifiers = tree.type_modifiers(type_node)
    return modifiers[0] if modifiers else None


def _text_type(type_name: ast.TypeName) -> ast.TypeName:
    return ast.TypeName(names=(ast.String(sval="text"),), typemod=-1, arrayBounds=type_name.arrayBounds)


def _length_check(name: str, column: str, limit: int, *, not_valid: bool) -> ast.Constraint:
    """`CONSTRAINT name CHECK (char_length(column) <= limit)`."""
    length = ast.FuncCall(funcname=(ast.String(sval="char_length"),),
                          args=(ast.ColumnRef(fields=(ast.String(sval=column),)),),
                          funcformat=CoercionForm.COERCE_EXPLICIT_CALL)
    expression = ast.A_Expr(kind=A_Expr_Kind.AEXPR_OP, name=(ast.String(sval="<="),), lexpr=length,
                            rexpr=ast.A_Const(isnull=False, val=ast.Integer(ival=limit)))
    return ast.Constraint(contype=ConstrType.CONSTR_CHECK, conname=name, raw_expr=expression,
                          skip_validation=not_valid, initially_valid=not not_valid, is_enforced=True)


def _rewrite(statement: Statement, new_table: bool) -> str:
    """Every varchar(n) of the statement as text with a CHECK on its length (NOT VALID on an existing table)."""
    node: Any = statement_node(statement, ast.Node)  # pglast types every part Optional
    relname = node.relation.relname
    validations: list[str] = []
    if isinstance(node, ast.CreateStmt):
        for element in node.tableElts or ():
            limit = _bounded_varchar_node(element.typeName) if isinstance(element, ast.ColumnDef) else None
            if limit is None:
                continue
            array = bool(element.typeName.arrayBounds)
            element.typeName = _text_type(element.typeName)
            if not array:
                check = _length_check(f"{relname}_{element.colname}_length", element.colname, limit, not_valid=False)
                element.constraints = (*(element.constraints or ()), check)
        return f"{deparse(node)};"
    table = quoted_relation(node.relation)
    commands: list[ast.AlterTableCmd] = []
    for command in node.cmds:
        commands.append(command)
        definition = command.def_
        if command.subtype not in (AlterTableType.AT_AddColumn, AlterTableType.AT_AlterColumnType):
            continue
        limit = _bounded_varchar_node(definition.typeName)
        if limit is None:
            continue
        column = definition.colname if command.subtype == AlterTableType.AT_AddColumn else command.name
        array = bool(definition.typeName.arrayBounds)
        definition.typeName = _text_type(definition.typeName)
        if array:
            continue
        name = f"{relname}_{column}_length"
        commands.append(ast.AlterTableCmd(subtype=AlterTableType.AT_AddConstraint,
                                          def_=_length_check(name, column, limit, not_valid=not new_table)))
        if not new_table:
            validations.append(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote_name(name)};")
    node.cmds = tuple(commands)
    lines = [f"{deparse(node)};"]
    if validations:
        lines += ["-- in a later migration (its own transaction):", *validations]
    return "\n".join(lines)


def _bounded_varchar_node(type_name: ast.TypeName | None) -> int | None:
    """n for a pglast `varchar(n)` TypeName, else None."""
    if type_name is None or not type_name.names or type_name.names[-1].sval != "varchar" or not type_name.typmods:
        return None
    value = type_name.typmods[0].val
    return int(value.ival or 0) if isinstance(value, ast.Integer) else None


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each varchar(n) column of a CREATE TABLE, ADD COLUMN or ALTER COLUMN TYPE."""
    table = tree.qualified_name(statement.node.get("relation"))
    rewrite: str | None = None
    for column, type_node, _ in column_types(statement, context):
        limit = _bounded_varchar(type_node)
        if limit is None:
            continue
        if rewrite is None:
            rewrite = _rewrite(statement, statement.kind == "CreateStmt" or context.is_new(table))
        yield Hit(
            location=tree.location(type_node),
            message=f"{table}.{column} is varchar({limit}): lowering the limit later rewrites the table; text with "
            f"CHECK (char_length({column}) <= {limit}) stores the same and its limit changes without a rewrite",
            rewrite=rewrite,
        )


RULE = Rule(
    code="L119",
    name="prefer-text-field",
    severity=Severity.INFO,
    message="varchar(n) puts the limit in the type: lowering it later rewrites the table",
    help="Use text with a CHECK (char_length(c) <= n) constraint (NOT VALID on an existing table, VALIDATE later).",
    check=check,
    kinds=COLUMN_KINDS,
    needles=frozenset({"char"}),  # varchar, character varying, char varying
)
