"""The lint engine: suppressions, unused ignores, contract phase, configuration, context across files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.core.lint import Hit, LintConfig, Rule, Severity, lint_file
from service.core.lint.context import LintContext
from service.core.lint.model import Screen
from service.core.sql import Statement
from service.errors import BadMigrationFile

INDEX = "create index i on accounts (a);\n"


def _codes(sql: str, **options: object) -> list[tuple[str, str, int]]:
    result = lint_file("20261124_001_x.sql", sql, **options)  # type: ignore[arg-type]
    return [(f.code, f.severity.value, f.line) for f in result.findings if f.code in ("L101", "B202", "M001")]


def test_header_ignore_silences_the_rule_for_the_whole_file_by_code_or_name() -> None:
    sql = "-- Lint-ignore: require-concurrent-index -- the table has ten rows\nselect 1;\n" + INDEX + INDEX
    assert _codes(sql) == []


def test_inline_ignore_silences_only_the_next_statement() -> None:
    sql = "select 1;\n-- lint-ignore: L101 -- built while the table is empty\n" + INDEX + INDEX
    assert _codes(sql) == [("L101", "error", 4)]


def test_an_ignore_that_silences_nothing_is_reported() -> None:
    sql = "-- Lint-ignore: B202 -- no reason to drop\nselect 1;\n-- lint-ignore: L999 -- no such rule\nselect 2;\n"
    assert _codes(sql) == [("M001", "warning", 1), ("M001", "warning", 3)]


@pytest.mark.parametrize("comment", ["-- lint-ignore: L101", "-- lint-ignore: L101 --", "-- lint-ignore: -- why"])
def test_an_inline_ignore_without_rule_or_reason_is_a_bad_file(comment: str) -> None:
    with pytest.raises(BadMigrationFile) as raised:
        lint_file("20261124_001_x.sql", f"select 1;\n{comment}\n{INDEX}")
    assert raised.value.line == 2
    assert raised.value.exit_code == 2


def test_a_drop_in_a_contract_phase_is_a_warning() -> None:
    drop = "alter table accounts drop column legacy;\n"
    assert _codes(drop) == [("B202", "error", 1)]
    assert _codes("-- Phase: contract\n" + drop) == [("B202", "warning", 2)]


def test_configuration_selects_ignores_and_relevels_rules() -> None:
    sql = INDEX + "alter table accounts drop column legacy;\n"
    assert _codes(sql, config=LintConfig(ignore=("L1",))) == [("B202", "error", 2)]
    assert _codes(sql, config=LintConfig(select=("ban-drop-column",))) == [("B202", "error", 2)]
    assert _codes(sql, config=LintConfig(severity={"L101": Severity.WARNING, "B202": Severity.OFF})) == [
        ("L101", "warning", 1)
    ]


def test_tables_created_by_an_earlier_file_are_new_and_reported_back() -> None:
    first = lint_file("20261124_001_a.sql", "create table public.accounts (a int);")
    assert first.created_tables == ("public.accounts",)
    assert _codes(INDEX, new_tables=first.created_tables) == []


def test_unparsable_sql_is_a_bad_file_with_its_line() -> None:
    with pytest.raises(BadMigrationFile) as raised:
        lint_file("any_name.sql", "select 1;\ncreate tabel x ();")
    assert raised.value.message.startswith('any_name.sql:2: SQL does not parse: syntax error at or near "tabel"')


def _recording_rule(code: str, kinds: frozenset[str] | None, seen: list[str], *,
                    needles: frozenset[str] | None = None, screen: Screen | None = None) -> Rule:
    def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
        seen.append(statement.text)
        return iter(())

    def finish(context: LintContext) -> Iterator[tuple[Statement, Hit]]:
        seen.append("finish")
        return iter(())

    return Rule(code=code, name=code.lower(), severity=Severity.ERROR, message="", help="", check=check,
                finish=finish, kinds=kinds, needles=needles, screen=screen)


MIXED = ("create table public.t (a int);\nalter table public.t add column b int;\n"
         "alter table public.t drop column a;\ncreate index i on public.t (b);\nselect 1;\n")


@pytest.mark.parametrize(("kinds", "expected"), [
    (None, ["create table public.t (a int)", "alter table public.t add column b int",
            "alter table public.t drop column a", "create index i on public.t (b)", "select 1", "finish"]),
    (frozenset({"IndexStmt", "SelectStmt"}), ["create index i on public.t (b)", "select 1", "finish"]),
    (frozenset({"AT_DropColumn"}), ["alter table public.t drop column a", "finish"]),
    (frozenset({"AlterTableStmt"}), ["alter table public.t add column b int", "alter table public.t drop column a",
                                     "finish"]),
    (frozenset(), ["finish"]),
])
def test_a_rule_sees_only_the_statements_and_alter_table_commands_of_its_kinds(
        kinds: frozenset[str] | None, expected: list[str]) -> None:
    seen: list[str] = []
    lint_file("20261124_001_x.sql", MIXED, rules=[_recording_rule("Z901", kinds, seen)])
    assert seen == expected


def test_the_rules_planned_for_a_configuration_are_not_reused_for_other_rules() -> None:
    seen: list[str] = []
    rules = (_recording_rule("Z901", frozenset({"SelectStmt"}), seen),)
    config = LintConfig()
    for _ in range(2):
        lint_file("20261124_001_x.sql", "select 1;\ncreate index i on t (a);", config=config, rules=rules)
    assert seen == ["select 1", "finish", "select 1", "finish"]
    assert _codes(INDEX, config=config) == [("L101", "error", 1)]


NEEDLED = ("create table public.t (a int references public.u);\nCREATE TABLE public.v (b INT UNIQUE);\n"
           "create table public.w (c int);\n")


@pytest.mark.parametrize(("needles", "expected"), [
    (frozenset({"references"}), ["create table public.t (a int references public.u)", "finish"]),
    (frozenset({"references", "unique"}), ["create table public.t (a int references public.u)",
                                           "CREATE TABLE public.v (b INT UNIQUE)", "finish"]),  # any case
    (frozenset({"check"}), ["finish"]),
])
def test_a_rule_with_needles_sees_only_the_statements_that_spell_one(needles: frozenset[str],
                                                                     expected: list[str]) -> None:
    seen: list[str] = []
    lint_file("20261124_001_x.sql", NEEDLED, rules=[_recording_rule("Z901", None, seen, needles=needles)])
    assert seen == expected


@pytest.mark.parametrize("statement", [
    "create table public.t (a text default U&'\\0063heck')",  # a Unicode escape may spell the needle
    "create table public.t (a text default E'\\x63heck')",  # so may a backslash escape
])
def test_a_statement_with_escapes_is_seen_whatever_its_needles(statement: str) -> None:
    seen: list[str] = []
    lint_file("20261124_001_x.sql", f"{statement};\n",
              rules=[_recording_rule("Z901", None, seen, needles=frozenset({"check"}))])
    assert seen == [statement, "finish"]


def test_a_screened_out_file_runs_neither_check_nor_finish_of_the_rule() -> None:
    seen: list[str] = []
    rules = [_recording_rule("Z901", frozenset({"SelectStmt"}), seen, screen=lambda source: "keep" in source)]
    lint_file("20261124_001_x.sql", "select 1;\n", rules=rules)
    assert seen == []
    lint_file("20261124_001_x.sql", "select 1; -- keep\n", rules=rules)
    assert seen == ["select 1", "finish"]
