"""Migration files: names, headers, checksums, outer BEGIN/COMMIT, self-recording, and every bad file."""

from __future__ import annotations

import pytest

from service.core.migrations import Phase, ScriptKind, checksum, collect_migrations, parse_script
from service.errors import BadMigrationFile

GUIDE_TEMPLATE = b"""-- Migration: 20261124_001_add_priority.sql
-- Description: Add priority to user_enabled_modules
-- Author: Jane Doe
-- Date: 2026-11-24
-- Phase: expand
-- Requires: 20261120_002
-- Lint-ignore: L101 -- the table is tiny

BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 'user_enabled_modules') THEN
        RAISE EXCEPTION 'Required table does not exist';
    END IF;
END
$$;

ALTER TABLE user_enabled_modules ADD COLUMN priority INTEGER DEFAULT 0 NOT NULL;

INSERT INTO schema_migrations (version, description, applied_at)
VALUES ('20261124_001', 'Add priority', NOW());

COMMIT;
"""


def test_guide_template_is_parsed_without_its_begin_commit_and_history_insert() -> None:
    script = parse_script("20261124_001_add_priority.sql", GUIDE_TEMPLATE)
    assert script.version == "20261124_001"
    assert script.kind is ScriptKind.MIGRATION
    assert script.description == "Add priority to user_enabled_modules"
    assert script.header.author == "Jane Doe"
    assert script.header.phase is Phase.EXPAND
    assert script.header.requires == ("20261120_002",)
    assert [(i.rule, i.reason, i.line) for i in script.header.lint_ignores] == [("L101", "the table is tiny", 7)]
    assert script.records_itself is True
    assert [(s.kind, s.line) for s in script.statements] == [("DoStmt", 11), ("AlterTableStmt", 19)]


def test_description_falls_back_to_the_file_name() -> None:
    script = parse_script("20261124_002_rollback_add_thing.sql", b"drop table if exists thing;")
    assert script.kind is ScriptKind.ROLLBACK
    assert script.description == "add thing"
    assert script.header.transactional is True


def test_crlf_and_lf_copies_have_the_same_checksum() -> None:
    lf = b"create table a (x int);\nselect 1;\n"
    assert checksum(lf) == checksum(lf.replace(b"\n", b"\r\n"))
    assert parse_script("20261124_001_a.sql", lf).checksum == parse_script(
        "20261124_001_a.sql", lf.replace(b"\n", b"\r\n")
    ).checksum
    assert checksum(lf) != checksum(lf + b"\n")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("2026_001_x.sql", b"select 1;", "2026_001_x.sql: is not a migration file name; name it YYYYMMDD_NNN"),
        ("20261124_01_x.sql", b"select 1;", "20261124_01_x.sql: is not a migration file name"),
        ("20261124_001_Add-Thing.sql", b"select 1;", "20261124_001_Add-Thing.sql: is not a migration file name"),
        ("20261340_001_x.sql", b"select 1;", "20261340_001_x.sql: 20261340 is not a date"),
        ("20261124_001_x.sql", b"select 1;\nselect '\xff';", "20261124_001_x.sql:2: is not UTF-8 (byte 0xff); save"),
        ("20261124_001_x.sql", b"select 1;\ncreate tabel x ();",
         '20261124_001_x.sql:2: SQL does not parse: syntax error at or near "tabel" (column 8)'),
        ("20261124_001_x.sql", b"create table a (x int);\ncommit;\ncreate table b (x int);",
         "20261124_001_x.sql:2: statement 2 is transaction control (COMMIT) in the middle of a file"),
        ("20261124_001_x.sql", b"begin;\ncreate table a (x int);\nsavepoint s;\ncommit;",
         "20261124_001_x.sql:3: statement 3 is transaction control (SAVEPOINT) in the middle of a file"),
        ("20261124_001_x.sql", b"-- Transaction: none\nbegin;\ncreate index concurrently i on t (x);\ncommit;",
         "20261124_001_x.sql:2: statement 1 is transaction control (BEGIN) in a `Transaction: none` file"),
        ("20261124_001_x.sql", b"-- Phase: migrate\nselect 1;", "20261124_001_x.sql:1: Phase 'migrate' is not"),
        ("20261124_001_x.sql", b"-- Transaction: maybe\nselect 1;", "20261124_001_x.sql:1: Transaction 'maybe'"),
        ("20261124_001_x.sql", b"-- Requires: 2026-11-20\nselect 1;",
         "20261124_001_x.sql:1: Requires '2026-11-20' is not a version"),
        ("20261124_001_x.sql", b"-- Lint-ignore: L101\nselect 1;",
         "20261124_001_x.sql:1: Lint-ignore L101 gives no reason; write `-- Lint-ignore: L101 -- why"),
        ("20261124_001_x.sql",
         b"create table a (x int);\ninsert into schema_migrations (version) values ('20261124_002');",
         "20261124_001_x.sql:2: statement 2 records version '20261124_002' but the file is version 20261124_001"),
        ("20261124_001_rollback_x.sql", b"insert into schema_migrations (version) values ('20261124_001');",
         "20261124_001_rollback_x.sql:1: statement 1 inserts into schema_migrations"),
    ],
)
def test_bad_files_name_file_and_line(name: str, data: bytes, expected: str) -> None:
    with pytest.raises(BadMigrationFile) as raised:
        parse_script(name, data)
    assert raised.value.message.startswith(expected), raised.value.message
    assert raised.value.exit_code == 2


def test_collect_pairs_rollbacks_and_orders_versions() -> None:
    migrations = collect_migrations([
        ("20261124_002_b.sql", b"create table b (x int);"),
        ("20261124_001_a.sql", b"create table a (x int);"),
        ("20261124_001_rollback_a.sql", b"drop table a;"),
    ])
    assert [(m.version, m.down.file if m.down else None) for m in migrations] == [
        ("20261124_001", "20261124_001_rollback_a.sql"),
        ("20261124_002", None),
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([("20261124_001_a.sql", b"select 1;"), ("20261124_001_b.sql", b"select 2;")],
         "20261124_001_b.sql: version 20261124_001 is also used by 20261124_001_a.sql"),
        ([("20261124_001_rollback_a.sql", b"select 1;")],
         "20261124_001_rollback_a.sql: is a rollback of 20261124_001, which has no migration file"),
        ([("20261124_001_a.sql", b"-- Description: a\n-- Requires: 20261101_001\nselect 1;")],
         "20261124_001_a.sql:2: requires 20261101_001, which has no migration file"),
    ],
)
def test_bad_folders_are_refused(files: list[tuple[str, bytes]], expected: str) -> None:
    with pytest.raises(BadMigrationFile) as raised:
        collect_migrations(files)
    assert raised.value.message.startswith(expected), raised.value.message
