"""What several rules read from DDL parse trees (`service.core.lint.ddl`), pinned on its own."""

from __future__ import annotations

from service.core.lint import tree
from service.core.lint.context import LintContext
from service.core.lint.ddl import (
    added_constraints,
    columns_of_type,
    commands_on_existing_table,
    first_unguarded_lock,
    index_constraints,
    validating_constraints,
)
from service.core.sql import Statement, split_statements


def _context(sql: str, **options: object) -> tuple[list[Statement], LintContext]:
    statements = split_statements(sql)
    return statements, LintContext(file="f.sql", source=sql, statements=statements, **options)  # type: ignore[arg-type]


def _commands(sql: str) -> list[tree.Node]:
    statements, context = _context(sql)
    return commands_on_existing_table(statements[0], context)


def test_commands_on_an_existing_table_are_its_alter_table_commands() -> None:
    commands = _commands("alter table t add column a int, drop column b")
    assert [command["subtype"] for command in commands] == ["AT_AddColumn", "AT_DropColumn"]


def test_a_table_created_in_this_run_has_no_commands_to_check() -> None:
    statements, context = _context("alter table t add column a int", new_tables={"public.t"})
    assert commands_on_existing_table(statements[0], context) == []


def test_added_constraints_are_table_constraints_and_column_constraints_with_their_column() -> None:
    table, column = _commands("alter table t add constraint u unique (a), add column b int unique")
    assert [(c.get("conname"), name) for c, name in added_constraints(table, "CONSTR_UNIQUE")] == [("u", None)]
    assert [name for _, name in added_constraints(column, "CONSTR_UNIQUE")] == ["b"]
    assert added_constraints(table, "CONSTR_CHECK") == []


def test_index_constraints_leave_out_a_constraint_attached_using_an_existing_index() -> None:
    (command,) = _commands("alter table t add constraint u unique using index i")
    assert added_constraints(command, "CONSTR_UNIQUE") != []
    assert index_constraints(command, "CONSTR_UNIQUE") == []


def test_validating_constraints_leave_out_those_added_not_valid() -> None:
    statements, context = _context(
        "alter table t add constraint a check (x > 0), add constraint b check (y > 0) not valid, "
        "add column z int check (z > 0)")
    found = validating_constraints(statements[0], context, "CONSTR_CHECK")
    assert [c.get("conname") for c in found] == ["a", None]


def test_columns_of_type_keeps_the_columns_of_the_given_built_in_types() -> None:
    statements, context = _context("create table t (a json, b jsonb, c pg_catalog.json, d my.json)")
    assert [name for name, _, _ in columns_of_type(statements[0], context, {"json"})] == ["a", "c"]


def test_the_first_unguarded_lock_is_found_once_per_file() -> None:
    statements, context = _context("create table n (a int); alter table t add column a int; drop index i")
    found = [first_unguarded_lock(s, context, timeout_set=False, state_key="test") for s in statements]
    assert found == [False, True, False]


def test_no_lock_is_unguarded_when_the_timeout_is_set_or_the_runner_sets_it() -> None:
    statements, context = _context("alter table t add column a int", runner_sets_timeouts=True)
    assert not first_unguarded_lock(statements[0], context, timeout_set=False, state_key="test")
    statements, context = _context("alter table t add column a int")
    assert not first_unguarded_lock(statements[0], context, timeout_set=True, state_key="test")
