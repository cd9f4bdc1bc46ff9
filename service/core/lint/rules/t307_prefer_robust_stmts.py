"""T307 prefer-robust-stmts: outside a transaction, a file that fails part way can only be rerun if
each statement tolerates the work of the previous attempt (IF [NOT] EXISTS, OR REPLACE).

Only files marked `-- Transaction: none` are concerned, and there only the
statements outside an explicit BEGIN ... COMMIT. A CREATE preceded in the
file by the matching `DROP ... IF EXISTS` is rerunnable as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pglast import ast, enums

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import TRANSACTION_ENDS
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import deparsed
from service.core.sql import Statement, transaction_kind

Key = tuple[str, ...]
IF_NOT_EXISTS = "missing IF NOT EXISTS: if the file fails after this statement, rerunning it fails here"
IF_EXISTS = "missing IF EXISTS: if the file fails after this statement, rerunning it fails here"
OR_REPLACE = "missing OR REPLACE: if the file fails after this statement, rerunning it fails here"
# CREATE statements whose IF NOT EXISTS is the `if_not_exists` attribute, and the object kind they create.
IF_NOT_EXISTS_KINDS = {
    "CreateStmt": "OBJECT_TABLE",
    "CreateTableAsStmt": "OBJECT_TABLE",
    "CreateSeqStmt": "OBJECT_SEQUENCE",
    "CreateSchemaStmt": "OBJECT_SCHEMA",
    "CreateExtensionStmt": "OBJECT_EXTENSION",
}
# The statements (and ALTER TABLE commands) the rule reads.
KINDS = frozenset({
    *IF_NOT_EXISTS_KINDS, "IndexStmt", "ViewStmt", "CreateFunctionStmt", "CreateTrigStmt",
    "CreatePolicyStmt", "DropStmt", "TransactionStmt",
    "AT_AddColumn", "AT_DropColumn", "AT_AddConstraint", "AT_DropConstraint",
})


@dataclass
class _State:
    in_transaction: bool = False  # between an explicit BEGIN and COMMIT of a non-transactional file
    dropped: set[Key] = field(default_factory=set)  # objects dropped with IF EXISTS earlier in the file


def _relation_parts(relation: tree.Node) -> tuple[str, ...]:
    schema = relation.get("schemaname")
    return (schema, relation.get("relname", "")) if schema else (relation.get("relname", ""),)


def _remember_drops(statement: Statement, state: _State) -> None:
    node = statement.node
    if statement.kind == "DropStmt" and node.get("missing_ok"):
        kind = node.get("removeType", "")
        for item in node.get("objects", ()):
            parts = tree.names(item.get("List", {}).get("items"))
            if not parts:
                continue
            if kind in ("OBJECT_POLICY", "OBJECT_TRIGGER"):
                state.dropped.add((kind, tree.dotted_name(parts[:-1]), parts[-1]))
            else:
                state.dropped.add((kind, tree.dotted_name(parts)))
    elif statement.kind == "AlterTableStmt":
        table = tree.qualified_name(node.get("relation"))
        for item in node.get("cmds", ()):
            command = item.get("AlterTableCmd", {})
            if command.get("subtype") == "AT_DropConstraint" and command.get("missing_ok"):
                state.dropped.add(("constraint", table, command.get("name", "")))


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each CREATE, DROP or ALTER TABLE step that fails when a non-transactional file is rerun."""
    if context.transactional:
        return
    state: _State = context.state("T307", _State)
    transaction = transaction_kind(statement)
    if transaction is not None:
        state.in_transaction = transaction == "begin" or (state.in_transaction and transaction not in
                                                          TRANSACTION_ENDS)
        return
    if not state.in_transaction:
        yield from _hits(statement, context, state)
    _remember_drops(statement, state)


def _hits(statement: Statement, context: LintContext, state: _State) -> Iterator[Hit]:
    node, kind = statement.node, statement.kind
    if kind in IF_NOT_EXISTS_KINDS:
        relation = node.get("relation") or node.get("sequence") or node.get("into", {}).get("rel")
        if node.get("if_not_exists") or (relation or {}).get("relpersistence") == "t":
            return
        if relation and (IF_NOT_EXISTS_KINDS[kind], tree.qualified_name(relation)) in state.dropped:
            return
        yield Hit(location=tree.location(relation), message=IF_NOT_EXISTS,
                  rewrite=deparsed(statement, if_not_exists=True))
    elif kind == "IndexStmt":
        yield from _index_hits(statement, state)
    elif kind in ("ViewStmt", "CreateFunctionStmt") and not node.get("replace"):
        if (node.get("view") or {}).get("relpersistence") != "t":
            yield Hit(location=tree.location(node.get("view")), message=OR_REPLACE,
                      rewrite=deparsed(statement, replace=True))
    elif kind in ("CreatePolicyStmt", "CreateTrigStmt"):
        yield from _policy_or_trigger_hits(statement, context, state)
    elif kind == "DropStmt" and not node.get("missing_ok"):
        yield Hit(message=IF_EXISTS, rewrite=deparsed(statement, missing_ok=True))
    elif kind == "AlterTableStmt":
        yield from _alter_table_hits(statement, state)


