"""Safe rewrites as SQL, produced by pglast's deparser from the statement's own parse tree."""

from __future__ import annotations

from typing import Any

from pglast import parse_sql
from pglast.stream import RawStream


def deparsed(statement_text: str, **changes: Any) -> str:
    """The statement with top-level node attributes changed (e.g. `concurrent=True`), as SQL."""
    node = parse_sql(statement_text)[0].stmt
    for attribute, value in changes.items():
        setattr(node, attribute, value)
    return str(RawStream()(node))


def non_transactional_file(*statements: str) -> str:
    """Statements that must run outside a transaction, as the body of their own migration file."""
    body = "\n".join(f"{statement};" for statement in statements)
    return f"-- in a migration file of its own, marked:\n-- Transaction: none\n{body}"
