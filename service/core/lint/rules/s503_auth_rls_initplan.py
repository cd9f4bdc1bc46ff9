"""S503 auth-rls-initplan: auth.uid() and friends called bare in a policy run once per row (splinter 0003).

Wrapped in a scalar subquery, `(select auth.uid())`, the call becomes an
initPlan evaluated once per query. A subquery counts as that wrapper only if
it has no FROM and reads no column (otherwise it is correlated and runs per
row too, e.g. `exists (select 1 from teams where owner = auth.uid())`).
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast, enums

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, replaced, statement_node
from service.core.lint.supabase import AUTH_FUNCTIONS
from service.core.sql import Statement


def _per_row_function(call: tree.Node) -> str | None:
    """`auth.uid` ... or `current_setting` when the call is one of those, else None."""
    parts = tree.names(call.get("funcname"))
    if len(parts) == 2 and parts[0] == "auth" and parts[1] in AUTH_FUNCTIONS:
        return f"auth.{parts[1]}"
    if parts and parts[-1] == "current_setting" and (len(parts) == 1 or parts[0] == "pg_catalog"):
        return "current_setting"
    return None


def _runs_once(sublink: tree.Node) -> bool:
    """`(select <expression>)` with no FROM and no column: PostgreSQL evaluates it once, as an initPlan."""
    if sublink.get("subLinkType") != "EXPR_SUBLINK":
        return False
    select = sublink.get("subselect", {}).get("SelectStmt", {})
    return not select.get("fromClause") and next(tree.find(select, "ColumnRef"), None) is None


def unwrapped_calls(expression: tree.Node | None) -> list[tuple[str, tree.Node]]:
    """(function, FuncCall) for each per-row auth call in `expression` outside a run-once subquery, in order."""
    found = []
    stack: list[object] = [expression]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            for key, value in current.items():
                if isinstance(value, dict):
                    if key == "FuncCall":
                        function = _per_row_function(value)
                        if function:
                            found.append((function, value))
                    elif key == "SubLink" and _runs_once(value):
                        continue  # nothing inside a run-once subquery runs per row
                    stack.append(value)
                elif isinstance(value, list):
                    stack.append(value)
    return sorted(found, key=lambda item: tree.location(item[1]) or 0)


def _wrapped_rewrite(statement: Statement, wanted: set[int]) -> str:
    """The policy with each call at one of the `wanted` byte locations wrapped in `(SELECT ...)`."""

    def wrap(node: ast.FuncCall) -> ast.Node | None:
        if node.location not in wanted:
            return None
        call = ast.FuncCall(funcname=node.funcname, args=node.args, funcformat=node.funcformat)
        select = ast.SelectStmt(targetList=(ast.ResTarget(val=call),),
                                limitOption=enums.LimitOption.LIMIT_OPTION_DEFAULT,
                                op=enums.SetOperation.SETOP_NONE)
        return ast.SubLink(subLinkType=enums.SubLinkType.EXPR_SUBLINK, subselect=select)

    return deparse(replaced(statement_node(statement, ast.Node), ast.FuncCall, wrap))


def _may_call(text: str) -> bool:
    """Whether the statement's text may call auth.<function>() or current_setting(): it spells `auth` other
    than in `authenticated` (the role most policies name), or `current_setting`, or has escapes (which spell
    words without their letters)."""
    text = text.lower()
    if "\\" in text or "u&" in text:
        return True
    return "current_setting" in text or "auth" in text.replace("authenticated", "")


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each auth.uid()/jwt()/role()/email() or current_setting() call in a policy's USING or WITH CHECK
    that is not inside a run-once `(select ...)`."""
    if not _may_call(statement.text):
        return
    node = statement.node
    calls = [*unwrapped_calls(node.get("qual")), *unwrapped_calls(node.get("with_check"))]
    if not calls:
        return
    locations = {location for _, call in calls if (location := tree.location(call)) is not None}
    rewrite = _wrapped_rewrite(statement, locations)
    for function, call in calls:
        shown = f"{function}(...)" if call.get("args") else f"{function}()"
        yield Hit(
            location=tree.location(call),
            message=f"{shown} in policy {node.get('policy_name')} is evaluated for every row: "
            f"(select {shown}) is evaluated once per query",
            rewrite=rewrite,
        )


RULE = Rule(
    code="S503",
    name="auth-rls-initplan",
    severity=Severity.WARNING,
    message="auth.<function>() or current_setting() in a policy is evaluated for every row the query touches",
    help="Wrap the call in a scalar subquery, `(select auth.uid())`, so PostgreSQL evaluates it once per query.",
    check=check,
    kinds=frozenset({"CreatePolicyStmt", "AlterPolicyStmt"}),
    needles=frozenset({"auth", "current_setting"}),
)
