"""S504 rls-references-user-metadata: end users write their own user_metadata, so a policy that trusts it
lets them grant themselves access (splinter 0015)."""

from __future__ import annotations

from collections.abc import Iterator

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

USER_COLUMNS = frozenset({"raw_user_meta_data"})  # auth.users' copy of user_metadata


def _path_starts_with_user_metadata(text: str) -> bool:
    """`'{user_metadata,role}'`, the path operand of #> and #>>."""
    return text.startswith("{") and text[1:].lstrip().lstrip('"').startswith("user_metadata")


def user_metadata_reads(expression: tree.Node | None) -> Iterator[tree.Node]:
    """The constants and columns in `expression` that read user_metadata."""
    if not expression:
        return
    for kind, node in tree.walk({"expression": expression}):
        if kind == "A_Const":
            text = node.get("sval", {}).get("sval")
            if isinstance(text, str) and (text == "user_metadata" or _path_starts_with_user_metadata(text)):
                yield node
        elif kind == "ColumnRef":
            fields = tree.names(node.get("fields"))
            if fields and fields[-1] in USER_COLUMNS:
                yield node


def check(statement: Statement, _context: LintContext) -> Iterator[Hit]:
    """Each read of user_metadata (a JWT claim) or raw_user_meta_data in a policy's USING or WITH CHECK."""
    node = statement.node
    for expression in (node.get("qual"), node.get("with_check")):
        for read in user_metadata_reads(expression):
            yield Hit(
                location=tree.location(read),
                message=f"policy {node.get('policy_name')} trusts user_metadata, which every signed-in user can "
                "change for themselves (supabase.auth.updateUser)",
            )


RULE = Rule(
    code="S504",
    name="rls-references-user-metadata",
    severity=Severity.ERROR,
    message="policy reads user_metadata, which end users can set for themselves",
    help="Keep authorization data in app_metadata (auth.jwt() -> 'app_metadata'), which only the service "
    "role can change, or in a table of your own.",
    check=check,
    kinds=frozenset({"CreatePolicyStmt", "AlterPolicyStmt"}),
    needles=frozenset({"user_meta"}),  # user_metadata and raw_user_meta_data
)
