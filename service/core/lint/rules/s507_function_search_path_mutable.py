"""S507 function-search-path-mutable: a function without its own search_path resolves names through the
caller's, so a caller can substitute their own tables or operators (splinter 0011).

A later `ALTER FUNCTION ... SET search_path` in the file counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pglast import ast, enums

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.supabase import (
    ArgumentTypes,
    CreatedFunction,
    statement_signature,
)
from service.core.sql import Statement


def sets_search_path(options: list[tree.Node] | None) -> bool | None:
    """True for `SET search_path ...`, False for `RESET search_path` / `RESET ALL`, None when not mentioned."""
    value = None
    for item in options or ():
        option = item.get("DefElem")
        if option is None or option.get("defname") != "set":
            continue
        setting = option.get("arg", {}).get("VariableSetStmt", {})
        if setting.get("kind") == "VAR_RESET_ALL" or (setting.get("name") == "search_path"
                                                      and setting.get("kind") == "VAR_RESET"):
            value = False
        elif setting.get("name") == "search_path":
            value = True
    return value


@dataclass
class _Function(CreatedFunction):
    search_path: bool


@dataclass
class _State:
    # (name, input argument types) -> the function: a CREATE OR REPLACE of it moves it to the end
    functions: dict[tuple[str, ArgumentTypes], _Function] = field(default_factory=dict)


def _with_search_path(statement: Statement) -> str:
    root = statement_node(statement, ast.CreateFunctionStmt)
    setting = ast.VariableSetStmt(kind=enums.VariableSetKind.VAR_SET_VALUE, name="search_path",
                                  args=(ast.A_Const(val=ast.String(sval="")),))
    root.options = (*(root.options or ()), ast.DefElem(defname="set", arg=setting))
    return ("-- with an empty search_path, qualify every table, type and function in the body (public.t)\n"
            f"{deparse(root)}")


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember created functions and search_path changes for `finish`."""
    state: _State = context.state("S507", _State)
    node = statement.node
    if statement.kind == "CreateFunctionStmt":
        signature = statement_signature(statement, context)
        state.functions.pop(signature, None)
        state.functions[signature] = _Function(statement, *signature, bool(sets_search_path(node.get("options"))))
    else:
        value = sets_search_path(node.get("actions"))
        if value is not None:
            for function in state.functions.values():
                if function.is_named_by(node.get("func", {})):
                    function.search_path = value
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each function the file creates and leaves without its own search_path."""
    state: _State | None = context.rule_state.get("S507")
    for function in state.functions.values() if state else ():
        if not function.search_path:
            yield function.statement, Hit(
                location=None,
                message=f"function {function.name} has no search_path of its own: names in its body resolve "
                "through the caller's search_path, which the caller controls",
                rewrite=_with_search_path(function.statement),
            )


RULE = Rule(
    code="S507",
    name="function-search-path-mutable",
    severity=Severity.WARNING,
    message="function without SET search_path: names in its body resolve through the caller's search_path",
    help="Add SET search_path = '' and qualify the names in the body (public.t), or ALTER FUNCTION ... "
    "SET search_path = '' later in the migration.",
    check=check,
    finish=finish,
    kinds=frozenset({"CreateFunctionStmt", "AlterFunctionStmt"}),
)
