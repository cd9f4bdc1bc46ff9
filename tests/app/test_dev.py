"""`omnia-migrate dev`: one JSON line once it answers, the real client works against it, SIGTERM leaves nothing behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg

from tests.app.cli_process import CLEARED


def _postgres_processes_for(pgdata: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command_line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "postgres" in command_line and str(pgdata) in command_line:
            found.append(int(entry.name))
    return found


def test_dev_prints_one_json_line_serves_the_client_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    from supabase import create_client

    state = tmp_path / ".omnia"
    environment = {key: value for key, value in os.environ.items() if key not in CLEARED}
    environment["OMNIA_HOME"] = str(state)
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "dev", "--port", "0", "--json"],
        env=environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        info = json.loads(line)
        assert sorted(info) == ["anon_key", "database_url", "jwt_secret", "rest_url", "service_key"]
        assert info["rest_url"].startswith("http://127.0.0.1:") and not info["rest_url"].endswith("/rest/v1")
        assert info["service_key"].startswith("sb_secret_") and info["anon_key"].startswith("sb_publishable_")

        client = create_client(info["rest_url"], info["service_key"])
        client.rpc("exec_sql", {"sql": "create table public.made_through_dev (x int)"}).execute()
        with psycopg.connect(info["database_url"]) as connection:
            assert connection.execute("select to_regclass('public.made_through_dev')::text").fetchone() == (
                "made_through_dev",
            )
        assert _postgres_processes_for(state / "pgdata")

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert process.stdout.read() == ""  # --json: exactly one line on stdout
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert _postgres_processes_for(state / "pgdata") == []
    try:
        httpx.get(info["rest_url"] + "/rest/v1/", timeout=2)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the endpoint still answers after SIGTERM")
