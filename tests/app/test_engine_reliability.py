"""Reliability over a direct connection: a killed runner, concurrent runners, lock contention."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import structlog

from service.app import commands
from service.app.migrate import RunOptions
from service.core.target import Timeouts
from service.localstack.embedded import EmbeddedPostgres
from tests.app.cli_process import CLEARED
from tests.app.conftest import Project
from tests.app.engine_fixtures import TEST_CONFIG, columns, history, relation_exists, write_files


def _runner(url: str, folder: Path, *arguments: str) -> subprocess.Popen[str]:
    environment = {key: value for key, value in os.environ.items() if key not in CLEARED}
    environment["DATABASE_URL"] = url
    return subprocess.Popen(
        [sys.executable, "-m", "service", "--config", str(TEST_CONFIG), "--migrations", str(folder), *arguments],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for_sleeping_session(url: str, timeout_s: float = 30) -> None:
    """Block until some session of this database sits in pg_sleep (polls pg_stat_activity)."""
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            row = connection.execute(
                "select 1 from pg_stat_activity where wait_event = 'PgSleep' and datname = current_database()"
            ).fetchone()
            if row:
                return
            time.sleep(0.05)
    raise AssertionError(f"no session reached pg_sleep within {timeout_s}s")


def test_runner_killed_mid_migration_leaves_nothing_and_the_next_up_completes(
    embedded_postgres: EmbeddedPostgres, fresh_database: str, tmp_path: Path
) -> None:
    url = embedded_postgres.url(fresh_database)
    folder = tmp_path / "migrations"
    write_files(folder, {
        "20261124_001_slow.sql": "create table half (x int);\ninsert into half values (1);\nselect pg_sleep(60);\n"
                                 "create table other_half (x int);\n",
    })
    runner = _runner(url, folder, "up")
    wait_for_sleeping_session(url)
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=10)
    assert not relation_exists(url, "half")

    write_files(folder, {"20261124_001_slow.sql": "create table half (x int);\ncreate table other_half (x int);\n"})
    finished = _runner(url, folder, "up")
    assert finished.wait(timeout=60) == 0, finished.stderr.read() if finished.stderr else ""
    assert relation_exists(url, "half") and relation_exists(url, "other_half")
    assert [row[0] for row in history(url)] == ["20261124_001"]


def test_four_runners_at_once_apply_each_migration_exactly_once(
    embedded_postgres: EmbeddedPostgres, fresh_database: str, tmp_path: Path
) -> None:
    url = embedded_postgres.url(fresh_database)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("create table applications (version text)")
    folder = tmp_path / "migrations"
    write_files(folder, {
        f"20261124_00{n}_step{n}.sql": f"insert into applications values ('{n}');\nselect pg_sleep(0.1);\n"
        for n in range(1, 6)
    })
    runners = [_runner(url, folder, "up") for _ in range(4)]
    codes = [runner.wait(timeout=120) for runner in runners]

    assert codes == [0, 0, 0, 0]
    with psycopg.connect(url) as connection:
        counts = connection.execute("select version, count(*) from applications group by 1 order by 1").fetchall()
    assert counts == [(str(n), 1) for n in range(1, 6)]
    assert [row[0] for row in history(url)] == [f"20261124_00{n}" for n in range(1, 6)]


def _blocked_table(url: str) -> psycopg.Connection[Any]:
    """A session that created `busy` and now reads it in an open transaction: an ALTER must wait for it."""
    blocker = psycopg.connect(url)
    blocker.execute("create table busy (x int)")
    blocker.commit()
    blocker.execute("lock table busy in access share mode")
    return blocker


def test_lock_contention_times_out_retries_and_succeeds_once_released(project: Project) -> None:
    project.write({"20261124_001_add_z.sql": "alter table busy add column z int;"})
    blocker = _blocked_table(project.url)
    sleeps: list[float] = []

    def release_after_second_timeout(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            blocker.commit()

    options = RunOptions(timeouts=Timeouts(lock_timeout_ms=100), retries=5, sleep=release_after_second_timeout)
    try:
        with structlog.testing.capture_logs() as events:
            _, result = commands.up(project.settings, options=options)
    finally:
        blocker.close()

    assert result.failed is None
    assert [step.version for step in result.steps] == ["20261124_001"]
    assert sleeps == [0.5, 1.0]
    timeouts = [e for e in events if e["event"] == "migration.lock_timeout"]
    assert [(e["version"], e["try_number"]) for e in timeouts] == [("20261124_001", 1), ("20261124_001", 2)]
    assert columns(project.url, "busy") == ["x", "z"]


def test_lock_contention_that_never_clears_fails_after_the_retries_naming_the_statement(project: Project) -> None:
    project.write({"20261124_001_add_z.sql": "select 1;\nalter table busy add column z int;"})
    with _blocked_table(project.url):
        options = RunOptions(timeouts=Timeouts(lock_timeout_ms=50), retries=3, sleep=lambda _: None)
        _, result = commands.up(project.settings, options=options)
    assert result.failed is not None
    assert (result.failed.sqlstate, result.failed.statement_index, result.failed.line) == ("55P03", 2, 2)
    assert result.failed.message == "canceling statement due to lock timeout"
    assert history(project.url) == []
    assert columns(project.url, "busy") == ["x"]
