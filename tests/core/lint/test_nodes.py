"""pglast nodes built from the JSON parse tree: equal to a second parse, and printed as pglast prints them."""

from __future__ import annotations

import pytest
from pglast import ast, parse_sql
from pglast.stream import RawStream

from service.core.lint.nodes import deparse, statement_node
from service.core.sql import split_statements

STATEMENTS = [
    ("create index concurrently if not exists i on public.accounts using gin (lower(name) text_pattern_ops) "
    "where deleted_at is null"),
    ("alter table \"Billing\".accounts add column plan text references plans on delete cascade, "
    "alter column n type numeric(10, 2) using n::numeric, drop constraint c cascade"),
    "alter table t add constraint c check (a > 0 and b <> '' and c is not null) not valid",
    ("create table t (id bigserial primary key, a varchar(20)[] not null default '{}', b timestamp(3), "
    "c char(2), d json, e boolean default false, f numeric default 0.5, g bit(3) default b'101', h int default null)"),
    "drop table if exists a.b, c restrict",
    "drop function f(int, text[]), g()",
    ("create policy p on t for update to authenticated, public using ((select auth.uid()) = owner_id) "
    "with check (true)"),
    ("create or replace function public.f(a integer, out b text) returns setof record language sql stable "
    "security definer set search_path = '' as $$ select 1, 'x' $$"),
    "create view v with (security_invoker = true, check_option = local) as select a, count(*) from t group by a",
    "create foreign table remote_orders (id bigint, total numeric) server billing options (table_name 'orders')",
    "set local statement_timeout = 0",
    "reindex (concurrently, verbose) table t",
    "grant execute on function f(integer) to anon, authenticated",
    "alter type mood add value 'ok' before 'sad'",
    "truncate a, b restart identity cascade",
    "insert into t (a, b) values (1, -2.5), (default, 'it''s') on conflict (a) do update set b = excluded.b",
]


@pytest.mark.parametrize("sql", STATEMENTS)
def test_a_statement_built_from_its_json_tree_equals_a_second_parse_and_prints_the_same(sql: str) -> None:
    (statement,) = split_statements(sql)
    built = statement_node(statement, ast.Node)
    parsed = parse_sql(sql)[0].stmt
    assert built == parsed
    assert deparse(built) == RawStream()(parsed)


def test_locations_are_byte_offsets_in_the_whole_file() -> None:
    source = "-- é\nselect 1;\ncreate index i on accounts (a);"
    statement = split_statements(source)[1]
    built = statement_node(statement, ast.IndexStmt)
    assert built.relation is not None
    assert built.relation.location == source.encode().index(b"accounts")


def test_asking_for_another_kind_of_statement_is_a_type_error() -> None:
    (statement,) = split_statements("select 1")
    with pytest.raises(TypeError, match="expected IndexStmt, got SelectStmt"):
        statement_node(statement, ast.IndexStmt)
