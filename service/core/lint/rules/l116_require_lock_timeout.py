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
from service.core.lint.ddl import LOCKING_KINDS, first_unguarded_lock
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import setting_first
from service.core.sql import Statement

_FIRED_KEY = "L116"


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """The file's first locking statement, when no lock_timeout was set before it."""
    if first_unguarded_lock(statement, context, timeout_set=context.lock_timeout_set, state_key=_FIRED_KEY):
        yield Hit(rewrite=setting_first(
            statement, transactional=context.transactional, setting="lock_timeout = '5s'",
            comment="first in the file: give up on a lock after 5 seconds, then retry the migration",
        ))


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
