"""S508 security-definer-function-executable: a SECURITY DEFINER function in the exposed schema can be
called through the API (/rpc) by anon and authenticated, with its owner's rights (splinter 0028, 0029).

Supabase's default privileges grant EXECUTE on new functions in public to
anon and authenticated by name, so `REVOKE ... FROM PUBLIC` alone leaves them
callable: each of the two roles must lose EXECUTE (REVOKE EXECUTE or ALL, on
the function or on ALL FUNCTIONS IN SCHEMA) later in the file.
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
    API_ROLES,
    CreatedFunction,
    is_exposed,
    statement_signature,
)
from service.core.sql import Statement

FUNCTION_OBJECTS = frozenset({"OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE"})


@dataclass
class _Function(CreatedFunction):
    definer: bool
    callers: set[str] = field(default_factory=lambda: set(API_ROLES))


def _security_definer(options: list[tree.Node] | None) -> bool | None:
    found = tree.options_named(options, "security")
    return bool(found[-1].get("arg", {}).get("Boolean", {}).get("boolval")) if found else None


def _returns_trigger(node: tree.Node) -> bool:
    """Trigger functions cannot be called directly, through the API or otherwise."""
    return tree.type_name(node.get("returnType")) in ("trigger", "event_trigger")


def _grant(node: tree.Node, functions: list[_Function]) -> None:
    """Apply a GRANT / REVOKE of EXECUTE (or ALL) to the API roles on the functions it names."""
    privileges = [item.get("AccessPriv", {}).get("priv_name") for item in node.get("privileges", ())]
    if privileges and "execute" not in privileges:
        return
    if node.get("objtype") not in FUNCTION_OBJECTS:
        return
    roles = {item.get("RoleSpec", {}).get("rolename") for item in node.get("grantees", ())} & set(API_ROLES)
    if node.get("targtype") == "ACL_TARGET_ALL_IN_SCHEMA":
        schemas = set(tree.names(node.get("objects")))
        targets = [f for f in functions if f.name.split(".", 1)[0] in schemas]
    else:
        references = [item.get("ObjectWithArgs", {}) for item in node.get("objects", ())]
        targets = [f for f in functions if any(f.is_named_by(r) for r in references)]
    for function in targets:
        if node.get("is_grant"):
            function.callers |= roles
        else:
            function.callers -= roles


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember exposed functions, their SECURITY and EXECUTE grants for `finish`."""
    functions: list[_Function] = context.rule_state.setdefault("S508", [])
    node = statement.node
    if statement.kind == "CreateFunctionStmt":
        name, arguments = statement_signature(statement, context)
        if not is_exposed(name) or _returns_trigger(node):
            return iter(())
        definer = bool(_security_definer(node.get("options")))
        existing = next((f for f in functions if f.has_signature(name, arguments)), None)
        if existing:  # CREATE OR REPLACE keeps the grants
            existing.statement, existing.definer = statement, definer
        else:
            functions.append(_Function(statement, name, arguments, definer))
    elif statement.kind == "AlterFunctionStmt":
        change = _security_definer(node.get("actions"))
        for function in functions:
            if change is not None and function.is_named_by(node.get("func", {})):
                function.definer = change
    else:
        _grant(node, functions)
    return iter(())


def _revoke(statement: Statement) -> str:
    root = statement_node(statement, ast.CreateFunctionStmt)
    closed = (enums.FunctionParameterMode.FUNC_PARAM_OUT, enums.FunctionParameterMode.FUNC_PARAM_TABLE)
    arguments = tuple(parameter.argType for parameter in root.parameters or () if parameter.mode not in closed)
    revoke = ast.GrantStmt(
        is_grant=False, targtype=enums.GrantTargetType.ACL_TARGET_OBJECT,
        objtype=enums.ObjectType.OBJECT_PROCEDURE if root.is_procedure else enums.ObjectType.OBJECT_FUNCTION,
        objects=(ast.ObjectWithArgs(objname=root.funcname, objargs=arguments),),
        privileges=(ast.AccessPriv(priv_name="execute"),),
        grantees=(ast.RoleSpec(roletype=enums.RoleSpecType.ROLESPEC_PUBLIC),
                  *(ast.RoleSpec(roletype=enums.RoleSpecType.ROLESPEC_CSTRING, rolename=role) for role in API_ROLES)),
        behavior=enums.DropBehavior.DROP_RESTRICT,
    )
    return f"{deparse(revoke)};"


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each exposed SECURITY DEFINER function anon or authenticated can still execute at the end of the file."""
    for function in context.rule_state.get("S508", ()):
        if function.definer and function.callers:
            callers = " and ".join(role for role in API_ROLES if role in function.callers)
            yield function.statement, Hit(
                message=f"SECURITY DEFINER function {function.name} can be called through the API by {callers}, "
                "and runs with its owner's rights",
                rewrite=_revoke(function.statement),
            )


RULE = Rule(
    code="S508",
    name="security-definer-function-executable",
    severity=Severity.WARNING,
    message="SECURITY DEFINER function in an exposed schema that anon or authenticated can call through the API",
    help="REVOKE EXECUTE ON FUNCTION ... FROM PUBLIC, anon, authenticated (grant it back to the roles that "
    "need it), make it SECURITY INVOKER, or move it to a schema the API does not expose.",
    check=check,
    finish=finish,
    kinds=frozenset({"CreateFunctionStmt", "AlterFunctionStmt", "GrantStmt"}),
    # SECURITY DEFINER; the usual spellings are found without lower-casing the file
    screen=lambda source: "SECURITY" in source or "security" in source or "security" in source.lower(),
)
