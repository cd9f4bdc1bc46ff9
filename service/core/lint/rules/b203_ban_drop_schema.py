"""B203 ban-drop-schema: DROP SCHEMA / DROP DATABASE destroy everything in them at once."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

CODE = "B203"


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """DROP DATABASE, and DROP SCHEMA of a schema this file did not create."""
    kind = statement.kind
    if kind == "CreateSchemaStmt":
        created: set[str] = context.rule_state.setdefault(CODE, set())
        created.add(str(statement.node.get("schemaname", "")))
        return
    if kind == "DropdbStmt":
        yield Hit(message=f"DROP DATABASE {statement.node.get('dbname')} destroys every schema, table "
                  "and row in it")
        return
    if statement.node.get("removeType") != "OBJECT_SCHEMA":
        return
    created = context.rule_state.get(CODE, set())
    cascade = statement.node.get("behavior") == "DROP_CASCADE"
    for item in statement.node.get("objects", ()):
        schema = item.get("String", {}).get("sval", "")
        if schema in created:
            continue
        what = "with every table, view and function in it" if cascade else "and the code and grants naming it break"
        yield Hit(message=f"DROP SCHEMA {schema} removes the schema {what}")


RULE = Rule(
    code=CODE,
    name="ban-drop-schema",
    severity=Severity.ERROR,
    message="DROP SCHEMA / DROP DATABASE removes everything in it at once",
    help="Drop the objects one by one, each after the code using it is gone (B201, B210), in migrations "
    "marked `-- Phase: contract`; a schema created earlier in the same file is fine.",
    check=check,
    kinds=frozenset({"CreateSchemaStmt", "DropdbStmt", "DropStmt"}),
)
