"""The rewrite recipes several rules share (`service.core.lint.rewrite`), pinned on their own."""

from __future__ import annotations

from pglast import ast
from pglast.enums import ConstrType

from service.core.lint.nodes import deparse, statement_node
from service.core.lint.rewrite import (
    not_null_by_check,
    not_valid_then_validate,
    setting_first,
    take_constraints,
    with_option,
)
from service.core.sql import split_statements


def _fkey_name(table: str, constraint: ast.Constraint, column: str | None) -> str:
    return f"{table}_{column}_fk"


def test_a_column_constraint_becomes_a_named_not_valid_table_constraint_right_after_its_column() -> None:
    (statement,) = split_statements("alter table s.t add column a int references p, add constraint k foreign key "
                                    "(b) references q not valid")
    rewrite = not_valid_then_validate(statement, ConstrType.CONSTR_FOREIGN, _fkey_name,
                                      added="first", validated="later")
    assert rewrite.splitlines() == [
        "-- first",
        ("ALTER TABLE s.t ADD COLUMN a integer, ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES p NOT VALID, "
         "ADD CONSTRAINT k FOREIGN KEY (b) REFERENCES q NOT VALID;"),
        "-- later",
        "ALTER TABLE s.t VALIDATE CONSTRAINT t_a_fk;",
    ]


def test_take_constraints_removes_and_returns_the_constraints_of_one_type() -> None:
    (statement,) = split_statements("create domain d as int not null check (value > 0)")
    domain = statement_node(statement, ast.CreateDomainStmt)
    taken = take_constraints(domain, ConstrType.CONSTR_CHECK)
    assert [c.contype for c in taken] == [ConstrType.CONSTR_CHECK]
    assert deparse(domain) == "CREATE DOMAIN d AS integer NOT NULL"


def test_with_option_replaces_the_option_and_puts_it_last() -> None:
    (statement,) = split_statements("create view v with (security_invoker = false, check_option = local) as select 1")
    view = statement_node(statement, ast.ViewStmt)
    view.options = with_option(view.options, "security_invoker", "true")
    assert [option.defname for option in view.options] == ["check_option", "security_invoker"]


def test_setting_first_sets_it_locally_in_a_transactional_file_only() -> None:
    (statement,) = split_statements("drop index i")
    assert setting_first(statement, transactional=True, setting="lock_timeout = '5s'", comment="why") == (
        "-- why\nSET LOCAL lock_timeout = '5s';\ndrop index i;")
    assert setting_first(statement, transactional=False, setting="lock_timeout = '5s'", comment="why").startswith(
        "-- why\nSET lock_timeout")


def test_not_null_by_check_names_the_check_after_the_table_and_column() -> None:
    steps = not_null_by_check({"schemaname": "s", "relname": "Accounts"}, "a")
    assert steps.add_check == ('ALTER TABLE s."Accounts" ADD CONSTRAINT "Accounts_a_not_null" '
                               "CHECK (a IS NOT NULL) NOT VALID;")
    assert steps.drop_check == 'ALTER TABLE s."Accounts" DROP CONSTRAINT "Accounts_a_not_null";'
