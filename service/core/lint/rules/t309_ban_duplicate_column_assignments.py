"""T309 ban-duplicate-column-assignments: the same column set twice in one statement fails at run time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

DML = frozenset({"UpdateStmt", "InsertStmt", "MergeStmt", "SelectStmt", "DeleteStmt"})
DEFINITIONS = frozenset({"CreateStmt", "CreateForeignTableStmt", "ViewStmt", "CreateTableAsStmt"})

Named = tuple[str, bool, int | None]  # column name, partial (a.x = ..., a[1] = ...), location


def _targets(items: Iterable[tree.Node]) -> list[Named]:
    targets = []
    for item in items or ():
        target = item.get("ResTarget", {})
        if target.get("name"):
            targets.append((target["name"], bool(target.get("indirection")), tree.location(target)))
    return targets


def _assignments(kind: str, node: tree.Node) -> Iterator[list[Named]]:
    """Each list of columns one DML node assigns together."""
    if kind == "UpdateStmt":
        yield _targets(node.get("targetList", ()))
    elif kind == "InsertStmt":
        yield _targets(node.get("cols", ()))
        yield _targets(node.get("onConflictClause", {}).get("targetList", ()))
    elif kind == "MergeStmt":
        for clause in node.get("mergeWhenClauses", ()):
            yield _targets(clause.get("MergeWhenClause", {}).get("targetList", ()))


def _output_name(target: tree.Node) -> str | None:
    if target.get("name"):
        return str(target["name"])
    fields = target.get("val", {}).get("ColumnRef", {}).get("fields", ())
    return fields[-1]["String"]["sval"] if fields and "String" in fields[-1] else None


def _definitions(statement: Statement) -> list[Named]:
    """The columns a CREATE TABLE / FOREIGN TABLE / VIEW / TABLE AS defines."""
    node = statement.node
    if statement.kind in ("CreateStmt", "CreateForeignTableStmt"):
        elements = (node.get("base") or node).get("tableElts", ())
        columns = [element["ColumnDef"] for element in elements if "ColumnDef" in element]
        return [(column.get("colname", ""), False, tree.location(column)) for column in columns]
    aliases = tree.names(node.get("aliases") or node.get("into", {}).get("colNames"))
    if aliases:
        return [(alias, False, None) for alias in aliases]
    query = node.get("query", {}).get("SelectStmt", {})
    named = []
    for item in query.get("targetList", ()):
        target = item.get("ResTarget", {})
        name = _output_name(target)
        if name:
            named.append((name, False, tree.location(target)))
    return named


def _duplicates(columns: list[Named], verb: str) -> Iterator[Hit]:
    if len({column[0] for column in columns}) == len(columns):  # the usual case: every name once
        return
    seen: dict[str, list[Named]] = {}
    for column in columns:
        seen.setdefault(column[0], []).append(column)
    for name, uses in seen.items():
        if len(uses) < 2 or all(partial for _, partial, _ in uses):
            continue
        for _, _, location in uses[1:]:
            yield Hit(location=location, message=f"column {name} is {verb} more than once in this statement: "
                      "PostgreSQL rejects it")


def _dml_nodes(kind: str, node: tree.Node) -> Iterator[tuple[str, tree.Node]]:
    """The statement's own DML node and those of its WITH queries (data-modifying CTEs), nested ones included."""
    yield kind, node
    for query in node.get("withClause", {}).get("ctes", ()):
        inner = query.get("CommonTableExpr", {}).get("ctequery", {})
        for inner_kind, inner_node in inner.items():
            yield from _dml_nodes(inner_kind, inner_node)


def check(statement: Statement, _context: LintContext) -> Iterator[Hit]:
    """Columns assigned twice (UPDATE SET, INSERT columns, ON CONFLICT, MERGE) or defined twice (tables, views)."""
    if statement.kind in DEFINITIONS:
        yield from _duplicates(_definitions(statement), "defined")
        return
    for kind, node in _dml_nodes(statement.kind, statement.node):
        for columns in _assignments(kind, node):
            yield from _duplicates(columns, "assigned")


RULE = Rule(
    code="T309",
    name="ban-duplicate-column-assignments",
    severity=Severity.ERROR,
    message="the same column is assigned or defined twice in one statement: PostgreSQL rejects it",
    help="Keep one assignment (or definition) per column.",
    check=check,
    kinds=DML | DEFINITIONS,
)
