"""Benchmark of the local stack (issue: foundation). Prints figures; asserts nothing.

    python bench/localstack.py [--cold N] [--warm N] [--creates N] [--requests N]

(a) `omnia-migrate dev --port 0 --json`: wall seconds from Popen to its JSON
    line (the endpoint answers then), cold (a new empty OMNIA_HOME: initdb and
    the template's preparation included) and warm (the same OMNIA_HOME again);
    each start is confirmed by one real `create_client(...).rpc('exec_sql')`.
(b) A fresh database: `EmbeddedPostgres.create_database` (a file copy of the
    prepared `omnia_template`) against `CREATE DATABASE x TEMPLATE template0`
    (what `createdb` sends), both on one server, alternating, each call with
    its own connection, on a non-durable server (as the tests run it) and a
    durable one (as `dev` runs it), on disk, and non-durable in memory
    (/dev/shm): this machine's disk makes file creation and removal vary by
    up to 10x between runs. For information, the same template copied
    with `STRATEGY wal_log` (PostgreSQL's default) is timed beside them.
(c) `client.rpc('exec_sql', {'sql': 'select 1'}).execute()` through the real
    `supabase` client against the endpoint of a running `omnia-migrate dev`
    (a separate process), sequential; the peer/floor is
    `select public.exec_sql('select 1')` over a direct psycopg connection to
    the same server. A raw httpx POST of the same RPC is shown to split client
    cost from endpoint cost.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    child_env,
    machine_line,
    median,
    memory_dir,
    omnia_migrate,
    prime_bytecode,
    remove_tree,
    shown,
    table,
    temp_root,
)

READY_TIMEOUT_S = 120.0
ROUNDS = 4  # (c): each path's requests are split into this many interleaved rounds


# --- (a) start-up -----------------------------------------------------------------------------------------

class DevProcess:
    """One `omnia-migrate dev --port 0 --json` child: started, timed to its JSON line, stopped with SIGTERM."""

    def __init__(self, home: Path, log: Path) -> None:
        self.home = home
        self.env = {"OMNIA_HOME": str(home)}
        self.argv = [omnia_migrate(), "dev", "--port", "0", "--json"]
        self.log = log
        self.info: dict[str, str] = {}
        self.ready_s = 0.0
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        with open(self.log, "ab") as log:
            started = time.perf_counter()
            self._process = subprocess.Popen(self.argv, env=child_env(self.env), stdout=subprocess.PIPE,
                                             stderr=log, cwd=self.home.parent)
        try:
            line = _read_line(self._process, READY_TIMEOUT_S)
            self.ready_s = time.perf_counter() - started
            self.info = json.loads(line)
        except BaseException:
            self._process.kill()
            self._process.wait()
            raise
        return self.ready_s

    def stop(self) -> int:
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        try:
            code = self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            code = self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()
        self._process = None
        if code != 0:
            raise RuntimeError(f"`omnia-migrate dev` exited {code} on SIGTERM; see {self.log}")
        return code


def _read_line(process: subprocess.Popen[bytes], timeout_s: float) -> str:
    """The child's first stdout line, without blocking past `timeout_s`."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                process.kill()
                raise RuntimeError("no JSON line from `omnia-migrate dev` in time")
            if selector.select(left):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError(f"`omnia-migrate dev` exited ({process.wait()}) before its JSON line")
                buffer += chunk
    return buffer.split(b"\n", 1)[0].decode()


def confirm(info: dict[str, str]) -> None:
    """One real supabase-client RPC against the started endpoint."""
    from supabase import create_client

    client = create_client(info["rest_url"], info["service_key"])
    client.rpc("exec_sql", {"sql": "select 1"}).execute()


def start_confirmed(dev: DevProcess) -> float:
    """Start `dev` (timed), then confirm it with a real RPC; a dev that fails the check is stopped."""
    seconds = dev.start()
    try:
        confirm(dev.info)
    except BaseException:
        dev.stop()
        raise
    return seconds


