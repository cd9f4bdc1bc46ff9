"""L105 adding-field-with-default."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table t add column c float default random();",
    "alter table t add column id uuid not null default gen_random_uuid();",
    "alter table t add column id uuid default extensions.uuid_generate_v4();",
    "alter table t add column at timestamptz default clock_timestamp();",
    "alter table t add column n int default nextval('t_n_seq');",
    "alter table t add column n int default (random() * 100)::int;",
    "alter table t add column c int default my_function();",  # unknown: CREATE FUNCTION makes it VOLATILE
    "alter table t add column id bigserial;",
    "alter table t add column id serial not null;",
    "alter table t add column id bigint generated always as identity;",
    "alter table t add column total int generated always as (a + b) stored;",
])
def test_fires_on_a_column_whose_value_is_computed_for_every_row(sql: str) -> None:
    assert len(hits(sql, "L105")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("alter table t add column c int default 0 not null;", ()),  # a constant: a fast default on PG11+
    ("alter table user_enabled_modules add column priority integer default 0 not null;", ()),  # the guide's
    ("alter table t add column c text default 'x'::text;", ()),
    ("alter table t add column c jsonb default '{}';", ()),
    ("alter table t add column at timestamptz default now();", ()),  # STABLE: a fast default
    ("alter table t add column at timestamptz default current_timestamp;", ()),
    ("alter table t add column at timestamptz default timezone('utc', now());", ()),
    ("alter table t add column owner uuid default auth.uid();", ()),
    ("alter table t add column c int default null;", ()),
    ("alter table t add column c int;", ()),
    ("alter table t add column total int generated always as (a + b) virtual;", ()),
    ("create table t (id bigserial primary key, c float default random());", ()),
    ("create table t (a int);\nalter table t add column id uuid default gen_random_uuid();", ()),
    ("alter table t add column id bigserial;", ("public.t",)),
])
def test_does_not_fire_on_fast_defaults_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L105", new_tables=new_tables) == []


def test_a_volatile_call_inside_an_expression_is_pointed_at() -> None:
    assert hits("alter table t add column n int default (random() * 100)::int;", "L105") == [(1, 41)]


def test_any_default_rewrites_before_postgresql_11() -> None:
    (finding,) = lint("alter table t add column c int default 0;", only="L105", pg_version=10)
    assert "before PostgreSQL 11" in finding.message
    assert hits("alter table t add column c int default null;", "L105", pg_version=10) == []


def test_a_volatile_default_points_at_the_call_and_is_added_bare_then_defaulted_then_backfilled() -> None:
    (finding,) = lint("select 1;\nalter table accounts add column token uuid not null default gen_random_uuid();",
                      only="L105")
    assert (finding.line, finding.column, finding.severity) == (2, 61, "error")
    assert "gen_random_uuid(), which is volatile" in finding.message
    assert finding.rewrite == "\n".join([
        "-- 1. add the column plain (nullable, no default): no rewrite",
        "ALTER TABLE accounts ADD COLUMN token uuid;",
        "-- 2. new rows get the default from now on",
        "ALTER TABLE accounts ALTER COLUMN token SET DEFAULT gen_random_uuid();",
        "-- 3. backfill the existing rows in batches (by key range, each batch its own transaction)",
        "UPDATE accounts SET token = gen_random_uuid() WHERE token IS NULL;",
        "-- 4. then SET NOT NULL without a long lock (CHECK NOT VALID, VALIDATE, SET NOT NULL: see L107)",
    ])


def test_a_serial_column_points_at_the_type_and_gets_its_own_sequence() -> None:
    (finding,) = lint("alter table s.orders add column number bigserial;", only="L105")
    assert (finding.line, finding.column) == (1, 40)
    assert finding.rewrite == "\n".join([
        "-- 1. add the column plain (nullable, no default): no rewrite",
        "CREATE SEQUENCE s.orders_number_seq AS bigint;",
        "ALTER TABLE s.orders ADD COLUMN number bigint;",
        "ALTER SEQUENCE s.orders_number_seq OWNED BY s.orders.number;",
        "-- 2. new rows take the next value",
        "ALTER TABLE s.orders ALTER COLUMN number SET DEFAULT nextval('s.orders_number_seq');",
        "-- 3. backfill the existing rows in batches (by key range, each batch its own transaction)",
        "UPDATE s.orders SET number = nextval('s.orders_number_seq') WHERE number IS NULL;",
        "-- 4. then SET NOT NULL without a long lock (CHECK NOT VALID, VALIDATE, SET NOT NULL: see L107)",
    ])


def test_a_stored_generated_column_becomes_a_trigger() -> None:
    (finding,) = lint("alter table t add column total int generated always as (a + b) stored;", only="L105",
                      pg_version=18)
    assert "STORED generated" in finding.message and "VIRTUAL" in finding.message
    assert finding.rewrite == "\n".join([
        "-- 1. add the column plain (nullable, no default): no rewrite",
        "ALTER TABLE t ADD COLUMN total integer;",
        "-- 2. a trigger computes it for new and changed rows",
        ("CREATE FUNCTION t_total_compute() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n  NEW.total := new.a + new.b;\n  RETURN NEW;\nEND\n$$;"),
        "CREATE TRIGGER t_total_compute BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION t_total_compute();",
        "-- 3. backfill the existing rows in batches (by key range, each batch its own transaction)",
        "UPDATE t SET total = a + b WHERE total IS NULL;",
    ])
