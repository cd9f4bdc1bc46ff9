"""`omnia-migrate lint` formats and exit codes, findings in `plan`, and the lint gate of `up`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.app.cli import main
from tests.app.conftest import Project
from tests.app.engine_fixtures import history, relation_exists, write_files

UNSAFE_INDEX = "create index idx_accounts_a on accounts (a);\n"


def _lint(tmp_path: Path, capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    code = main(["--migrations", str(tmp_path / "migrations"), *arguments])
    return code, capsys.readouterr().out


def test_lint_json_lists_every_finding_with_the_stable_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "supabase_cli_style"
    write_files(folder, {"20240101120000_add_index.sql": "select 1;\n" + UNSAFE_INDEX})
    code, out = _lint(tmp_path, capsys, "lint", str(folder), "--format", "json")
    assert code == 1
    (finding,) = [f for f in json.loads(out)["findings"] if f["code"] == "L101"]
    assert finding == {
        "code": "L101", "name": "require-concurrent-index", "severity": "error",
        "file": str(folder / "20240101120000_add_index.sql"), "line": 2, "column": 32,
        "message": "CREATE INDEX without CONCURRENTLY holds a SHARE lock: writes to the table wait for the whole build",
        "help": "Build it with CREATE INDEX CONCURRENTLY, alone in a migration marked `-- Transaction: none`. "
                "Indexes on a table created earlier in the same run are fine.",
        "rewrite": "-- in a migration file of its own, marked:\n-- Transaction: none\n"
                   "CREATE INDEX CONCURRENTLY idx_accounts_a ON accounts (a);",
    }


def test_lint_json_is_ascii_with_other_characters_escaped(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "überweisung.sql"
    file.write_text(UNSAFE_INDEX + "alter table accounts drop column größe;\n")
    code, out = _lint(tmp_path, capsys, "lint", str(file), "--format", "json")
    assert code == 1
    assert out.isascii()
    assert "\\u00fcberweisung.sql" in out
    findings = json.loads(out)["findings"]
    assert {(f["code"], f["file"], f["line"]) for f in findings if f["code"] in ("L101", "B202")} == {
        ("L101", str(file), 1), ("B202", str(file), 2)}
    assert "größe" in next(f["message"] for f in findings if f["code"] == "B202")


def test_lint_text_and_github_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "one.sql"
    file.write_text(UNSAFE_INDEX)
    code, text = _lint(tmp_path, capsys, "lint", str(file))
    assert code == 1
    assert f"{file}:1:32: error L101 require-concurrent-index: CREATE INDEX without CONCURRENTLY" in text
    assert "    rewrite:\n        -- in a migration file of its own, marked:" in text
    _, github = _lint(tmp_path, capsys, "lint", str(file), "--format", "github")
    line = next(line for line in github.splitlines() if "L101" in line)
    assert line.startswith(f"::error file={file},line=1,col=32,title=L101 require-concurrent-index::CREATE INDEX")
    assert "%0A" in line and "\n" not in line


def test_lint_without_errors_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "ok.sql"
    file.write_text("-- Transaction: none\ncreate index concurrently if not exists i on accounts (a);\n")
    code, out = _lint(tmp_path, capsys, "lint", str(file), "--format", "json")
    assert code == 0
    assert [f for f in json.loads(out)["findings"] if f["severity"] == "error"] == []


def test_plan_shows_findings_and_up_refuses_a_file_with_an_error_naming_it(
    project: Project, cli  # type: ignore[no-untyped-def]
) -> None:
    write_files(project.folder, {"20261124_001_a.sql": "create table accounts (a int primary key);"})
    assert cli("up")[0] == 0
    write_files(project.folder, {"20261124_002_idx.sql": UNSAFE_INDEX})

    code, out, _ = cli("--json", "plan")
    document = json.loads(out)
    assert code == 1
    assert document["refusal"]["versions"] == ["20261124_002"]
    assert "20261124_002_idx.sql:1 L101 require-concurrent-index" in document["refusal"]["reason"]
    assert [f["code"] for f in document["findings"] if f["severity"] == "error"] == ["L101"]

    code, _, err = cli("up")
    assert code == 1
    assert "refused: lint errors in pending migrations (first: 20261124_002_idx.sql:1 L101" in err
    assert [row[0] for row in history(project.url)] == ["20261124_001"]

    write_files(project.folder, {"20261124_002_idx.sql": "-- Lint-ignore: L101 -- accounts is empty\n" + UNSAFE_INDEX})
    assert cli("up")[0] == 0
    assert relation_exists(project.url, "idx_accounts_a")


def test_an_index_on_a_table_created_by_an_earlier_pending_file_passes_the_gate(
    project: Project, cli  # type: ignore[no-untyped-def]
) -> None:
    write_files(project.folder, {
        "20261124_001_a.sql": "create table accounts (a int primary key);",
        "20261124_002_idx.sql": UNSAFE_INDEX,
    })
    assert cli("up")[0] == 0
    assert relation_exists(project.url, "idx_accounts_a")


def test_a_folder_skips_its_rollback_files_unless_one_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "m"
    write_files(folder, {
        "20261124_001_a.sql": "create table a (id bigint primary key);\nalter table a enable row level security;",
        "20261124_001_rollback_a.sql": "drop table a;",
    })
    code, out = _lint(tmp_path, capsys, "lint", str(folder), "--format", "json")
    assert (code, [f["code"] for f in json.loads(out)["findings"] if f["severity"] == "error"]) == (0, [])
    code, out = _lint(tmp_path, capsys, "lint", str(folder / "20261124_001_rollback_a.sql"), "--format", "json")
    assert code == 1
    assert "B201" in [f["code"] for f in json.loads(out)["findings"]]


def test_lint_loads_no_logging_database_or_http_library(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    write_files(tmp_path, {"one.sql": "select 1;\n" + UNSAFE_INDEX})
    probe = (
        "import sys; from service.app.cli import main; code = main(['lint', '--format', 'json', 'one.sql']); "
        "heavy = ('structlog', 'asyncio', 'psycopg', 'httpx', 'supabase', 'uvicorn', 'starlette'); "
        "print(code, sorted(m for m in heavy if m in sys.modules), file=sys.stderr)"
    )
    # No target configured, as in a CI lint job (a DATABASE_URL given is checked with psycopg's parser).
    env = {name: value for name, value in os.environ.items()
           if name not in ("DATABASE_URL", "SUPABASE_URL", "SUPABASE_SERVICE_KEY")}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path,
                            env=env)
    assert result.stderr.strip() == "1 []"
    assert "L101" in {finding["code"] for finding in json.loads(result.stdout)["findings"]}


def test_the_console_script_returns_mains_exit_code_with_the_heap_frozen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from service.app.cli import run

    write_files(tmp_path, {"one.sql": UNSAFE_INDEX})
    monkeypatch.setattr("sys.argv", ["omnia-migrate", "lint", str(tmp_path / "one.sql")])
    try:
        assert run() == 1
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "L101 require-concurrent-index" in capsys.readouterr().out
