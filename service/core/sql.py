"""SQL text -> statements, with pglast (PostgreSQL's own parser): never regular expressions.

Dollar quotes, comments and string literals containing `;` or `COMMIT` are
the parser's business. Locations are reported as 1-based line and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from pglast import parser


class SqlSyntaxError(Exception):
    """The SQL does not parse; `line`/`column` point at the offending token."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.reason = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Statement:
    """One statement of a file: its text, where it starts, and its parse tree."""

    index: int
    text: str
    line: int
    column: int
    kind: str
    node: Mapping[str, Any] = field(repr=False, compare=False)
    start: int = field(default=0, compare=False)  # character offset in the source


def line_and_column(prefix: str) -> tuple[int, int]:
    """1-based line and column of the character right after `prefix`."""
    line = prefix.count("\n") + 1
    return line, len(prefix) - (prefix.rfind("\n") + 1) + 1


def parse_tree(source: str) -> list[Mapping[str, Any]]:
    """The raw pglast JSON statements (`stmt`, `stmt_location`, `stmt_len`); SqlSyntaxError if it does not parse."""
    try:
        # orjson: half the time of json.loads on pglast's JSON, which costs more than the parse itself
        document = orjson.loads(parser.parse_sql_json(source))
    except parser.ParseError as error:
        reason = error.args[0]
        position = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else len(source)
        line, column = line_and_column(source[: max(position, 0)])
        raise SqlSyntaxError(str(reason), line, column) from None
    statements: list[Mapping[str, Any]] = document.get("stmts", [])
    return statements


def split_statements(source: str) -> list[Statement]:
    """The statements of `source`, in order, each with its exact text and starting line/column."""
    encoded = source.encode("utf-8")
    ascii_only = len(encoded) == len(source)  # then pglast's byte offsets are character offsets too
    statements = []
    line, counted_to = 1, 0  # the line of character offset `counted_to` (statements come in order)
    start_char = start_byte = 0
    for index, raw in enumerate(parse_tree(source), start=1):
        previous_byte, start_byte = start_byte, raw.get("stmt_location", 0)
        length = raw.get("stmt_len", 0) or len(encoded) - start_byte
        if ascii_only:
            start_char = start_byte
            text = source[start_byte : start_byte + length].strip()
        else:
            start_char += len(encoded[previous_byte:start_byte].decode("utf-8"))
            text = encoded[start_byte : start_byte + length].decode("utf-8").strip()
        line += source.count("\n", counted_to, start_char)
        counted_to = start_char
        column = start_char - source.rfind("\n", 0, start_char)
        node = raw["stmt"]
        (kind,) = node.keys()
        # positional: keywords cost a frozen dataclass half as much again, on every statement of every file
        statements.append(Statement(index, text, line, column, kind, node[kind], start_char))
    return statements


def transaction_kind(statement: Statement) -> str | None:
    """`begin`, `commit`, `rollback`, `savepoint`... for transaction control, else None."""
    if statement.kind != "TransactionStmt":
        return None
    kind = str(statement.node.get("kind", ""))
    return {
        "TRANS_STMT_BEGIN": "begin",
        "TRANS_STMT_START": "begin",
        "TRANS_STMT_COMMIT": "commit",
        "TRANS_STMT_ROLLBACK": "rollback",
        "TRANS_STMT_SAVEPOINT": "savepoint",
        "TRANS_STMT_RELEASE": "release",
        "TRANS_STMT_ROLLBACK_TO": "rollback to",
        "TRANS_STMT_PREPARE": "prepare transaction",
        "TRANS_STMT_COMMIT_PREPARED": "commit prepared",
        "TRANS_STMT_ROLLBACK_PREPARED": "rollback prepared",
    }.get(kind, kind.lower())


def history_table_write(statement: Statement, table: str = "schema_migrations") -> tuple[str, str | None] | None:
    """(`insert` | `delete`, the version it names) when the statement writes the history table itself.

    Recognises the migration guide's template: `INSERT INTO schema_migrations
    (version, ...) VALUES ('V', ...)` and `DELETE FROM schema_migrations WHERE
    version = 'V'`. The version is None when it is not a plain literal.
    """
    if statement.kind == "InsertStmt":
        if not _is_table(statement.node.get("relation", {}), table):
            return None
        return "insert", _inserted_version(statement.node)
    if statement.kind == "DeleteStmt":
        if not _is_table(statement.node.get("relation", {}), table):
            return None
        return "delete", _deleted_version(statement.node.get("whereClause"))
    return None


def _is_table(relation: Mapping[str, Any], table: str) -> bool:
    return relation.get("relname") == table and relation.get("schemaname", "public") == "public"


def _string_constant(node: Mapping[str, Any] | None) -> str | None:
    if not node:
        return None
    if "TypeCast" in node:
        return _string_constant(node["TypeCast"].get("arg"))
    constant = node.get("A_Const", {})
    value = constant.get("sval", {}).get("sval")
    return value if isinstance(value, str) else None


def _inserted_version(insert: Mapping[str, Any]) -> str | None:
    columns = [target["ResTarget"].get("name") for target in insert.get("cols", [])]
    if "version" not in columns:
        return None
    values = insert.get("selectStmt", {}).get("SelectStmt", {}).get("valuesLists", [])
    if len(values) != 1:
        return None
    items = values[0]["List"]["items"]
    return _string_constant(items[columns.index("version")])


def _deleted_version(where: Mapping[str, Any] | None) -> str | None:
    expression = (where or {}).get("A_Expr")
    if not expression or expression.get("kind") != "AEXPR_OP":
        return None
    operator = [name["String"]["sval"] for name in expression.get("name", [])]
    if operator != ["="]:
        return None
    left, right = expression.get("lexpr", {}), expression.get("rexpr", {})
    for column, constant in ((left, right), (right, left)):
        fields = column.get("ColumnRef", {}).get("fields", [])
        if fields and fields[-1].get("String", {}).get("sval") == "version":
            return _string_constant(constant)
    return None
