"""Omnia's own migrations: up, down to zero, up again on both targets, with the guide's data patterns."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg

from service.app import commands
from tests.app.conftest import Project
from tests.app.engine_fixtures import columns, history, relation_exists

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
CORE_TABLES = ["user_enabled_modules", "tracking_entries", "plugin_configs", "user_data", "user_settings"]
USER = "00000000-0000-0000-0000-000000000001"


def test_omnia_migrations_go_up_down_to_zero_and_up_again_keeping_data(project: Project) -> None:
    for file in MIGRATIONS.glob("*.sql"):
        shutil.copy(file, project.folder / file.name)
    _, first = commands.up(project.settings, to="20261124_003")
    assert first.failed is None and len(first.steps) == 3
    with psycopg.connect(project.url, autocommit=True) as connection:
        connection.execute("insert into auth.users (id, email) values (%s, 'a@example.com')", (USER,))
        connection.execute("insert into user_data (user_id, old_name, email) values (%s, 'Ada', null)", (USER,))
        connection.execute(
            "insert into user_settings (user_id, setting_key, setting_value) values (%s, 'limit', '42'), (%s, 'theme', 'dark')",
            (USER, USER),
        )

    _, rest = commands.up(project.settings)
    assert [step.version for step in rest.steps] == [f"20261124_00{n}" for n in range(4, 10)]
    with psycopg.connect(project.url) as connection:
        assert connection.execute("select new_name, email from user_data").fetchall() == [("Ada", "unknown@example.com")]
        assert connection.execute(
            "select setting_key, setting_value from user_settings order by 1"
        ).fetchall() == [("limit", 42), ("theme", None)]
    assert "old_name" not in columns(project.url, "user_data")
    with psycopg.connect(project.url) as connection:
        secured = connection.execute(
            "select count(*) from pg_class where relrowsecurity and relname = any(%s)", (CORE_TABLES + ["new_feature_data"],)
        ).fetchone()
    assert secured == (6,)

    _, down = commands.down(project.settings, steps=100)
    assert [step.version for step in down.steps] == [f"20261124_00{n}" for n in range(9, 0, -1)]
    assert history(project.url) == []
    assert not any(relation_exists(project.url, table) for table in CORE_TABLES + ["new_feature_data"])

    _, again = commands.up(project.settings)
    assert again.failed is None and len(again.steps) == 9
    assert columns(project.url, "user_settings") == ["id", "user_id", "setting_key", "setting_value"]
