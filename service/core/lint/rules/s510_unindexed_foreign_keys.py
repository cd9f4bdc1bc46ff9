"""S510 unindexed-foreign-keys: without an index on the referencing columns, every delete or key update
of the referenced row scans the whole referencing table (splinter 0001).

Judged for tables the file creates, against the indexes the file gives them
(CREATE INDEX, PRIMARY KEY, UNIQUE): the foreign key's columns must be the
leading columns of one. A partial index counts when its predicate only
requires those columns to be NOT NULL, since that is all a foreign key
lookup asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pglast import ast, enums

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse
from service.core.sql import Statement

MAX_IDENTIFIER_BYTES = 63


@dataclass(frozen=True)
class _ForeignKey:
    statement: Statement
    table: str
    relation: tree.Node
    columns: tuple[str, ...]
    location: int | None


@dataclass
class _State:
    foreign_keys: list[_ForeignKey] = field(default_factory=list)
    # table -> (key columns, None for an expression; predicate of a partial index)
    indexes: dict[str, list[tuple[tuple[str | None, ...], tree.Node | None]]] = field(default_factory=dict)


def _elements(statement: Statement, relation: tree.Node, table: str, elements: list[tree.Node],
              state: _State) -> None:
    """Record the foreign keys and the PRIMARY KEY / UNIQUE indexes among table elements or added constraints."""
    for element in elements:
        if "ColumnDef" in element:
            column = element["ColumnDef"]
            for item in column.get("constraints", ()):
                _constraint(statement, relation, table, item.get("Constraint", {}), (column.get("colname", ""),),
                            state)
        elif "Constraint" in element:
            _constraint(statement, relation, table, element["Constraint"], None, state)


def _constraint(statement: Statement, relation: tree.Node, table: str, constraint: tree.Node,
                column: tuple[str, ...] | None, state: _State) -> None:
    kind = constraint.get("contype")
    if kind == "CONSTR_FOREIGN":
        columns = column or tuple(tree.names(constraint.get("fk_attrs")))
        state.foreign_keys.append(_ForeignKey(statement, table, relation, columns, tree.location(constraint)))
    elif kind in ("CONSTR_PRIMARY", "CONSTR_UNIQUE") and not constraint.get("indexname"):
        columns = column or tuple(tree.names(constraint.get("keys")))
        state.indexes.setdefault(table, []).append((tuple(columns), None))


def _only_not_null(predicate: tree.Node | None, columns: set[str]) -> bool:
    """Whether a partial index's WHERE only requires (some of) `columns` to be NOT NULL."""
    if predicate is None:
        return True
    if "BoolExpr" in predicate and predicate["BoolExpr"].get("boolop") == "AND_EXPR":
        return all(_only_not_null(argument, columns) for argument in predicate["BoolExpr"].get("args", ()))
    test = predicate.get("NullTest", {})
    fields = tree.names(test.get("arg", {}).get("ColumnRef", {}).get("fields"))
    return test.get("nulltesttype") == "IS_NOT_NULL" and bool(fields) and fields[-1] in columns


def _index(node: tree.Node, state: _State) -> None:
    method = node.get("accessMethod", "btree")
    columns = tuple(item.get("IndexElem", {}).get("name") for item in node.get("indexParams", ()))
    if method == "btree" or (method == "hash" and len(columns) == 1):
        table = tree.qualified_name(node.get("relation"))
        state.indexes.setdefault(table, []).append((columns, node.get("whereClause")))


def _covered(foreign_key: _ForeignKey, state: _State) -> bool:
    wanted = set(foreign_key.columns)
    for columns, predicate in state.indexes.get(foreign_key.table, ()):
        leading = columns[: len(wanted)]
        if len(leading) == len(wanted) and set(leading) == wanted and _only_not_null(predicate, wanted):
            return True
    return False


def _create_index(foreign_key: _ForeignKey) -> str:
    relation = foreign_key.relation
    name = "_".join((str(relation.get("relname", "")), *foreign_key.columns, "idx"))
    name = name.encode("utf-8")[:MAX_IDENTIFIER_BYTES].decode("utf-8", errors="ignore")
    statement = ast.IndexStmt(
        idxname=name,
        relation=ast.RangeVar(schemaname=relation.get("schemaname"), relname=relation.get("relname"), inh=True,
                              relpersistence="p"),
        accessMethod="btree",
        indexParams=tuple(ast.IndexElem(name=column, ordering=enums.SortByDir.SORTBY_DEFAULT,
                                        nulls_ordering=enums.SortByNulls.SORTBY_NULLS_DEFAULT)
                          for column in foreign_key.columns),
    )
    return f"{deparse(statement)};"


def may_add_foreign_key(source: str) -> bool:
    """Whether the file spells the keyword REFERENCES, which every foreign key does (a keyword has no escaped
    spelling): without one the file's indexes cover nothing this rule reports."""
    return "REFERENCES" in source or "references" in source or "references" in source.lower()


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember foreign keys and indexes of tables the file creates, for `finish`."""
    state: _State = context.state("S510", _State)
    node = statement.node
    if statement.kind == "CreateStmt":
        relation = node.get("relation") or {}
        _elements(statement, relation, tree.qualified_name(relation), node.get("tableElts", ()), state)
    elif statement.kind == "AlterTableStmt":
        relation = node.get("relation") or {}
        table = tree.qualified_name(relation)
        if table in context.created_in_file:
            for item in node.get("cmds", ()):
                command = item.get("AlterTableCmd", {})
                if command.get("subtype") in ("AT_AddConstraint", "AT_AddColumn"):
                    _elements(statement, relation, table, [command.get("def", {})], state)
    else:
        _index(node, state)
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each foreign key of a table the file creates that no index of the file leads with."""
    state: _State | None = context.rule_state.get("S510")
    if state is None:
        return
    for foreign_key in state.foreign_keys:
        if not _covered(foreign_key, state):
            columns = ", ".join(foreign_key.columns)
            yield foreign_key.statement, Hit(
                location=foreign_key.location,
                message=f"foreign key ({columns}) of {foreign_key.table} has no index: deleting or re-keying a "
                "referenced row scans the whole table",
                rewrite=f"-- {foreign_key.table} is new, so a plain CREATE INDEX in this migration blocks nobody\n"
                f"{_create_index(foreign_key)}",
            )


RULE = Rule(
    code="S510",
    name="unindexed-foreign-keys",
    severity=Severity.INFO,
    message="foreign key without an index on its columns: deleting or re-keying a referenced row scans the "
    "referencing table",
    help="Index the foreign key's columns (they must lead the index); on an existing table, "
    "CREATE INDEX CONCURRENTLY in a migration marked `-- Transaction: none`.",
    check=check,
    finish=finish,
    kinds=frozenset({"CreateStmt", "AT_AddConstraint", "AT_AddColumn", "IndexStmt"}),
    # foreign keys, and the indexes that may cover them
    needles=frozenset({"references", "primary", "unique", "index"}),
    screen=may_add_foreign_key,
)
