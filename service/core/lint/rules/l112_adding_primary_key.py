"""L112 adding-primary-key: ADD PRIMARY KEY builds its index under ACCESS EXCLUSIVE, plus a NOT NULL scan.

Like ADD UNIQUE, the index build blocks reads and writes; the key columns
are also made NOT NULL, which scans the table unless they already are.
`ADD COLUMN ... PRIMARY KEY` (e.g. `id bigserial PRIMARY KEY`) does the same.
Build a unique index CONCURRENTLY, make the columns NOT NULL the safe way,
then `ADD CONSTRAINT ... PRIMARY KEY USING INDEX`. Tables created in this
run are exempt.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import commands_on_existing_table, index_constraints
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import index_backed_rewrite
from service.core.sql import Statement


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each PRIMARY KEY added to an existing table with an index built on the spot."""
    relation = statement.node.get("relation") or {}
    table = tree.qualified_name(relation)
    for command in commands_on_existing_table(statement, context):
        for constraint, column in index_constraints(command, "CONSTR_PRIMARY"):
            yield Hit(
                location=tree.location(constraint),
                message=f"ADD PRIMARY KEY builds its index on {table} under an ACCESS EXCLUSIVE lock, and scans "
                "the table to make the key columns NOT NULL: reads and writes wait for both",
                rewrite=index_backed_rewrite(statement, relation, constraint, column),
            )


RULE = Rule(
    code="L112",
    name="adding-primary-key",
    severity=Severity.ERROR,
    message="ADD PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock and scans for NULLs: "
    "reads and writes wait",
    help="CREATE UNIQUE INDEX CONCURRENTLY in a migration marked `-- Transaction: none`, make the key columns "
    "NOT NULL without a long lock (see L107), then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.",
    check=check,
    kinds=frozenset({"AT_AddConstraint", "AT_AddColumn"}),
    needles=frozenset({"primary"}),
)
