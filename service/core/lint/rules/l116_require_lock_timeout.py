"""L116 require-lock-timeout: locking DDL with no `SET lock_timeout` before it.

A DDL statement that waits for its lock (behind one long query or an idle
transaction) makes every later query on the table queue behind it: a short
lock becomes an outage. `lock_timeout` makes it give up instead, and the
migration can be retried. Reported once per file, at the first statement
that takes a lock on an existing object, unless the runner sets the timeout
itself (`runner_sets_timeouts`).
"""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint.context import LintContext
from service.core.lint.ddl import LOCKING_KINDS, takes_locks
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

_FIRED_KEY = "L116"


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """The file's first locking statement, when no lock_timeout was set before it."""
    if context.runner_sets_timeouts or context.lock_timeout_set or context.rule_state.get(_FIRED_KEY):
        return
    if not takes_locks(statement, context):
        return
    context.rule_state[_FIRED_KEY] = True
    set_command = "SET LOCAL" if context.transactional else "SET"
    yield Hit(
        rewrite=f"-- first in the file: give up on a lock after 5 seconds, then retry the migration\n"
        f"{set_command} lock_timeout = '5s';\n{statement.text};",
    )


RULE = Rule(
    code="L116",
    name="require-lock-timeout",
    severity=Severity.WARNING,
    message="locking DDL with no lock_timeout: while it waits for its lock, every query on the table queues "
    "behind it",
    help="Start the file with `SET LOCAL lock_timeout = '5s'` (plain SET in a `-- Transaction: none` file) "
    "and retry the migration when it times out, or let the runner set the timeouts.",
    check=check,
    kinds=LOCKING_KINDS,
)
