"""X402 ban-uncommitted-transaction: a BEGIN the file never commits leaves its work to whoever ends the session."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from service.core.lint.context import LintContext
from service.core.lint.ddl import TRANSACTION_ENDS
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement, transaction_kind

CODE = "X402"


def check(statement: Statement, context: LintContext) -> Iterable[Hit]:
    """Remember the BEGIN that opened the file's transaction; forget it when a COMMIT or ROLLBACK ends it."""
    kind = transaction_kind(statement)
    if kind == "begin":
        context.rule_state.setdefault(CODE, statement)  # a nested BEGIN is ignored (X401): the first one counts
    elif kind in TRANSACTION_ENDS and not statement.node.get("chain"):
        context.rule_state.pop(CODE, None)
    return ()


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """The BEGIN still open at the end of the file."""
    opened = context.rule_state.get(CODE)
    if opened is not None:
        yield opened, Hit()


RULE = Rule(
    code=CODE,
    name="ban-uncommitted-transaction",
    severity=Severity.ERROR,
    message="BEGIN with no COMMIT: the file's changes are left in an open transaction, committed or rolled back "
    "by whatever ends the session",
    help="End the file with COMMIT (or drop the BEGIN: the runner wraps the file in a transaction).",
    check=check,
    finish=finish,
    kinds=frozenset({"TransactionStmt"}),
)
