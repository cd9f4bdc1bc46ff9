"""Bad configuration: exit 2 and one line that says what to change, with no secret in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.cli_process import run_cli

PASSWORD = "hunter2-very-secret"


def _only_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_database_url_that_does_not_connect_names_it_without_the_password(tmp_path: Path) -> None:
    result = run_cli(
        "install", env={"DATABASE_URL": f"postgresql://omnia:{PASSWORD}@127.0.0.1:1/app"}, cwd=tmp_path
    )
    assert result.returncode == 2
    line = _only_line(result.stderr)
    assert line.startswith("omnia-migrate: error: cannot connect to DATABASE_URL (postgresql://omnia:***@127.0.0.1:1/app)")
    assert "check DATABASE_URL" in line
    assert PASSWORD not in result.stderr + result.stdout


def test_database_url_that_is_not_a_connection_string_is_refused(tmp_path: Path) -> None:
    result = run_cli("install", env={"DATABASE_URL": f"host=x password={PASSWORD} bogus"}, cwd=tmp_path)
    assert result.returncode == 2
    line = _only_line(result.stderr)
    assert line.startswith("omnia-migrate: error: DATABASE_URL: is not a PostgreSQL connection string")
    assert "password=***" in line
    assert PASSWORD not in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"SUPABASE_URL": "127.0.0.1:54321", "SUPABASE_SERVICE_KEY": PASSWORD},
            "omnia-migrate: error: SUPABASE_URL: is not a URL (127.0.0.1:54321); "
            "use the project URL, e.g. https://abcd.supabase.co",
        ),
        (
            {"SUPABASE_URL": "https://abcd.supabase.co"},
            "omnia-migrate: error: SUPABASE_SERVICE_KEY: is not set; "
            "set it to the project's service_role key or an sb_secret_ key",
        ),
    ],
    ids=["url-not-a-url", "missing-service-key"],
)
def test_supabase_settings_errors_say_what_to_set(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    result = run_cli("install", "--print", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert _only_line(result.stderr) == expected
    assert result.stdout == ""
    assert PASSWORD not in result.stderr


def test_unwritable_state_dir_stops_dev_with_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run_cli("dev", "--port", "0", env={"OMNIA_HOME": str(blocker / "state")}, cwd=tmp_path)
    assert result.returncode == 2
    line = _only_line(result.stderr)
    assert line.startswith(f"omnia-migrate: error: OMNIA_HOME: cannot write the state directory {blocker / 'state'}")
    assert "set OMNIA_HOME to a writable directory" in line


def test_install_without_database_url_explains_the_two_ways(tmp_path: Path) -> None:
    result = run_cli("install", cwd=tmp_path)
    assert result.returncode == 2
    assert "install --print" in _only_line(result.stderr)


def test_help_loads_no_database_or_http_client() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from service.app.cli import build_parser; build_parser().format_help(); "
        "print(sorted(m for m in ('supabase', 'uvicorn', 'psycopg', 'pgserver', 'httpx', 'starlette') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_supabase_url_with_nothing_listening_exits_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    result = run_cli("status", env={"SUPABASE_URL": "http://127.0.0.1:9", "SUPABASE_SERVICE_KEY": PASSWORD},
                     cwd=tmp_path)
    assert result.returncode == 2
    line = _only_line(result.stderr)
    assert line.startswith("omnia-migrate: error: cannot connect to Supabase http://127.0.0.1:9: ConnectError")
    assert "check SUPABASE_URL and the network" in line
    assert PASSWORD not in result.stderr


def test_missing_migrations_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("--migrations", str(tmp_path / "nowhere"), "plan", cwd=tmp_path)
    assert result.returncode == 2
    assert _only_line(result.stderr) == (
        f"omnia-migrate: error: --migrations: {tmp_path / 'nowhere'} is not a folder;"
        " create it or pass --migrations DIR"
    )