def _index_hits(statement: Statement, state: _State) -> Iterator[Hit]:
    node = statement.node
    relation = node.get("relation") or {}
    name = node.get("idxname")
    if node.get("if_not_exists"):
        return
    if not name:
        yield Hit(location=tree.location(relation),
                  message="unnamed index without IF NOT EXISTS: a rerun builds a second copy under a new name")
        return
    schema = relation.get("schemaname", "public")
    if ("OBJECT_INDEX", f"{schema}.{name}") in state.dropped:
        return
    rewrite = deparsed(statement, if_not_exists=True)
    if node.get("concurrent"):
        rewrite = (f"-- a failed CONCURRENTLY build leaves an INVALID index that IF NOT EXISTS would keep: "
                   f"drop it (DROP INDEX CONCURRENTLY IF EXISTS) before the rerun\n{rewrite}")
    yield Hit(location=tree.location(relation), message=IF_NOT_EXISTS, rewrite=rewrite)


def _policy_or_trigger_hits(statement: Statement, context: LintContext, state: _State) -> Iterator[Hit]:
    node = statement.node
    if statement.kind == "CreatePolicyStmt":
        relation, name, kind = node.get("table") or {}, node.get("policy_name", ""), "OBJECT_POLICY"
    else:
        relation, name, kind = node.get("relation") or {}, node.get("trigname", ""), "OBJECT_TRIGGER"
        if node.get("replace"):
            return
    if (kind, tree.qualified_name(relation), name) in state.dropped:
        return
    if kind == "OBJECT_TRIGGER" and context.pg_version >= 14 and not node.get("isconstraint"):
        yield Hit(location=tree.location(relation), message=OR_REPLACE, rewrite=deparsed(statement, replace=True))
        return
    drop = ast.DropStmt(
        objects=((*(ast.String(sval=part) for part in _relation_parts(relation)), ast.String(sval=name)),),
        removeType=getattr(enums.ObjectType, kind), behavior=enums.DropBehavior.DROP_RESTRICT, missing_ok=True,
    )
    yield Hit(
        location=tree.location(relation),
        message=f"CREATE {'POLICY' if kind == 'OBJECT_POLICY' else 'TRIGGER'} has no IF NOT EXISTS: "
        "if the file fails after this statement, rerunning it fails here",
        rewrite=f"{deparse(drop)};\n{deparsed(statement)};",
    )


def _alter_table_hits(statement: Statement, state: _State) -> Iterator[Hit]:
    node = statement.node
    relation = node.get("relation") or {}
    table = tree.qualified_name(relation)
    fixes: list[int] = []  # commands that take IF [NOT] EXISTS
    constraints: list[str] = []  # constraints to drop IF EXISTS before the statement
    found: list[tuple[int | None, str]] = []
    for index, item in enumerate(node.get("cmds", ())):
        command = item.get("AlterTableCmd", {})
        subtype = command.get("subtype")
        if subtype == "AT_DropConstraint" and command.get("missing_ok"):
            state.dropped.add(("constraint", table, command.get("name", "")))
        if subtype in ("AT_AddColumn", "AT_DropColumn", "AT_DropConstraint") and not command.get("missing_ok"):
            fixes.append(index)
            column = command.get("def", {}).get("ColumnDef")
            found.append((tree.location(column) or tree.location(relation),
                          IF_NOT_EXISTS if subtype == "AT_AddColumn" else IF_EXISTS))
        elif subtype == "AT_AddConstraint":
            constraint = command.get("def", {}).get("Constraint", {})
            name = constraint.get("conname")
            if name and ("constraint", table, name) in state.dropped:
                continue
            if name:
                constraints.append(name)
            found.append((tree.location(constraint) or tree.location(relation),
                          (f"ADD CONSTRAINT {name or '(unnamed)'} has no IF NOT EXISTS: if the file fails after "
                           "this statement, rerunning it fails here")))
    if not found:
        return
    root = statement_node(statement, ast.AlterTableStmt)
    commands = root.cmds or ()
    for index in fixes:
        commands[index].missing_ok = True
    steps = [deparse(ast.AlterTableStmt(
        relation=root.relation, objtype=root.objtype,
        cmds=tuple(ast.AlterTableCmd(subtype=enums.AlterTableType.AT_DropConstraint, name=name,
                                     behavior=enums.DropBehavior.DROP_RESTRICT, missing_ok=True)
                   for name in constraints),
    ))] if constraints else []
    steps.append(deparse(root))
    rewrite = ";\n".join(steps) + ";" if constraints else steps[0]
    unnamed = len(constraints) < sum(1 for _, message in found if message.startswith("ADD CONSTRAINT"))
    for location, message in found:
        yield Hit(location=location, message=message, rewrite=None if unnamed else rewrite)


RULE = Rule(
    code="T307",
    name="prefer-robust-stmts",
    severity=Severity.INFO,
    message="outside a transaction, a statement without IF [NOT] EXISTS makes the file fail when it is "
    "rerun after a partial failure",
    help="Use IF NOT EXISTS / IF EXISTS / OR REPLACE, or drop the object IF EXISTS just before creating it "
    "(constraints, policies); name every index.",
    check=check,
    kinds=KINDS,
)
