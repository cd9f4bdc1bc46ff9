"""S507 function-search-path-mutable: a function without its own search_path resolves names through the
caller's, so a caller can substitute their own tables or operators (splinter 0011).

A later `ALTER FUNCTION ... SET search_path` in the file counts. This module
also holds the function signatures S508 shares.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pglast import ast, enums
from pglast.stream import RawStream

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rules.t301_prefer_bigint import reparse
from service.core.sql import Statement

INPUT_MODES = frozenset({"FUNC_PARAM_DEFAULT", "FUNC_PARAM_IN", "FUNC_PARAM_INOUT", "FUNC_PARAM_VARIADIC"})
KINDS = frozenset({"CreateFunctionStmt", "AlterFunctionStmt"})

ArgumentTypes = tuple[tuple[str, bool], ...]  # (type name, is array) of each input argument


def function_name(parts: list[str]) -> str:
    """`schema.name` of a function; unqualified names are taken to be in public."""
    return ".".join(parts[-2:]) if len(parts) > 1 else f"public.{parts[0] if parts else ''}"


def _type_key(type_node: tree.Node) -> tuple[str, bool]:
    return tree.type_name(type_node), tree.is_array_type(type_node)


def created_signature(node: tree.Node) -> tuple[str, ArgumentTypes]:
    """(name, input argument types) of a CREATE FUNCTION / PROCEDURE."""
    arguments = []
    for item in node.get("parameters", ()):
        parameter = item.get("FunctionParameter", {})
        if parameter.get("mode", "FUNC_PARAM_DEFAULT") in INPUT_MODES:
            arguments.append(_type_key(parameter.get("argType", {})))
    return function_name(tree.names(node.get("funcname"))), tuple(arguments)


def names_function(reference: tree.Node, name: str, arguments: ArgumentTypes) -> bool:
    """Whether an ObjectWithArgs (`f`, `f(int)`, `public.f(integer)`) designates the function."""
    if function_name(tree.names(reference.get("objname"))) != name:
        return False
    if reference.get("args_unspecified"):
        return True
    return tuple(_type_key(item.get("TypeName", {})) for item in reference.get("objargs", ())) == arguments


def sets_search_path(options: list[tree.Node] | None) -> bool | None:
    """True for `SET search_path ...`, False for `RESET search_path` / `RESET ALL`, None when not mentioned."""
    value = None
    for item in options or ():
        option = item.get("DefElem", {})
        if option.get("defname") != "set":
            continue
        setting = option.get("arg", {}).get("VariableSetStmt", {})
        if setting.get("kind") == "VAR_RESET_ALL" or (setting.get("name") == "search_path"
                                                      and setting.get("kind") == "VAR_RESET"):
            value = False
        elif setting.get("name") == "search_path":
            value = True
    return value


@dataclass
class _Function:
    statement: Statement
    name: str
    arguments: ArgumentTypes
    search_path: bool


@dataclass
class _State:
    functions: list[_Function] = field(default_factory=list)


def _with_search_path(statement_text: str) -> str:
    root = reparse(statement_text, ast.CreateFunctionStmt)
    setting = ast.VariableSetStmt(kind=enums.VariableSetKind.VAR_SET_VALUE, name="search_path",
                                  args=(ast.A_Const(val=ast.String(sval="")),))
    root.options = (*(root.options or ()), ast.DefElem(defname="set", arg=setting))
    return ("-- with an empty search_path, qualify every table, type and function in the body (public.t)\n"
            f"{str(RawStream()(root)).strip()}")


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember created functions and search_path changes for `finish`."""
    if statement.kind not in KINDS:
        return iter(())
    state: _State = context.rule_state.setdefault("S507", _State())
    node = statement.node
    if statement.kind == "CreateFunctionStmt":
        name, arguments = created_signature(node)
        state.functions = [f for f in state.functions if (f.name, f.arguments) != (name, arguments)]
        state.functions.append(_Function(statement, name, arguments, bool(sets_search_path(node.get("options")))))
    else:
        value = sets_search_path(node.get("actions"))
        if value is not None:
            for function in state.functions:
                if names_function(node.get("func", {}), function.name, function.arguments):
                    function.search_path = value
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each function the file creates and leaves without its own search_path."""
    state: _State | None = context.rule_state.get("S507")
    for function in state.functions if state else ():
        if not function.search_path:
            yield function.statement, Hit(
                location=None,
                message=f"function {function.name} has no search_path of its own: names in its body resolve "
                "through the caller's search_path, which the caller controls",
                rewrite=_with_search_path(function.statement.text),
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
)
