"""What Supabase's Data API exposes, and what a file does about it: row level security of the tables it
creates, security_invoker of its views, the signatures of its functions. Shared by the S5xx rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast, enums

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.nodes import deparse
from service.core.sql import Statement

EXPOSED_SCHEMAS = frozenset({"public"})  # the schemas the Data API serves
API_ROLES = ("anon", "authenticated")  # the roles API requests run as
AUTH_FUNCTIONS = frozenset({"uid", "jwt", "role", "email"})  # auth.*(): STABLE, read from the request's JWT
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "on", "1"})


def is_exposed(name: str) -> bool:
    """Whether `schema.name` lives in a schema the Data API serves."""
    return name.split(".", 1)[0] in EXPOSED_SCHEMAS


# ---- row level security ----

# The statements (and ALTER TABLE commands) `follow_row_security` learns from.
ROW_SECURITY_KINDS = frozenset({"CreateStmt", "CreateTableAsStmt", "AT_EnableRowSecurity", "AT_DisableRowSecurity",
                                "DropStmt", "RenameStmt"})


@dataclass
class RowSecurity:
    """What a file does about row level security: tables it creates, and the last RLS switch of each table."""

    created: dict[str, tuple[Statement, tree.Node]] = field(default_factory=dict)
    enabled: dict[str, bool] = field(default_factory=dict)


def follow_row_security(statement: Statement, state: RowSecurity, *, exposed_only: bool) -> None:
    """Record the tables `statement` creates or drops and the RLS switches it makes."""
    node = statement.node
    if statement.kind in ("CreateStmt", "CreateTableAsStmt"):
        relation = node.get("relation") or node.get("into", {}).get("rel") or {}
        if statement.kind == "CreateTableAsStmt" and node.get("objtype") != "OBJECT_TABLE":
            return  # materialized views have no row level security (S513)
        if relation.get("relpersistence") == "t":
            return
        name = tree.qualified_name(relation)
        if not exposed_only or is_exposed(name):
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
            state.created.pop(tree.dotted_name(tree.names(item.get("List", {}).get("items"))), None)


_ROW_SECURITY_KEY = "row security"  # rule_state: the _FileRowSecurity of the file


@dataclass
class _FileRowSecurity:
    tables: RowSecurity = field(default_factory=RowSecurity)  # every table, exposed or not
    last: Statement | None = None  # the last statement followed


def file_row_security(statement: Statement, context: LintContext) -> RowSecurity:
    """`follow_row_security` of the file's statements up to `statement` (every table, exposed or not), kept in
    the context: S501 and S502 see the same statements, and the first of them to ask follows each one once."""
    shared: _FileRowSecurity = context.state(_ROW_SECURITY_KEY, _FileRowSecurity)
    if shared.last is not statement:
        follow_row_security(statement, shared.tables, exposed_only=False)
        shared.last = statement
    return shared.tables


def row_security_so_far(context: LintContext) -> RowSecurity | None:
    """What `file_row_security` followed, or None when no statement was shown to it."""
    shared: _FileRowSecurity | None = context.rule_state.get(_ROW_SECURITY_KEY)
    return shared.tables if shared is not None else None


def enable_row_security(relation: tree.Node) -> str:
    """`ALTER TABLE <relation> ENABLE ROW LEVEL SECURITY`, the relation named as the file names it."""
    statement = ast.AlterTableStmt(
        relation=ast.RangeVar(schemaname=relation.get("schemaname"), relname=relation.get("relname"), inh=True,
                              relpersistence="p"),
        cmds=(ast.AlterTableCmd(subtype=enums.AlterTableType.AT_EnableRowSecurity,
                                behavior=enums.DropBehavior.DROP_RESTRICT),),
        objtype=enums.ObjectType.OBJECT_TABLE,
    )
    return f"{deparse(statement)};"


# ---- views: security_invoker ----

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
    found = tree.options_named(options, "security_invoker")
    return is_true(found[-1]) if found else None


# ---- functions: signatures ----

INPUT_MODES = frozenset({"FUNC_PARAM_DEFAULT", "FUNC_PARAM_IN", "FUNC_PARAM_INOUT", "FUNC_PARAM_VARIADIC"})

ArgumentTypes = tuple[tuple[str, bool], ...]  # (type name, is array) of each input argument


def _type_key(type_node: tree.Node) -> tuple[str, bool]:
    return tree.type_name(type_node), tree.is_array_type(type_node)


def created_signature(node: tree.Node) -> tuple[str, ArgumentTypes]:
    """(name, input argument types) of a CREATE FUNCTION / PROCEDURE."""
    arguments = []
    for item in node.get("parameters", ()):
        parameter = item.get("FunctionParameter", {})
        if parameter.get("mode", "FUNC_PARAM_DEFAULT") in INPUT_MODES:
            arguments.append(_type_key(parameter.get("argType", {})))
    return tree.dotted_name(tree.names(node.get("funcname"))), tuple(arguments)


_SIGNATURE_KEY = "created signature"  # rule_state: (statement, its signature) of the last statement asked about


def statement_signature(statement: Statement, context: LintContext) -> tuple[str, ArgumentTypes]:
    """`created_signature` of a CREATE FUNCTION / PROCEDURE statement. Several rules ask in turn about the same
    statement (S507, S508): the last answer is kept."""
    last = context.rule_state.get(_SIGNATURE_KEY)
    if last is None or last[0] is not statement:
        last = context.rule_state[_SIGNATURE_KEY] = (statement, created_signature(statement.node))
    found: tuple[str, ArgumentTypes] = last[1]
    return found


def names_function(reference: tree.Node, name: str, arguments: ArgumentTypes) -> bool:
    """Whether an ObjectWithArgs (`f`, `f(int)`, `public.f(integer)`) designates the function."""
    if tree.dotted_name(tree.names(reference.get("objname"))) != name:
        return False
    if reference.get("args_unspecified"):
        return True
    return tuple(_type_key(item.get("TypeName", {})) for item in reference.get("objargs", ())) == arguments


@dataclass
class CreatedFunction:
    """A function (or procedure) a file creates: its CREATE statement, name and input argument types. Rules
    that follow what the rest of the file does to it add their own fields."""

    statement: Statement
    name: str
    arguments: ArgumentTypes

    def has_signature(self, name: str, arguments: ArgumentTypes) -> bool:
        """Whether this is the function `name(arguments)` (a CREATE OR REPLACE of it replaces it)."""
        return (self.name, self.arguments) == (name, arguments)

    def is_named_by(self, reference: tree.Node) -> bool:
        """Whether an ObjectWithArgs (of ALTER FUNCTION, GRANT...) designates this function."""
        return names_function(reference, self.name, self.arguments)