def startup(root: Path, cold_runs: int, warm_runs: int) -> tuple[list[list[Any]], list[str], DevProcess]:
    """(a) Cold and warm start-up times; returns the table rows, the commands, and a running warm dev."""
    cold: list[float] = []
    commands: list[str] = []
    home = root
    for number in range(1, cold_runs + 1):
        home = root / f"cold-{number}" / ".omnia"
        home.parent.mkdir(parents=True)
        dev = DevProcess(home, root / "dev.log")
        commands.append(shown(dev.argv, dev.env) + "    # cold: new empty OMNIA_HOME")
        cold.append(start_confirmed(dev))
        dev.stop()
    warm: list[float] = []
    for _ in range(warm_runs):
        dev = DevProcess(home, root / "dev.log")
        warm.append(start_confirmed(dev))
        dev.stop()
    commands.append(shown(dev.argv, dev.env) + f"    # warm: the last cold OMNIA_HOME again, x{warm_runs}")
    running = DevProcess(home, root / "dev.log")  # kept for (c)
    start_confirmed(running)
    rows = [
        ["cold (initdb + template)", cold_runs, median(cold), min(cold), max(cold)],
        ["warm (same OMNIA_HOME)", warm_runs, median(warm), min(warm), max(warm)],
    ]
    return rows, commands, running


# --- (b) fresh databases ------------------------------------------------------------------------------------

def fresh_databases(root: Path, creates: int) -> tuple[list[list[Any]], list[str]]:
    """(b) create_database (template copy) vs CREATE DATABASE ... TEMPLATE template0, on one server each."""
    import psycopg
    from psycopg import sql

    from service.localstack.embedded import TEMPLATE_DATABASE, EmbeddedPostgres

    rows: list[list[Any]] = []
    commands: list[str] = []
    servers: list[tuple[str, bool, Path]] = [("non-durable, disk", False, root), ("durable, disk", True, root)]
    memory = memory_dir()
    if memory is not None:
        servers.append(("non-durable, memory", False, temp_root("omnia-bench-localstack-", memory)))
    for label, durable, under in servers:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            embedded = EmbeddedPostgres(under / f"server-{label.replace(', ', '-')}", durable=durable)
            embedded.start()
        try:
            ours: list[float] = []
            peer: list[float] = []
            wal_log: list[float] = []
            for number in range(creates + 2):  # the first two of each are warm-up
                name = f"bench_tpl_{number}"
                started = time.perf_counter()
                embedded.create_database(name)
                elapsed_ours = time.perf_counter() - started

                logged = f"bench_wal_{number}"
                started = time.perf_counter()
                with psycopg.connect(embedded.url(), autocommit=True) as connection:
                    connection.execute(sql.SQL("create database {} template {} strategy wal_log").format(
                        sql.Identifier(logged), sql.Identifier(TEMPLATE_DATABASE)))
                elapsed_logged = time.perf_counter() - started

                plain = f"bench_t0_{number}"
                started = time.perf_counter()
                with psycopg.connect(embedded.url(), autocommit=True) as connection:
                    connection.execute(sql.SQL("create database {} template template0").format(sql.Identifier(plain)))
                elapsed_peer = time.perf_counter() - started
                if number >= 2:
                    ours.append(elapsed_ours * 1000)
                    peer.append(elapsed_peer * 1000)
                    wal_log.append(elapsed_logged * 1000)
                embedded.drop_database(name)
                embedded.drop_database(logged)
                embedded.drop_database(plain)
            rows.append([label, creates, median(ours), median(peer), median(ours) / median(peer), median(wal_log)])
            if not commands:
                commands += [
                    (f"EmbeddedPostgres(...).create_database(name)  ->  {embedded.url()}: "
                    "create database \"bench_tpl_N\" template \"omnia_template\" strategy file_copy"),
                    f"psycopg.connect({embedded.url()!r}): create database \"bench_t0_N\" template template0",
                    (f"psycopg.connect({embedded.url()!r}): create database \"bench_wal_N\" template "
                    "\"omnia_template\" strategy wal_log    # info: the same copy with the other strategy"),
                ]
        finally:
            embedded.stop()
            if under != root:
                remove_tree(under)
    return rows, commands


# --- (c) request rate ---------------------------------------------------------------------------------------

