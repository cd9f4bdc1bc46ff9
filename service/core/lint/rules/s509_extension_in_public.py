"""S509 extension-in-public: an extension installed in the exposed schema puts its functions, types and
tables in the API's reach and in every user's search_path (splinter 0014)."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import with_option
from service.core.lint.supabase import EXPOSED_SCHEMAS
from service.core.sql import Statement

# plpgsql lives in pg_catalog; these install into the fixed schema of their control file (WITH SCHEMA fails).
OWN_SCHEMA = frozenset({"plpgsql", "pg_graphql", "pgsodium", "supabase_vault"})
TARGET_SCHEMA = "extensions"  # Supabase's schema for extensions


def _schema(options: list[dict[str, dict[str, object]]] | None) -> str | None:
    found = tree.options_named(options, "schema")
    if not found:
        return None
    argument = found[0].get("arg")
    return str(argument.get("String", {}).get("sval")) if isinstance(argument, dict) else None


def _in_extensions(statement: Statement) -> str:
    root = statement_node(statement, ast.CreateExtensionStmt)
    root.options = with_option(root.options, "schema", TARGET_SCHEMA)
    return f"CREATE SCHEMA IF NOT EXISTS {TARGET_SCHEMA};\n{deparse(root)};"


def check(statement: Statement, _context: LintContext) -> Iterator[Hit]:
    """A CREATE EXTENSION without WITH SCHEMA, or WITH SCHEMA public."""
    name = str(statement.node.get("extname", ""))
    schema = _schema(statement.node.get("options"))
    if name in OWN_SCHEMA or (schema is not None and schema not in EXPOSED_SCHEMAS):
        return
    yield Hit(
        message=f"extension {name} is installed in public: its functions, types and tables are exposed "
        "through the API and shadow names in every user's search_path",
        rewrite=_in_extensions(statement),
    )


RULE = Rule(
    code="S509",
    name="extension-in-public",
    severity=Severity.WARNING,
    message="extension installed in the exposed public schema (no WITH SCHEMA)",
    help="CREATE EXTENSION ... WITH SCHEMA extensions (add `extensions` to the search_path of the roles that "
    "use it).",
    check=check,
    kinds=frozenset({"CreateExtensionStmt"}),
)
