"""B210 ban-drop-object: dropping a view, function, type, sequence, extension, domain, trigger or policy.

Each breaks the deployed code that uses it (or, for a trigger or policy,
silently changes what writes do and who sees which rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

CODE = "B210"
# DROP's object type -> (the word in messages, the family created objects are remembered under)
DROPPED = {
    "OBJECT_VIEW": ("view", "view"),
    "OBJECT_MATVIEW": ("materialized view", "view"),
    "OBJECT_FUNCTION": ("function", "routine"),
    "OBJECT_PROCEDURE": ("procedure", "routine"),
    "OBJECT_ROUTINE": ("routine", "routine"),
    "OBJECT_TYPE": ("type", "type"),
    "OBJECT_DOMAIN": ("domain", "type"),
    "OBJECT_SEQUENCE": ("sequence", "sequence"),
    "OBJECT_EXTENSION": ("extension", "extension"),
    "OBJECT_TRIGGER": ("trigger", "trigger"),
    "OBJECT_POLICY": ("policy", "policy"),
}
CREATES = frozenset({
    "ViewStmt", "CreateTableAsStmt", "CreateFunctionStmt", "CreateEnumStmt", "CompositeTypeStmt",
    "CreateRangeStmt", "CreateDomainStmt", "CreateSeqStmt", "CreateExtensionStmt", "CreateTrigStmt",
    "CreatePolicyStmt",
})
CONSEQUENCE = {
    "trigger": "what it did on each write (an audit row, a synced column) silently stops",
    "policy": "the rows it let in or kept out change for every role it applied to",
    "extension": "its types, functions and the columns and indexes using them go with it",
}


def _on_table(parts: list[str]) -> tuple[str, str]:
    """A trigger's or policy's `[schema.]table.name` as (`schema.table`, name)."""
    return tree.dotted_name(parts[:-1]), parts[-1]


def _created(statement: Statement) -> tuple[str, str] | None:
    """The (family, name) a CREATE statement makes, as the DROP of it would name it."""
    node, kind = statement.node, statement.kind
    if kind == "ViewStmt":
        return "view", tree.qualified_name(node.get("view"))
    if kind == "CreateTableAsStmt":
        if node.get("objtype") != "OBJECT_MATVIEW":
            return None
        return "view", tree.qualified_name(node.get("into", {}).get("rel"))
    if kind == "CreateFunctionStmt":
        return "routine", tree.dotted_name(tree.names(node.get("funcname")))
    if kind in ("CreateEnumStmt", "CreateRangeStmt"):
        return "type", tree.dotted_name(tree.names(node.get("typeName")))
    if kind == "CompositeTypeStmt":
        return "type", tree.qualified_name(node.get("typevar"))
    if kind == "CreateDomainStmt":
        return "type", tree.dotted_name(tree.names(node.get("domainname")))
    if kind == "CreateSeqStmt":
        return "sequence", tree.qualified_name(node.get("sequence"))
    if kind == "CreateExtensionStmt":
        return "extension", str(node.get("extname", ""))
    if kind == "CreateTrigStmt":
        return "trigger", f"{tree.qualified_name(node.get('relation'))}.{node.get('trigname')}"
    return "policy", f"{tree.qualified_name(node.get('table'))}.{node.get('policy_name')}"


def _dropped(family: str, item: Any) -> tuple[str, str | None, int | None]:
    """(name, table for a trigger or policy, byte location) of one object of a DROP."""
    if "TypeName" in item:
        return tree.dotted_name(tree.names(item["TypeName"].get("names"))), None, tree.location(item["TypeName"])
    if "ObjectWithArgs" in item:
        return tree.dotted_name(tree.names(item["ObjectWithArgs"].get("objname"))), None, None
    if "String" in item:
        return str(item["String"].get("sval", "")), None, None
    parts = tree.names(item.get("List", {}).get("items"))
    if family in ("trigger", "policy"):
        table, name = _on_table(parts)
        return f"{table}.{name}", table, None
    return tree.dotted_name(parts), None, None


def _created_before(statement: Statement, context: LintContext) -> set[tuple[str, str]]:
    """The (family, name) of each object the file creates before `statement`. Worked out only when a DROP
    needs it, from the statements since the last DROP that asked (most files drop nothing of these kinds)."""
    state: tuple[int, set[tuple[str, str]]] = context.rule_state.get(CODE) or (0, set())
    position, created = state
    statements = context.statements
    while position < len(statements) and statements[position] is not statement:
        each = statements[position]
        if each.kind in CREATES:
            made = _created(each)
            if made is not None:
                created.add(made)
        position += 1
    context.rule_state[CODE] = (position, created)
    return created


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Each object of a DROP of the kinds above that this file did not create, nor sits on a new table."""
    what = DROPPED.get(statement.node.get("removeType", ""))
    if what is None:
        return
    word, family = what
    created = _created_before(statement, context)
    for item in statement.node.get("objects", ()):
        name, table, location = _dropped(family, item)
        if (family, name) in created or (table is not None and context.is_new(table)):
            continue
        if family == "view" and context.is_new(name):  # a materialized view created in this run
            continue
        consequence = CONSEQUENCE.get(family, "the deployed code that uses it breaks")
        yield Hit(location=location, message=f"DROP {word.upper()} {name}: {consequence}")


RULE = Rule(
    code=CODE,
    name="ban-drop-object",
    severity=Severity.WARNING,
    message="dropping a view, function, type, sequence, extension, domain, trigger or policy breaks the "
    "deployed code that uses it",
    help="Deploy code that no longer uses it first, then drop it in a `-- Phase: contract` migration. "
    "Objects created earlier in the same file, and triggers and policies of new tables, are fine.",
    check=check,
    kinds=frozenset({"DropStmt"}),  # what the file created before a DROP is read from context.statements
)
