"""The migration engine end to end against real PostgreSQL: states, atomicity, checksums, order, rollback."""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg

from service.app import commands
from service.core.plan import State
from tests.app.conftest import Project
from tests.app.engine_fixtures import columns, history, relation_exists

CREATE_A = "create table a (id int primary key);\n"
DROP_A = "drop table a;\n"


def test_status_shows_every_state_and_exits_1(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({
        "20261101_001_one.sql": "create table one (x int);",
        "20261102_001_two.sql": "create table two (x int);",
        "20261104_001_four.sql": "create table four (x int);",
        "20261105_001_five.sql": "create table five (x int);",
    })
    assert cli("up", "--to", "20261102_001")[0] == 0
    with psycopg.connect(project.url, autocommit=True) as connection:
        connection.execute("insert into schema_migrations (version, checksum) values ('20261104_001', null)")
        connection.execute("insert into schema_migrations (version, checksum) values ('20261103_001', 'abc')")
    (project.folder / "20261102_001_two.sql").write_text("create table two (x bigint);")
    project.write({"20261101_002_late.sql": "select 1;"})

    code, out, _ = cli("--json", "status")

    import json
    states = {row["version"]: (row["state"], row["checksum"]) for row in json.loads(out)["migrations"]}
    assert code == 1
    assert {version: state for version, (state, _) in states.items()} == {
        "20261101_001": "applied",
        "20261101_002": "out-of-order",
        "20261102_001": "checksum-mismatch",
        "20261103_001": "missing-file",
        "20261104_001": "applied",
        "20261105_001": "pending",
    }
    assert states["20261104_001"][1] is None


def test_failing_post_validation_keeps_nothing_and_exits_3_naming_the_statement(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({"20261124_001_add_b.sql": (
        "-- Description: add b\n"
        "BEGIN;\n"
        "create table b (id int);\n"
        "DO $$\n"
        "BEGIN\n"
        "    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'b' AND column_name = 'name') THEN\n"
        "        RAISE EXCEPTION 'Migration validation failed' USING DETAIL = 'b.name is missing', HINT = 'add it';\n"
        "    END IF;\n"
        "END\n"
        "$$;\n"
        "COMMIT;\n"
    )})

    code, out, err = cli("--json", "up")

    import json
    document = json.loads(out)
    assert code == 3
    assert document["applied"] == []
    assert document["failed"] == {
        "version": "20261124_001", "file": "20261124_001_add_b.sql", "statement_index": 3, "line": 4,
        "sqlstate": "P0001", "message": "Migration validation failed", "detail": "b.name is missing",
        "hint": "add it",
    }
    assert "20261124_001_add_b.sql statement 3 (line 4) failed: P0001 Migration validation failed" in err
    assert not relation_exists(project.url, "b")
    assert history(project.url) == []


def test_file_with_its_own_begin_commit_and_insert_is_recorded_once_with_its_checksum(project: Project) -> None:
    content = (
        "-- Migration: 20261124_001_guide.sql\n-- Description: guide form\nBEGIN;\n"
        "create table guide (x text default 'a; COMMIT; b');\n"
        "DO $body$ BEGIN PERFORM 1; RAISE NOTICE 'still; inside COMMIT'; END $body$;\n"
        "INSERT INTO schema_migrations (version, description, applied_at) VALUES ('20261124_001', 'guide', NOW());\n"
        "COMMIT;\n"
    )
    project.write({"20261124_001_guide.sql": content})

    _, result = commands.up(project.settings)

    assert [step.version for step in result.steps] == ["20261124_001"]
    assert history(project.url) == [("20261124_001", hashlib.sha256(content.encode()).hexdigest(), True)]
    with psycopg.connect(project.url) as connection:
        default = connection.execute(
            "select column_default from information_schema.columns where table_name = 'guide'"
        ).fetchone()
    assert default == ("'a; COMMIT; b'::text",)


def test_crlf_copy_of_an_applied_file_is_not_a_mismatch(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({"20261124_001_a.sql": CREATE_A.replace("\n", "\r\n").encode()})
    assert cli("up")[0] == 0
    project.write({"20261124_001_a.sql": CREATE_A.encode()})
    code, out, _ = cli("status")
    assert code == 0
    assert "20261124_001  applied" in out


def test_edited_applied_file_is_refused_until_repair(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({"20261124_001_a.sql": CREATE_A})
    assert cli("up")[0] == 0
    project.write({"20261124_001_a.sql": CREATE_A + "-- edited\n", "20261124_002_b.sql": "create table b (x int);"})

    code, _, err = cli("up")
    assert code == 1
    assert "refused: applied migration files were edited: 20261124_001" in err
    assert "omnia-migrate repair" in err
    assert not relation_exists(project.url, "b")

    assert cli("repair")[0] == 0
    assert cli("up")[0] == 0
    assert relation_exists(project.url, "b")
    assert history(project.url)[0][1] == hashlib.sha256((CREATE_A + "-- edited\n").encode()).hexdigest()


def test_out_of_order_is_refused_unless_allowed(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({"20261124_002_b.sql": "create table b (x int);"})
    assert cli("up")[0] == 0
    project.write({"20261124_001_a.sql": CREATE_A})

    code, _, err = cli("up")
    assert code == 1
    assert "older than the newest applied one: 20261124_001" in err
    assert not relation_exists(project.url, "a")

    assert cli("up", "--allow-out-of-order")[0] == 0
    assert relation_exists(project.url, "a")


def test_down_by_steps_and_to(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({
        "20261124_001_a.sql": CREATE_A, "20261124_001_rollback_a.sql": DROP_A,
        "20261124_002_b.sql": "alter table a add column b int;",
        "20261124_002_rollback_b.sql": "alter table a drop column b;\n"
                                       "delete from schema_migrations where version = '20261124_002';",
        "20261124_003_c.sql": "alter table a add column c int;",
        "20261124_003_rollback_c.sql": "alter table a drop column c;",
    })
    assert cli("up")[0] == 0
    assert columns(project.url, "a") == ["id", "b", "c"]

    assert cli("down", "--steps", "2")[0] == 0
    assert columns(project.url, "a") == ["id"]
    assert [row[0] for row in history(project.url)] == ["20261124_001"]

    assert cli("up")[0] == 0
    assert cli("down", "--to", "20261124_001")[0] == 0
    assert not relation_exists(project.url, "a")
    assert history(project.url) == []


def test_missing_rollback_file_stops_down_before_anything_runs(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({
        "20261124_001_a.sql": CREATE_A, "20261124_001_rollback_a.sql": DROP_A,
        "20261124_002_b.sql": "alter table a add column b int;",
    })
    assert cli("up")[0] == 0
    code, _, err = cli("down", "--steps", "2")
    assert code == 1
    assert "refused: no rollback file: 20261124_002" in err
    assert columns(project.url, "a") == ["id", "b"]
    assert [row[0] for row in history(project.url)] == ["20261124_001", "20261124_002"]


def test_up_then_down_to_zero_then_up_again(project: Project) -> None:
    project.write({
        "20261124_001_a.sql": CREATE_A, "20261124_001_rollback_a.sql": DROP_A,
        "20261124_002_b.sql": "create table b (a_id int references a (id));",
        "20261124_002_rollback_b.sql": "drop table b;",
    })
    commands.up(project.settings)
    _, down = commands.down(project.settings, steps=10)
    assert [step.version for step in down.steps] == ["20261124_002", "20261124_001"]
    assert history(project.url) == []
    _, again = commands.up(project.settings)
    assert [step.version for step in again.steps] == ["20261124_001", "20261124_002"]
    assert relation_exists(project.url, "b")


def test_bad_file_is_reported_before_anything_runs(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({"20261124_001_a.sql": CREATE_A, "20261124_002_b.sql": "create table b (x int);\ncommit;\nselect 1;"})
    code, out, err = cli("up")
    assert code == 2
    assert err.strip() == (
        "omnia-migrate: error: 20261124_002_b.sql:2: statement 2 is transaction control (COMMIT) in the middle"
        " of a file; remove it: the runner applies each file in exactly one transaction"
    )
    assert not relation_exists(project.url, "a")


def test_baseline_marks_versions_applied_without_running_them(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({"20261124_001_a.sql": CREATE_A, "20261124_002_b.sql": "create table b (x int);"})
    assert cli("baseline", "20261124_001")[0] == 0
    assert not relation_exists(project.url, "a")
    assert cli("up")[0] == 0
    assert relation_exists(project.url, "b") and not relation_exists(project.url, "a")
    assert [row[0] for row in history(project.url)] == ["20261124_001", "20261124_002"]


def test_status_reads_a_seed_history_without_checksums(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.write({"20261124_001_a.sql": CREATE_A})
    with psycopg.connect(project.url, autocommit=True) as connection:
        connection.execute("insert into schema_migrations (version, description) values ('20261124_001', 'seed')")
    code, out, _ = cli("--json", "status")
    import json
    assert code == 0
    (row,) = json.loads(out)["migrations"]
    assert (row["state"], row["checksum"]) == (State.APPLIED.value, None)
    assert cli("repair")[0] == 0
    assert history(project.url)[0][1] == hashlib.sha256(CREATE_A.encode()).hexdigest()


def test_new_writes_both_files_from_the_template_with_the_next_free_version(project: Project) -> None:
    project.write({"20261124_001_a.sql": CREATE_A})
    files = commands.new(project.settings, "Add priority to modules", today="20261124")
    assert [Path(f).name for f in files] == [
        "20261124_002_add_priority_to_modules.sql", "20261124_002_rollback_add_priority_to_modules.sql",
    ]
    text = Path(files[0]).read_text()
    assert text.startswith("-- Migration: 20261124_002_add_priority_to_modules.sql\n-- Description: Add priority")
    assert "BEGIN;" in text and "-- Pre-migration validation" in text and text.rstrip().endswith("COMMIT;")
    _, result = commands.up(project.settings)  # the template applies as it is
    assert [step.version for step in result.steps] == ["20261124_001", "20261124_002"]


def test_a_statement_ending_in_a_line_comment_does_not_swallow_the_next(project: Project) -> None:
    project.write({"20261124_001_comments.sql": "create table c1 (x int) -- trailing\n;\ncreate table c2 (x int) -- end"})
    _, result = commands.up(project.settings)
    assert result.failed is None
    assert relation_exists(project.url, "c1") and relation_exists(project.url, "c2")


def test_transaction_none_files_run_statement_by_statement_directly_and_are_refused_over_rpc(
    project: Project, cli  # type: ignore[no-untyped-def]
) -> None:
    project.write({
        "20261124_001_a.sql": CREATE_A,
        "20261124_002_index_a.sql": "-- Transaction: none\ncreate index concurrently if not exists a_id_idx on a (id);\n",
    })
    code, _, err = cli("up")
    if "SUPABASE_URL" in project.environment:
        assert code == 1
        assert "refused: `Transaction: none` files need a direct connection: 20261124_002" in err
        assert history(project.url) == []
    else:
        assert code == 0, err
        assert relation_exists(project.url, "a_id_idx")
        assert [row[0] for row in history(project.url)] == ["20261124_001", "20261124_002"]


def test_a_session_setting_of_one_file_does_not_leak_into_the_next(project: Project) -> None:
    project.write({
        "20261124_001_elsewhere.sql": "create schema elsewhere;\nset search_path = elsewhere, public;\n"
                                      "create table only_elsewhere (x int);",
        "20261124_002_here.sql": "create table only_public (x int);",
    })
    _, result = commands.up(project.settings)
    assert result.failed is None
    with psycopg.connect(project.url) as connection:
        placed = connection.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_name in ('only_elsewhere', 'only_public') order by 2"
        ).fetchall()
    # Direct: each file starts from RESET ALL. Over RPC: exec_sql's own `SET search_path` ends with the call.
    assert placed == [("elsewhere", "only_elsewhere"), ("public", "only_public")]