def request_rate(info: dict[str, str], requests: int) -> tuple[list[list[Any]], list[str]]:
    """(c) exec_sql('select 1') per second: supabase client -> endpoint, raw httpx -> endpoint, direct psycopg."""
    import httpx
    import psycopg

    from supabase import create_client

    warm_up = max(100, requests // 20)
    client = create_client(info["rest_url"], info["service_key"])

    def via_client() -> None:
        client.rpc("exec_sql", {"sql": "select 1"}).execute()

    http = httpx.Client(base_url=info["rest_url"])
    headers = {"apikey": info["service_key"], "Authorization": f"Bearer {info['service_key']}",
               "Content-Type": "application/json"}

    def via_httpx() -> None:
        response = http.post("/rest/v1/rpc/exec_sql", json={"sql": "select 1"}, headers=headers)
        response.raise_for_status()

    connection = psycopg.connect(info["database_url"], autocommit=True)

    def via_psycopg() -> None:
        connection.execute("select public.exec_sql('select 1')").fetchall()

    paths = (("client", via_client), ("httpx", via_httpx), ("psycopg", via_psycopg))
    for _, call in paths:
        for _ in range(warm_up):
            call()
    # Interleaved rounds, rotated, so a slow patch of the machine does not land on one path only.
    spent = dict.fromkeys((name for name, _ in paths), 0.0)
    done = dict.fromkeys(spent, 0)
    for round_number in range(ROUNDS):
        share = requests // ROUNDS + (1 if round_number < requests % ROUNDS else 0)
        for name, call in paths[round_number % 3:] + paths[:round_number % 3]:
            started = time.perf_counter()
            for _ in range(share):
                call()
            spent[name] += time.perf_counter() - started
            done[name] += share
    rates = {name: done[name] / spent[name] for name in spent}
    http.close()
    connection.close()
    floor = rates["psycopg"]
    rows = [
        ["supabase client -> endpoint (ours)", requests, rates["client"], 1000 / rates["client"],
         floor / rates["client"]],
        ["raw httpx POST -> endpoint (info)", requests, rates["httpx"], 1000 / rates["httpx"],
         floor / rates["httpx"]],
        ["direct psycopg (peer / floor)", requests, floor, 1000 / floor, 1.0],
    ]
    commands = [
        (f"create_client({info['rest_url']!r}, SERVICE_KEY).rpc('exec_sql', {{'sql': 'select 1'}}).execute()"
        f"  x{requests} sequential after {warm_up} warm-up, in {ROUNDS} rounds interleaved with the other two paths"),
        (f"httpx.Client().post({info['rest_url'] + '/rest/v1/rpc/exec_sql'!r}, json={{'sql': 'select 1'}},"
        " headers={apikey, Authorization})"),
        f"psycopg.connect({info['database_url']!r}, autocommit=True).execute(\"select public.exec_sql('select 1')\")",
    ]
    return rows, commands


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", type=int, default=3, help="cold starts (default 3)")
    parser.add_argument("--warm", type=int, default=5, help="warm starts (default 5)")
    parser.add_argument("--creates", type=int, default=20, help="databases created per kind (default 20)")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per path (default 2000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    arguments = parser.parse_args()

    root = temp_root("omnia-bench-localstack-")
    print(machine_line())
    print(f"scratch: {root}")
    print(prime_bytecode())
    began = time.perf_counter()
    running: DevProcess | None = None
    try:
        print("\n(a) start-up of `omnia-migrate dev`: Popen -> JSON line (endpoint answering), seconds")
        startup_rows, startup_commands, running = startup(root, arguments.cold, arguments.warm)
        for command in startup_commands:
            print(f"  $ {command}")
        print("  each start confirmed by: create_client(rest_url, service_key).rpc('exec_sql', "
              "{'sql': 'select 1'}).execute(); stopped by SIGTERM (exit 0 checked)")
        print(table(["start", "runs", "median s", "min s", "max s"], startup_rows))

        print("\n(b) a fresh database on the same server, milliseconds per CREATE DATABASE (connect included)")
        database_rows, database_commands = fresh_databases(root, arguments.creates)
        for command in database_commands:
            print(f"  $ {command}")
        print(table(["server", "n", "template copy ms (ours)", "template0 ms (createdb)", "ratio ours/template0",
                     "info: template wal_log ms"], database_rows))

        print("\n(c) exec_sql('select 1') requests per second, sequential, against the running warm "
              "`omnia-migrate dev` (separate process)")
        rate_rows, rate_commands = request_rate(running.info, arguments.requests)
        for command in rate_commands:
            print(f"  $ {command}")
        print(table(["path", "requests", "req/s", "ms/req", "floor/path"], rate_rows))
        ours = rate_rows[0][2]
        print(f"  ours reaches {ours / rate_rows[2][2]:.1%} of the direct-psycopg rate "
              f"({rate_rows[0][3] - rate_rows[2][3]:.2f} ms added per request; "
              f"{rate_rows[0][3] - rate_rows[1][3]:.2f} ms of it in the supabase client)")
    finally:
        if running is not None:
            running.stop()
        if not arguments.keep:
            remove_tree(root)
    print(f"\ntotal bench time {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
