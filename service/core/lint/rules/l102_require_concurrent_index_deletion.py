"""L102 require-concurrent-index-deletion: DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock.

The lock is on the index's table: every read and write of the table waits
behind it (and behind anything the DROP itself waits for). An index built
earlier in the same file on a table created in this run is fine to drop.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import deparsed, non_transactional_file, quote_name
from service.core.sql import Statement

_NEW_INDEXES_KEY = "L102"  # rule_state: `schema.index` built in this file on a new table


def _index_name(parts: list[str]) -> str:
    return ".".join(parts) if len(parts) > 1 else f"public.{parts[0]}" if parts else ""


def _remember_index(statement: Statement, context: LintContext) -> None:
    """Note an index built on a new table, so dropping it later in the file is not flagged."""
    node = statement.node
    relation = node.get("relation")
    name = node.get("idxname")
    if name and context.is_new(tree.qualified_name(relation)):
        schema = (relation or {}).get("schemaname", "public")
        context.rule_state.setdefault(_NEW_INDEXES_KEY, set()).add(f"{schema}.{name}")


def _rewrite(statement: Statement, objects: list[list[str]]) -> str:
    """Each index dropped concurrently, alone in its own non-transactional file (CONCURRENTLY takes one index
    and no CASCADE)."""
    if len(objects) == 1 and statement.node.get("behavior") != "DROP_CASCADE":
        return non_transactional_file(deparsed(statement, concurrent=True))
    if_exists = " IF EXISTS" if statement.node.get("missing_ok") else ""
    files = [
        non_transactional_file(f"DROP INDEX CONCURRENTLY{if_exists} "
                               + ".".join(quote_name(part) for part in parts))
        for parts in objects
    ]
    note = ("-- CONCURRENTLY does not CASCADE: drop what depends on the index first\n"
            if statement.node.get("behavior") == "DROP_CASCADE" else "")
    return note + "\n\n".join(files)


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """A DROP INDEX without CONCURRENTLY, unless every index it drops was built in this file on a new table."""
    if statement.kind == "IndexStmt":
        _remember_index(statement, context)
        return
    node = statement.node
    if node.get("removeType") != "OBJECT_INDEX" or node.get("concurrent"):
        return
    objects: list[list[str]] = [tree.names(item.get("List", {}).get("items")) for item in node.get("objects") or ()]
    new_indexes: set[str] = context.rule_state.get(_NEW_INDEXES_KEY, set())
    if objects and all(_index_name(parts) in new_indexes for parts in objects):
        return
    names = [".".join(parts) for parts in objects]
    yield Hit(
        message=f"DROP INDEX {', '.join(names)} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the "
        "table: its reads and writes wait until the drop is done",
        rewrite=_rewrite(statement, objects),
    )


RULE = Rule(
    code="L102",
    name="require-concurrent-index-deletion",
    severity=Severity.WARNING,
    message="DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table: "
    "its reads and writes wait until the drop is done",
    help="Use DROP INDEX CONCURRENTLY, one index per migration file marked `-- Transaction: none`.",
    check=check,
    kinds=frozenset({"IndexStmt", "DropStmt"}),
)
