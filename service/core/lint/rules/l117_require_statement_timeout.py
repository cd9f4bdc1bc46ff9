"""L117 require-statement-timeout: locking DDL with no `SET statement_timeout` before it.

Without a statement_timeout a migration statement can run (and hold its
locks) for as long as it takes: an unexpectedly slow rewrite or scan keeps
the table blocked. Reported once per file, at the first statement that takes
a lock on an existing object, unless the runner sets the timeout itself
(`runner_sets_timeouts`).
"""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint.context import LintContext
from service.core.lint.ddl import LOCKING_KINDS, first_unguarded_lock
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.rewrite import setting_first
from service.core.sql import Statement

_FIRED_KEY = "L117"


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """The file's first locking statement, when no statement_timeout was set before it."""
    if first_unguarded_lock(statement, context, timeout_set=context.statement_timeout_set, state_key=_FIRED_KEY):
        yield Hit(rewrite=setting_first(
            statement, transactional=context.transactional, setting="statement_timeout = '15min'",
            comment="first in the file: bound how long any statement may hold its locks (size it to the slowest "
            "expected statement)",
        ))


RULE = Rule(
    code="L117",
    name="require-statement-timeout",
    severity=Severity.INFO,
    message="locking DDL with no statement_timeout: a statement that runs long keeps its locks as long as it runs",
    help="Start the file with `SET LOCAL statement_timeout = ...` (plain SET in a `-- Transaction: none` file) "
    "sized to the slowest expected statement, or let the runner set the timeouts.",
    check=check,
    kinds=LOCKING_KINDS,
)
