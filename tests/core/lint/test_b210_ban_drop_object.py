"""B210 ban-drop-object."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize(("sql", "count"), [
    ("drop view active_users;", 1),
    ("drop materialized view if exists reports.daily;", 1),
    ("drop function f(int), g;", 2),
    ("drop procedure p;", 1),
    ("drop routine r;", 1),
    ("drop type status cascade;", 1),
    ("drop domain email;", 1),
    ("drop sequence order_numbers;", 1),
    ("drop extension pg_trgm;", 1),
    ("drop trigger audit on accounts;", 1),
    ("drop policy owner_only on billing.accounts;", 1),
    # created in this file, but under another name or on another table
    ("create function f() returns int language sql as 'select 1';\ndrop function g();", 1),
    ("create trigger audit after insert on a for each row execute function log();\ndrop trigger audit on b;", 1),
])
def test_fires_on_each_dropped_object(sql: str, count: int) -> None:
    assert len(hits(sql, "B210")) == count


@pytest.mark.parametrize(("sql", "new_tables"), [
    (("create function tmp_backfill() returns void language sql as 'select';\n"
     "select tmp_backfill();\ndrop function tmp_backfill();"), ()),
    ("create or replace function s.f(a int) returns int language sql as 'select a';\ndrop function s.f(int);", ()),
    ("create view v as select 1;\ndrop view v;", ()),
    ("create materialized view m as select 1;\ndrop materialized view m;", ()),
    ("create type status as enum ('a');\ndrop type status;", ()),
    ("create type pair as (a int, b int);\ndrop type pair;", ()),
    ("create domain email as text;\ndrop domain email;", ()),
    ("create domain email as text;\ndrop type email;", ()),
    ("create sequence s.seq;\ndrop sequence s.seq;", ()),
    ("create extension if not exists pg_trgm;\ndrop extension pg_trgm;", ()),
    (("create trigger audit after insert on accounts for each row execute function log();\n"
     "drop trigger audit on accounts;"), ()),
    ("create policy p on accounts using (true);\ndrop policy p on accounts;", ()),
    ("create table drafts (a int);\ndrop policy p on drafts;", ()),
    ("drop trigger audit on drafts;", ("public.drafts",)),
    ("drop table accounts;", ()),  # B201
    ("drop index accounts_pkey;", ()),  # L102
    ("drop schema billing;", ()),  # B203
])
def test_does_not_fire_on_objects_of_this_file_new_tables_or_other_drops(
    sql: str, new_tables: tuple[str, ...]
) -> None:
    assert hits(sql, "B210", new_tables=new_tables) == []


def test_reports_at_the_statement_and_says_what_is_lost() -> None:
    (finding,) = lint("select 1;\ndrop trigger audit on billing.accounts;", only="B210")
    assert (finding.line, finding.column, finding.severity) == (2, 1, "warning")
    assert finding.message == ("DROP TRIGGER billing.accounts.audit: what it did on each write (an audit row, "
                               "a synced column) silently stops")
    assert finding.rewrite is None


def test_points_at_a_dropped_type() -> None:
    (finding,) = lint("select 1;\ndrop type if exists billing.status;", only="B210")
    assert (finding.line, finding.column) == (2, 21)
    assert finding.message == "DROP TYPE billing.status: the deployed code that uses it breaks"


def test_stays_a_warning_in_a_contract_phase() -> None:
    (finding,) = lint("-- Phase: contract\ndrop function user_data_sync_name();", only="B210")
    assert finding.severity == "warning"
