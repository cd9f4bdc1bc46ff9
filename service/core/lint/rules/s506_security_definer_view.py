"""S506 security-definer-view: a view in the exposed schema runs with its owner's rights, so it reads the
tables underneath past the querying user's RLS policies (splinter 0010).

`security_invoker` exists from PostgreSQL 15; before that the rule is silent.
A later `ALTER VIEW ... SET (security_invoker = true)` in the file counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pglast import ast
from pglast.stream import RawStream

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rules.t301_prefer_bigint import reparse
from service.core.sql import Statement

EXPOSED_SCHEMAS = frozenset({"public"})
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "on", "1"})
KINDS = frozenset({"ViewStmt", "AlterTableStmt"})


def is_true(option: tree.Node) -> bool:
    """A DefElem's value read as PostgreSQL reads a boolean option (no value means true)."""
    argument = option.get("arg")
    if not argument:
        return True
    if "Boolean" in argument:
        return bool(argument["Boolean"].get("boolval"))
    if "Integer" in argument:
        return bool(argument["Integer"].get("ival", 0) == 1)
    return str(argument.get("String", {}).get("sval", "")).lower() in TRUE_WORDS


def invoker_option(options: list[tree.Node] | None) -> bool | None:
    """The security_invoker value among reloptions, or None when they do not mention it."""
    value = None
    for item in options or ():
        option = item.get("DefElem", {})
        if option.get("defname") == "security_invoker":
            value = is_true(option)
    return value


@dataclass
class ViewSecurity:
    """The exposed views a file creates: statement, view RangeVar, and whether it runs as the invoker."""

    views: dict[str, tuple[Statement, tree.Node, bool]] = field(default_factory=dict)


def follow_views(statement: Statement, state: ViewSecurity) -> None:
    """Record exposed views `statement` creates and security_invoker changes it makes."""
    node = statement.node
    if statement.kind == "ViewStmt":
        relation = node.get("view") or {}
        name = tree.qualified_name(relation)
        if relation.get("relpersistence") != "t" and name.split(".", 1)[0] in EXPOSED_SCHEMAS:
            state.views[name] = (statement, relation, bool(invoker_option(node.get("options"))))
    elif statement.kind == "AlterTableStmt" and node.get("objtype") == "OBJECT_VIEW":
        name = tree.qualified_name(node.get("relation"))
        if name not in state.views:
            return
        for item in node.get("cmds", ()):
            command = item.get("AlterTableCmd", {})
            options = command.get("def", {}).get("List", {}).get("items")
            value = invoker_option(options)
            if value is None:
                continue
            created, relation, _ = state.views[name]
            reset = command.get("subtype") == "AT_ResetRelOptions"
            state.views[name] = (created, relation, False if reset else value)


def _with_invoker(statement_text: str) -> str:
    root = reparse(statement_text, ast.ViewStmt)
    kept = tuple(option for option in root.options or () if option.defname != "security_invoker")
    root.options = (*kept, ast.DefElem(defname="security_invoker", arg=ast.String(sval="true")))
    return str(RawStream()(root)).strip()


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember exposed views and security_invoker changes for `finish` (PostgreSQL 15+)."""
    if statement.kind in KINDS and context.pg_version >= 15:
        follow_views(statement, context.rule_state.setdefault("S506", ViewSecurity()))
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each exposed view the file leaves without security_invoker = true."""
    state: ViewSecurity | None = context.rule_state.get("S506")
    if state is None:
        return
    for name, (statement, relation, invoker) in state.views.items():
        if not invoker:
            yield statement, Hit(
                location=tree.location(relation),
                message=f"view {name} runs with its owner's rights: API users read the tables under it past "
                "their own RLS policies and grants",
                rewrite=_with_invoker(statement.text),
            )


RULE = Rule(
    code="S506",
    name="security-definer-view",
    severity=Severity.ERROR,
    message="view in an exposed schema runs with its owner's rights: API users read the tables under it past "
    "their own RLS policies",
    help="Create it WITH (security_invoker = true) (PostgreSQL 15+), or move it to a schema the API does not "
    "expose.",
    check=check,
    finish=finish,
)
