"""L111 disallowed-unique-constraint: ADD UNIQUE builds its index under an ACCESS EXCLUSIVE lock.

The whole index build blocks reads and writes, and fails (after all that
work) if the data has duplicates. Build a unique index CONCURRENTLY instead,
then attach it with `ADD CONSTRAINT ... UNIQUE USING INDEX`, which is
instant. `ADD COLUMN ... UNIQUE` builds the same index. Tables created in
this run are exempt.
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
    """Each UNIQUE constraint added to an existing table with an index built on the spot."""
    relation = statement.node.get("relation") or {}
    table = tree.qualified_name(relation)
    for command in commands_on_existing_table(statement, context):
        for constraint, column in index_constraints(command, "CONSTR_UNIQUE"):
            yield Hit(
                location=tree.location(constraint),
                message=f"ADD UNIQUE builds its index on {table} under an ACCESS EXCLUSIVE lock: reads and writes "
                "wait for the whole build, which fails at the end if there are duplicates",
                rewrite=index_backed_rewrite(statement, relation, constraint, column),
            )


RULE = Rule(
    code="L111",
    name="disallowed-unique-constraint",
    severity=Severity.ERROR,
    message="ADD UNIQUE builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole build",
    help="CREATE UNIQUE INDEX CONCURRENTLY in a migration marked `-- Transaction: none`, then "
    "ADD CONSTRAINT ... UNIQUE USING INDEX in the next one (instant).",
    check=check,
    kinds=frozenset({"AT_AddConstraint", "AT_AddColumn"}),
    needles=frozenset({"unique"}),
)
