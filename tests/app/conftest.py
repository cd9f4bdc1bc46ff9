"""Fixtures of the app tests: a project (migrations folder + database) on each target, and the CLI on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.app.cli import main
from service.localstack.embedded import EmbeddedPostgres
from service.localstack.keys import DevKeys
from service.settings import Secret, Settings
from tests.app.engine_fixtures import TEST_CONFIG, TEST_LINT, local_endpoint, write_files


@dataclass
class Project:
    """A migrations folder and the database the settings point at."""

    settings: Settings
    url: str
    folder: Path
    environment: dict[str, str]

    def write(self, files: dict[str, str | bytes]) -> None:
        write_files(self.folder, files)


@pytest.fixture(params=["direct", "supabase"])
def project(
    request: pytest.FixtureRequest, embedded_postgres: EmbeddedPostgres, fresh_database: str, tmp_path: Path,
    dev_keys: DevKeys,
) -> Iterator[Project]:
    """The same engine over a direct connection and over the real supabase client + local endpoint."""
    url = embedded_postgres.url(fresh_database)
    folder = tmp_path / "migrations"
    folder.mkdir()
    if request.param == "direct":
        settings = Settings(lint=TEST_LINT, state_dir=tmp_path / ".omnia", migrations_dir=folder, database_url=Secret(url),
                            run_lock_wait_s=30)
        yield Project(settings, url, folder, {"DATABASE_URL": url})
        return
    with local_endpoint(embedded_postgres, fresh_database, dev_keys) as server:
        settings = Settings(lint=TEST_LINT, state_dir=tmp_path / ".omnia", migrations_dir=folder, supabase_url=server.url,
                            supabase_service_key=Secret(dev_keys.service_key), run_lock_wait_s=30)
        yield Project(settings, url, folder,
                      {"SUPABASE_URL": server.url, "SUPABASE_SERVICE_KEY": dev_keys.service_key})


@pytest.fixture
def cli(project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the CLI in-process against the project: returns (exit code, stdout, stderr)."""
    for name in ("DATABASE_URL", "SUPABASE_URL", "SUPABASE_SERVICE_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in project.environment.items():
        monkeypatch.setenv(name, value)

    def run(*arguments: str) -> tuple[int, str, str]:
        code = main(["--config", str(TEST_CONFIG), "--migrations", str(project.folder), *arguments])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
