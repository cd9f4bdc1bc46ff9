"""S501 rls-disabled-in-public: a table created in the exposed schema without row level security is
readable and writable by anyone holding the anon key (splinter 0013).

Tables in `public` (or unqualified) are served by the Data API, and Supabase
grants anon and authenticated all privileges on them by default. The file is
read whole: the table is fine if any statement of the file leaves RLS enabled.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.supabase import (
    ROW_SECURITY_KINDS,
    enable_row_security,
    file_row_security,
    is_exposed,
    row_security_so_far,
)
from service.core.sql import Statement


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Nothing yet: remember created tables and RLS switches for `finish`."""
    file_row_security(statement, context)
    return iter(())


def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
    """Each exposed table the file creates and leaves without row level security."""
    state = row_security_so_far(context)
    if state is None:
        return
    # the tables of every schema are followed (S502 shares them): a rename keeps the schema, so filtering
    # here leaves what following the exposed ones only would have, in the same order
    for name, (statement, relation) in state.created.items():
        if is_exposed(name) and not state.enabled.get(name, False):
            yield statement, Hit(
                location=tree.location(relation),
                message=f"table {name} is served by the Data API without row level security: anyone with the "
                "anon key can read and change every row",
                rewrite=f"{enable_row_security(relation)}\n-- then a policy for each role and command that needs "
                "it, e.g. USING ((SELECT auth.uid()) = user_id)",
            )


RULE = Rule(
    code="S501",
    name="rls-disabled-in-public",
    severity=Severity.ERROR,
    message="table in an exposed schema without row level security: anyone with the anon key can read and "
    "change every row",
    help="ALTER TABLE ... ENABLE ROW LEVEL SECURITY in the same migration, with policies for the roles that "
    "need access; or create the table in a schema the API does not expose.",
    check=check,
    finish=finish,
    kinds=ROW_SECURITY_KINDS,
)
