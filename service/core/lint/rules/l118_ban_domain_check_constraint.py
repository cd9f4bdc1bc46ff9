"""L118 ban-domain-check-constraint: a CHECK on a domain is re-checked against every column that uses it.

Adding or validating a domain CHECK scans every table with a column of the
domain, locking each; changing the rule later means doing it all again, and
a domain constraint cannot be changed one table at a time. Column (table)
constraints can: NOT VALID, then VALIDATE, per table. Flags CREATE DOMAIN
with a CHECK and ALTER DOMAIN ... ADD CHECK (with or without NOT VALID: the
VALIDATE that follows does the scan).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pglast import ast
from pglast.enums import ConstrType

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import take_constraints
from service.core.sql import Statement

_ADVICE = ("-- a CHECK on each column of this type instead, table by table (NOT VALID, then VALIDATE in a later "
           "migration), with VALUE replaced by the column:")


def _column_check(expression: ast.Node) -> str:
    return f"-- ALTER TABLE <table> ADD CONSTRAINT <name> CHECK ({deparse(expression)}) NOT VALID;"


def _create_rewrite(statement: Statement) -> str:
    """The domain without its CHECKs, and the checks as column constraints."""
    node: Any = statement_node(statement, ast.CreateDomainStmt)  # pglast types every part Optional
    checks: list[Any] = take_constraints(node, ConstrType.CONSTR_CHECK)
    return "\n".join([f"{deparse(node)};", _ADVICE, *(_column_check(c.raw_expr) for c in checks)])


def _alter_rewrite(statement: Statement) -> str:
    node: Any = statement_node(statement, ast.AlterDomainStmt)  # pglast types every part Optional
    return "\n".join([_ADVICE, _column_check(node.def_.raw_expr)])


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each CHECK of a CREATE DOMAIN, and an ALTER DOMAIN ... ADD CHECK."""
    node = statement.node
    if statement.kind == "CreateDomainStmt":
        domain = ".".join(tree.names(node.get("domainname")))
        checks: list[Mapping[str, Any]] = [item["Constraint"] for item in node.get("constraints") or ()
                                           if item.get("Constraint", {}).get("contype") == "CONSTR_CHECK"]
        rewrite = _create_rewrite(statement) if checks else None
    elif statement.kind == "AlterDomainStmt" and node.get("subtype") == "C":
        domain = ".".join(tree.names(node.get("typeName")))
        constraint = node.get("def", {}).get("Constraint", {})
        checks = [constraint] if constraint.get("contype") == "CONSTR_CHECK" else []
        rewrite = _alter_rewrite(statement) if checks else None
    else:
        return
    for constraint in checks:
        yield Hit(
            location=tree.location(constraint),
            message=f"a CHECK on domain {domain} is re-checked against every column of that type, in every table, "
            "whenever it is added, validated or changed: one slow, locking scan per table, all at once",
            rewrite=rewrite,
        )


RULE = Rule(
    code="L118",
    name="ban-domain-check-constraint",
    severity=Severity.WARNING,
    message="a CHECK on a domain is re-checked against every column of that type, in every table, at once",
    help="Keep the domain free of CHECKs and put the CHECK on each column instead (NOT VALID, then VALIDATE), "
    "so each table can be changed on its own.",
    check=check,
    kinds=frozenset({"CreateDomainStmt", "AlterDomainStmt"}),
)
