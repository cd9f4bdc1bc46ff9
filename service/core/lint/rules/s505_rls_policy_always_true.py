"""S505 rls-policy-always-true: a permissive write policy whose USING or WITH CHECK is always true lets
every anon or signed-in user change any row (splinter 0024).

SELECT policies are left alone: `USING (true)` there is the usual way to make
rows public on purpose. ALTER POLICY is judged only for policies the file
creates (the command and roles of an older policy are unknown).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.supabase import API_ROLES
from service.core.sql import Statement

WRITES = {"insert": "insert any row", "update": "update every row", "delete": "delete every row",
          "all": "read and change every row"}


@dataclass(frozen=True)
class _Policy:
    command: str
    permissive: bool
    roles: tuple[str, ...]


def _roles(items: list[tree.Node]) -> tuple[str, ...]:
    roles = []
    for item in items:
        spec = item.get("RoleSpec", {})
        roles.append("public" if spec.get("roletype") == "ROLESPEC_PUBLIC" else str(spec.get("rolename", "")))
    return tuple(roles)


def _always_true(expression: tree.Node | None) -> bool:
    """`true`, `'true'::boolean`, or a comparison of two equal constants such as `1 = 1`."""
    if not expression:
        return False
    if "TypeCast" in expression:
        return tree.string_constant(expression) in ("true", "t") or _always_true(expression["TypeCast"].get("arg"))
    if expression.get("A_Const", {}).get("boolval", {}).get("boolval"):
        return True
    comparison = expression.get("A_Expr", {})
    if comparison.get("kind") == "AEXPR_OP" and tree.names(comparison.get("name")) == ["="]:
        left, right = comparison.get("lexpr"), comparison.get("rexpr")
        return (tree.is_constant(left) and tree.is_constant(right)
                and _constant_value(left) == _constant_value(right))
    return False


def _constant_value(node: tree.Node | None) -> object:
    constant = dict((node or {}).get("A_Const", {}))
    constant.pop("location", None)
    return sorted(constant.items(), key=str)


def _clause_location(expression: tree.Node) -> int | None:
    """Where the clause's expression starts (its top node's location)."""
    body: object = next(iter(expression.values()), None)
    return tree.location(body) if isinstance(body, dict) else None


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """USING / WITH CHECK always true on a permissive INSERT, UPDATE, DELETE or ALL policy for public,
    anon or authenticated."""
    node = statement.node
    known: dict[tuple[str, str], _Policy] = context.rule_state.setdefault("S505", {})
    key = (tree.qualified_name(node.get("table")), str(node.get("policy_name", "")))
    if statement.kind == "CreatePolicyStmt":
        policy = _Policy(str(node.get("cmd_name", "all")), bool(node.get("permissive")), _roles(node.get("roles", ())))
        known[key] = policy
    elif key in known:
        policy = known[key]
        if node.get("roles"):
            policy = known[key] = _Policy(policy.command, policy.permissive, _roles(node["roles"]))
    else:
        return
    exposed = [role for role in policy.roles if role in API_ROLES or role == "public"]
    if policy.command not in WRITES or not policy.permissive or not exposed:
        return
    for clause, expression in (("USING", node.get("qual")), ("WITH CHECK", node.get("with_check"))):
        if expression and _always_true(expression):
            yield Hit(
                location=_clause_location(expression),
                message=f"policy {key[1]} on {key[0]} lets {', '.join(exposed)} {WRITES[policy.command]}: "
                f"its {clause} is always true",
            )


RULE = Rule(
    code="S505",
    name="rls-policy-always-true",
    severity=Severity.WARNING,
    message="write policy whose USING or WITH CHECK is always true: every anon or signed-in user can change "
    "any row",
    help="Give the policy a real predicate, e.g. USING ((select auth.uid()) = user_id); leave writes that "
    "nobody should make without a policy (RLS then denies them).",
    check=check,
    kinds=frozenset({"CreatePolicyStmt", "AlterPolicyStmt"}),
)
