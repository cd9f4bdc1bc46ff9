"""S501 rls-disabled-in-public: a table created in the exposed schema without row level security is
readable and writable by anyone holding the anon key (splinter 0013).

Tables in `public` (or unqualified) are served by the Data API, and Supabase
grants anon and authenticated all privileges on them by default. The file is
read whole: the table is fine if any statement of the file leaves RLS enabled.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pglast import ast, enums
from pglast.stream import RawStream

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

EXPOSED_SCHEMAS = frozenset({"public"})
KINDS = frozenset({"CreateStmt", "CreateTableAsStmt", "AlterTableStmt", "DropStmt", "RenameStmt"})


@dataclass
class RowSecurity:
    """What a file does about row level security: tables it creates, and the last RLS switch of each table."""

    created: dict[str, tuple[Statement, tree.Node]] = field(default_factory=dict)
    enabled: dict[str, bool] = field(default_factory=dict)


def follow(statement: Statement, state: RowSecurity, *, exposed_only: bool) -> None:
    """Record the tables `statement` creates or drops and the RLS switches it makes."""
    node = statement.node
    if statement.kind in ("CreateStmt", "CreateTableAsStmt"):
        relation = node.get("relation") or node.get("into", {}).get("rel") or {}
        if statement.kind == "CreateTableAsStmt" and node.get("objtype") != "OBJECT_TABLE":
            return  # materialized views have no row level security (S513)
        if relation.get("relpersistence") == "t":
            return
        name = tree.qualified_name(relation)
        if not exposed_only or name.split(".", 1)[0] in EXPOSED_SCHEMAS:
            state.created[name] = (statement, relation)
    elif statement.kind == "AlterTableStmt" and node.get("objtype") == "OBJECT_TABLE":
        name = tree.qualified_name(node.get("relation"))
        for item in node.get("cmds", ()):
            subtype = item.get("AlterTableCmd", {}).get("subtype")
            if subtype in ("AT_EnableRowSecurity", "AT_DisableRowSecurity"):
                state.enabled[name] = subtype == "AT_EnableRowSecurity"
    elif statement.kind == "RenameStmt" and node.get("renameType") == "OBJECT_TABLE":
        relation = node.get("relation") or {}
        old_name = tree.qualified_name(relation)
        new_name = f"{old_name.split('.', 1)[0]}.{node.get('newname', '')}"
        if old_name in state.created:
            created, created_relation = state.created.pop(old_name)
            state.created[new_name] = (created, {**created_relation, "relname": node.get("newname", "")})
        if old_name in state.enabled:
            state.enabled[new_name] = state.enabled.pop(old_name)
    elif statement.kind == "DropStmt" and node.get("removeType") == "OBJECT_TABLE":
        for item in node.get("objects", ()):
            parts = tree.names(item.get("List", {}).get("items"))
            state.created.pop(".".join(parts) if len(parts) > 1 else f"public.{parts[0]}", None)


def enable_row_security(relation: tree.Node) -> str:
    """`ALTER TABLE <relation> ENABLE ROW LEVEL SECURITY`, the relation named as the file names it."""
    statement = ast.AlterTableStmt(
        relation=ast.RangeVar(schemaname=relation.get("schemaname"), relname=relation.get("relname"), inh=True,
                              relpersistence="p"),
        cmds=(ast.AlterTableCmd(subtype=enums.AlterTableType.AT_EnableRowSecurity,
                                behavior=enums.DropBehavior.DROP_RESTRICT),),
        objtype=enums.ObjectType.OBJECT_TABLE,
    )
    return f"{str(RawStream()(statement)).strip()};"


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember created tables and RLS switches for `finish`."""
    if statement.kind in KINDS:
        follow(statement, context.rule_state.setdefault("S501", RowSecurity()), exposed_only=True)
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each exposed table the file creates and leaves without row level security."""
    state: RowSecurity | None = context.rule_state.get("S501")
    if state is None:
        return
    for name, (statement, relation) in state.created.items():
        if not state.enabled.get(name, False):
            yield statement, Hit(
                location=tree.location(relation),
                message=f"table {name} is served by the Data API without row level security: anyone with the "
                "anon key can read and change every row",
                rewrite=f"{enable_row_security(relation)}\n-- then a policy for each role and command that needs "
                "it, e.g. USING ((SELECT auth.uid()) = user_id)",
            )


RULE = Rule(
    code="S501",
    name="rls-disabled-in-public",
    severity=Severity.ERROR,
    message="table in an exposed schema without row level security: anyone with the anon key can read and "
    "change every row",
    help="ALTER TABLE ... ENABLE ROW LEVEL SECURITY in the same migration, with policies for the roles that "
    "need access; or create the table in a schema the API does not expose.",
    check=check,
    finish=finish,
)
