"""B205 renaming-column."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table users rename column email to email_address;",
    "ALTER TABLE ONLY billing.accounts RENAME owner TO owner_id;",
    "create table t (a int);\nalter table users rename column a to b;",
])
def test_fires_on_renaming_a_column_of_an_existing_table(sql: str) -> None:
    assert len(hits(sql, "B205")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("create table draft (a int);\nalter table draft rename column a to b;", ()),
    ("alter table draft rename column a to b;", ("public.draft",)),
    ("alter view v rename column a to b;", ()),
    ("alter type point3 rename attribute x to x1;", ()),
    ("alter table users rename to members;", ()),  # B204
    ("alter table users add column email_address text;", ()),  # the safe first step
])
def test_does_not_fire_on_new_tables_views_or_other_statements(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "B205", new_tables=new_tables) == []


def test_points_at_the_table_and_rewrites_as_expand_and_contract() -> None:
    (finding,) = lint("select 1;\nalter table users rename column email to email_address;", only="B205")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "error")
    assert finding.message == ("renaming public.users.email to email_address breaks the application versions "
                               "that still use email")
    assert finding.rewrite == (
        '-- Phase 1 (expand): add email_address beside email, with its type (read from the catalog)\n'
        'DO $$\n'
        'BEGIN\n'
        "    EXECUTE format('ALTER TABLE users ADD COLUMN email_address %s',\n"
        '        (SELECT format_type(atttypid, atttypmod) FROM pg_attribute\n'
        "         WHERE attrelid = 'users'::regclass AND attname = 'email'));\n"
        'END\n'
        '$$;\n'
        '-- keep both columns in step while old and new code run side by side\n'
        'CREATE FUNCTION users_sync_email_address() RETURNS trigger LANGUAGE plpgsql AS $$\n'
        'BEGIN\n'
        "    IF TG_OP = 'INSERT' THEN  -- email_address has no default: set means new code wrote it\n"
        '        IF NEW.email_address IS NULL THEN\n'
        '            NEW.email_address := NEW.email;\n'
        '        ELSE\n'
        '            NEW.email := NEW.email_address;\n'
        '        END IF;\n'
        '    ELSIF NEW.email IS DISTINCT FROM OLD.email THEN\n'
        '        NEW.email_address := NEW.email;\n'
        '    ELSIF NEW.email_address IS DISTINCT FROM OLD.email_address THEN\n'
        '        NEW.email := NEW.email_address;\n'
        '    END IF;\n'
        '    RETURN NEW;\n'
        'END\n'
        '$$;\n'
        'CREATE TRIGGER users_sync_email_address BEFORE INSERT OR UPDATE ON users\n'
        '    FOR EACH ROW EXECUTE FUNCTION users_sync_email_address();\n'
        "-- Phase 2: backfill (in batches on a large table); then give email_address email's constraints and indexes\n"
        '-- (its default only once no code writes email)\n'
        'UPDATE users SET email_address = email WHERE email_address IS DISTINCT FROM email;\n'
        '-- Phase 3: deploy code that reads and writes email_address only\n'
        '-- Phase 4, in a migration marked `-- Phase: contract`:\n'
        'DROP TRIGGER users_sync_email_address ON users;\n'
        'DROP FUNCTION users_sync_email_address();\n'
        'ALTER TABLE users DROP COLUMN email;'
    )


def test_quotes_names_and_uses_execute_procedure_before_pg11() -> None:
    sql = 'alter table "Billing".accounts rename column "Owner" to owner_id;'
    (finding,) = lint(sql, only="B205", pg_version=10)
    assert finding.rewrite is not None
    assert 'UPDATE "Billing".accounts SET owner_id = "Owner" WHERE owner_id IS DISTINCT FROM "Owner";' \
        in finding.rewrite
    assert "FOR EACH ROW EXECUTE PROCEDURE \"Billing\".accounts_sync_owner_id();" in finding.rewrite
    assert "WHERE attrelid = '\"Billing\".accounts'::regclass AND attname = 'Owner'" in finding.rewrite


def test_is_a_warning_in_a_contract_phase() -> None:
    (finding,) = lint("-- Phase: contract\nalter table users rename column a to b;", only="B205")
    assert finding.severity == "warning"
