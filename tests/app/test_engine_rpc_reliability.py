"""Reliability over the Supabase RPC path (real client, local endpoint): lost answers, kills, concurrent runners."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import structlog

from service.adapters.supabase import SupabaseTarget
from service.app import commands
from service.app.migrate import RunOptions, apply_plan
from service.core.migrations import collect_migrations
from service.core.plan import plan_up
from service.localstack.embedded import EmbeddedPostgres
from service.localstack.keys import DevKeys
from service.settings import Secret, Settings
from tests.app.cli_process import CLEARED
from tests.app.engine_fixtures import TEST_CONFIG, TEST_LINT, history, local_endpoint, relation_exists, write_files
from tests.app.test_engine_reliability import wait_for_sleeping_session

LOGGED_MIGRATION = "create table t{n} (x int);\ninsert into applications values ('{n}');\n"


@pytest.fixture
def endpoint(embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys) -> Iterator[Any]:
    with psycopg.connect(embedded_postgres.url(fresh_database), autocommit=True) as connection:
        connection.execute("create table applications (version text)")
    with local_endpoint(embedded_postgres, fresh_database, dev_keys) as server:
        yield server


def _applications(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as connection:
        return connection.execute("select version, count(*)::int from applications group by 1 order by 1").fetchall()


def _settings(folder: Path, server: Any, keys: DevKeys) -> Settings:
    return Settings(lint=TEST_LINT, migrations_dir=folder, supabase_url=server.url, supabase_service_key=Secret(keys.service_key),
                    state_dir=folder.parent / ".omnia", run_lock_wait_s=60)


@pytest.mark.parametrize("fault", ["drop_after_commit", "drop_before"])
def test_lost_answer_is_settled_by_the_history_and_never_applied_twice(
    endpoint: Any, embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys, tmp_path: Path,
    fault: str,
) -> None:
    url = embedded_postgres.url(fresh_database)
    folder = tmp_path / "migrations"
    write_files(folder, {"20261124_001_one.sql": LOGGED_MIGRATION.format(n=1)})
    endpoint.faults.arm(fault)

    with structlog.testing.capture_logs() as events:
        _, result = commands.up(_settings(folder, endpoint, dev_keys), options=RunOptions(sleep=lambda _: None))

    assert result.failed is None
    assert [step.version for step in result.steps] == ["20261124_001"]
    assert _applications(url) == [("1", 1)]
    assert [row[0] for row in history(url)] == ["20261124_001"]
    names = [event["event"] for event in events]
    if fault == "drop_after_commit":
        assert "migration.settled" in names  # committed: the history says so, no second run
    else:
        assert "migration.outcome_unknown" in names  # not committed: tried again, once


def test_answer_late_after_commit_with_a_client_timeout_is_not_applied_twice(
    endpoint: Any, embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys, tmp_path: Path,
) -> None:
    url = embedded_postgres.url(fresh_database)
    migrations = collect_migrations([("20261124_001_one.sql", LOGGED_MIGRATION.format(n=1).encode())])
    endpoint.faults.arm("delay_after_commit", seconds=2.0)
    target = SupabaseTarget(endpoint.url, Secret(dev_keys.service_key), timeout_s=0.5)
    try:
        result = apply_plan(target, plan_up(migrations, target.read_history()), RunOptions(sleep=lambda _: None))
    finally:
        target.close()
    assert result.failed is None
    assert _applications(url) == [("1", 1)]
    assert [row[0] for row in history(url)] == ["20261124_001"]


def _rpc_runner(server: Any, keys: DevKeys, folder: Path, *arguments: str) -> subprocess.Popen[str]:
    environment = {key: value for key, value in os.environ.items() if key not in CLEARED}
    environment.update({"SUPABASE_URL": server.url, "SUPABASE_SERVICE_KEY": keys.service_key})
    return subprocess.Popen(
        [sys.executable, "-m", "service", "--config", str(TEST_CONFIG), "--migrations", str(folder), *arguments],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_four_rpc_runners_at_once_apply_each_migration_exactly_once(
    endpoint: Any, embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys, tmp_path: Path,
) -> None:
    url = embedded_postgres.url(fresh_database)
    folder = tmp_path / "migrations"
    write_files(folder, {f"20261124_00{n}_step{n}.sql": LOGGED_MIGRATION.format(n=n) for n in range(1, 6)})
    runners = [_rpc_runner(endpoint, dev_keys, folder, "up") for _ in range(4)]
    outputs = [runner.communicate(timeout=120) for runner in runners]

    assert [runner.returncode for runner in runners] == [0, 0, 0, 0], outputs
    assert _applications(url) == [(str(n), 1) for n in range(1, 6)]
    assert [row[0] for row in history(url)] == [f"20261124_00{n}" for n in range(1, 6)]
    with psycopg.connect(url) as connection:
        assert connection.execute("select count(*) from omnia_locks").fetchone() == (0,)


def test_rpc_runner_killed_mid_migration_leaves_no_partial_change_and_the_next_up_completes(
    endpoint: Any, embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys, tmp_path: Path,
) -> None:
    url = embedded_postgres.url(fresh_database)
    folder = tmp_path / "migrations"
    write_files(folder, {
        "20261124_001_slow.sql": "create table half (x int);\nselect pg_sleep(1.5);\ncreate table other_half (x int);\n",
        "20261124_002_next.sql": "create table after_kill (x int);\n",
    })
    runner = _rpc_runner(endpoint, dev_keys, folder, "up")
    wait_for_sleeping_session(url)
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=10)
    # The request outlives its client: the endpoint's transaction commits or rolls back as one.
    assert relation_exists(url, "half") == relation_exists(url, "other_half")

    finished = _rpc_runner(endpoint, dev_keys, folder, "up")
    _, err = finished.communicate(timeout=60)
    assert finished.returncode == 0, err
    assert relation_exists(url, "half") and relation_exists(url, "other_half") and relation_exists(url, "after_kill")
    assert [row[0] for row in history(url)] == ["20261124_001", "20261124_002"]


def test_a_refused_service_key_is_a_clear_error(
    endpoint: Any, dev_keys: DevKeys, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    from service.app.cli import main

    (tmp_path / "migrations").mkdir()
    monkeypatch.setenv("SUPABASE_URL", endpoint.url)
    monkeypatch.setenv("SUPABASE_SERVICE_KEY", "sb_secret_not-the-right-one")
    code = main(["--migrations", str(tmp_path / "migrations"), "status"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"omnia-migrate: error: cannot connect to Supabase {endpoint.url}: the key was refused (Invalid API key)" in err
    assert "sb_secret_not-the-right-one" not in err


def test_a_run_lock_held_too_long_refuses_with_exit_1_naming_the_holder(
    endpoint: Any, embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys, tmp_path: Path,
) -> None:
    from dataclasses import replace

    from service.errors import RunLockHeld

    folder = tmp_path / "migrations"
    write_files(folder, {"20261124_001_one.sql": LOGGED_MIGRATION.format(n=1)})
    with psycopg.connect(embedded_postgres.url(fresh_database), autocommit=True) as connection:
        connection.execute("select omnia_lock_acquire('migrate', 'ops@elsewhere:1', 60)")
    settings = replace(_settings(folder, endpoint, dev_keys), run_lock_wait_s=0.3)
    with pytest.raises(RunLockHeld) as raised:
        commands.up(settings)
    assert raised.value.exit_code == 1
    assert raised.value.message.startswith("the run lock is held by ops@elsewhere:1 (waited 0.3 s); nothing was run")
    assert _applications(embedded_postgres.url(fresh_database)) == []


def test_a_guide_era_project_with_only_exec_sql_and_a_seed_history_is_upgraded_over_rpc(
    endpoint: Any, embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys, tmp_path: Path,
) -> None:
    url = embedded_postgres.url(fresh_database)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("drop function omnia_query(text)")
        for column in ("checksum", "execution_ms", "applied_by", "phase"):
            connection.execute(f"alter table schema_migrations drop column {column}")
        connection.execute("insert into schema_migrations (version, description) values ('20261101_001', 'seed')")
        connection.execute("notify pgrst, 'reload schema'")
    folder = tmp_path / "migrations"
    write_files(folder, {"20261101_001_seed.sql": "select 1;", "20261124_001_one.sql": LOGGED_MIGRATION.format(n=1)})

    _, result = commands.up(_settings(folder, endpoint, dev_keys))

    assert result.failed is None and [step.version for step in result.steps] == ["20261124_001"]
    applied_checksum = hashlib.sha256(LOGGED_MIGRATION.format(n=1).encode()).hexdigest()
    assert history(url) == [("20261101_001", None, False), ("20261124_001", applied_checksum, True)]
    with psycopg.connect(url) as connection:
        grantees = connection.execute(
            "select grantee from information_schema.routine_privileges"
            " where routine_name = 'omnia_query' order by 1"
        ).fetchall()
    assert grantees == [("postgres",), ("service_role",)]
