"""X401 transaction-nesting: a BEGIN inside an open transaction is ignored, so its COMMIT ends the outer one."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint.context import LintContext
from service.core.lint.ddl import TRANSACTION_ENDS
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement, transaction_kind

CODE = "X401"


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """A BEGIN while a BEGIN of this file is still open (PostgreSQL has no nested transactions)."""
    kind = transaction_kind(statement)
    if kind == "begin":
        if context.rule_state.get(CODE):
            yield Hit()
        context.rule_state[CODE] = True
    elif kind in TRANSACTION_ENDS and not statement.node.get("chain"):
        context.rule_state[CODE] = False


RULE = Rule(
    code=CODE,
    name="transaction-nesting",
    severity=Severity.ERROR,
    message="BEGIN inside an open transaction is ignored: the next COMMIT ends the outer transaction early "
    "and what follows runs outside it",
    help="Use one BEGIN ... COMMIT per file (or none: the runner wraps the file in a transaction); "
    "use SAVEPOINT for a part that may be rolled back alone.",
    check=check,
    kinds=frozenset({"TransactionStmt"}),
)
