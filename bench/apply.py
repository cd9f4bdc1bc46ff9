"""Benchmark of the migration engine (issue: migration engine). Prints figures; asserts nothing.

    python bench/apply.py [--count 500] [--reps N] [--durable] [--keep]

500 generated migrations (each: a table with an identity key, an index, a
comment, and row level security enabled, as our lint requires), applied by each tool in turn into its own fresh database on ONE
embedded PostgreSQL server, whole process timed from spawn to exit:

- ours direct:  DATABASE_URL=<uri> omnia-migrate --migrations DIR up
- ours RPC:     SUPABASE_URL=<endpoint> SUPABASE_SERVICE_KEY=<key> omnia-migrate --migrations DIR up
                (the endpoint: LocalRestServer in this process, over that database)
- floor:        ONE psql session, each file between its own BEGIN;/COMMIT;
- RPC floor:    the least any RPC path can do (not a tool: for the RPC targets): a bare Python
                process that POSTs each file's SQL as it is to /rest/v1/rpc/exec_sql through a bare
                httpx client, one request per file (no supabase client, parsing, lint, guard or
                history), against the same endpoint
- psql loop:    psql -1 -f FILE, once per file
- dbmate:       the npm package `dbmate` (installed into bench/.cache/ on first run)
- yoyo:         yoyo-migrations (pip-installed into this environment if missing)

Every database is a copy of the prepared `omnia_template` (create_database),
so all tools start from the same state; dbmate records into
`dbmate_migrations` because `schema_migrations` there is ours. After each run
the bench checks that all tables exist (and each tool's history has one row
per file). The server is non-durable (fsync off, as the tests run it) unless
--durable, and its data folder is in memory (/dev/shm) unless --disk: on this
machine the disk's timing of DDL (file creation and removal) varies by 2-4x
from run to run, which drowns the tools' own differences; these figures
measure tool overhead, not the disk.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    CACHE_DIR,
    machine_line,
    median,
    memory_dir,
    omnia_migrate,
    pg_bin_dir,
    prime_bytecode,
    remove_tree,
    run_timed,
    script_beside_python,
    shown,
    table,
    temp_root,
)

FIRST_DAY = datetime.date(2026, 1, 1)
PER_DAY = 50  # versions YYYYMMDD_001 .. YYYYMMDD_050, then the next day
TIME_BUDGET_S = 270.0  # aim: the whole script under ~5 minutes on 2 cores
WARM_UP_COUNT = 3
DEFAULT_REPS = 5  # the machine's speed drifts between runs: 5 medians hold better than 3
DIRECT_TARGET = 1.3
RPC_TARGET = 2.0


# The RPC floor: each file's SQL, as it is, in one exec_sql request per file, through a bare httpx client.
RPC_FLOOR_PROGRAM = """
import os, sys, pathlib, httpx
key = os.environ["SUPABASE_SERVICE_KEY"]
headers = {"apikey": key, "Authorization": "Bearer " + key}
with httpx.Client(base_url=sys.argv[1] + "/rest/v1") as client:
    for path in sorted(pathlib.Path(sys.argv[2]).glob("*.sql")):
        client.post("/rpc/exec_sql", json={"sql": path.read_text()}, headers=headers).raise_for_status()
"""


# --- the migrations ------------------------------------------------------------------------------------------

def table_sql(number: int) -> str:
    name = f"bench_t{number:04d}"
    return (
        f"create table {name} (id bigint generated always as identity primary key, "
        f"name text not null, created_at timestamptz not null default now());\n"
        f"create index {name}_name_idx on {name} (name);\n"
        f"comment on table {name} is 'generated table {number}';\n"
        f"alter table {name} enable row level security;\n"  # as a Supabase table must (our lint gate: S501)
    )


def our_name(number: int) -> tuple[str, str]:
    """(version, file name): 50 versions a day from 2026-01-01, real dates."""
    day = FIRST_DAY + datetime.timedelta(days=(number - 1) // PER_DAY)
    version = f"{day:%Y%m%d}_{(number - 1) % PER_DAY + 1:03d}"
    return version, f"{version}_t{number:04d}.sql"


@dataclass
class Files:
    ours: Path
    dbmate: Path
    yoyo: Path
    all_sql: Path
    loop: list[Path] = field(default_factory=list)


def generate(root: Path, count: int) -> Files:
    root.mkdir(exist_ok=True)
    files = Files(ours=root / "ours", dbmate=root / "dbmate", yoyo=root / "yoyo", all_sql=root / "all.sql")
    for folder in (files.ours, files.dbmate, files.yoyo):
        folder.mkdir()
    combined: list[str] = []
    for number in range(1, count + 1):
        body = table_sql(number)
        version, name = our_name(number)
        (files.ours / name).write_text(body)
        files.loop.append(files.ours / name)
        (files.dbmate / f"{version.replace('_', '')}_t{number:04d}.sql").write_text(
            f"-- migrate:up\n{body}\n-- migrate:down\ndrop table bench_t{number:04d};\n")
        (files.yoyo / f"{number:04d}_t.sql").write_text(body)
        combined.append(f"BEGIN;\n{body}COMMIT;\n")
    files.all_sql.write_text("".join(combined))
    return files


def lint_gate(omnia: str, folder: Path, cwd: Path) -> list[str]:
    """Error findings our `up` would refuse; each code gets a `Lint-ignore` header in our files (others unchanged).

    The generated SQL is written to pass the lint; this keeps the bench running
    if a later rule flags it, and says so.
    """
    argv = [omnia, "--migrations", str(folder), "lint", "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, check=False)
    try:
        findings = json.loads(done.stdout)["findings"]
    except (ValueError, KeyError):
        raise SystemExit(f"`{shown(argv)}` gave no JSON (exit {done.returncode}): {done.stderr[-500:]}") from None
    codes = sorted({finding["code"] for finding in findings if finding.get("severity") == "error"})
    if codes:
        header = "".join(f"-- Lint-ignore: {code} -- generated benchmark table\n" for code in codes)
        for path in folder.glob("*.sql"):
            path.write_text(header + path.read_text())
    return codes


# --- the peers' installs -------------------------------------------------------------------------------------

def dbmate_binary() -> tuple[str | None, str]:
    """The dbmate binary from the npm package (installed into bench/.cache/dbmate), or None and why."""
    prefix = CACHE_DIR / "dbmate"
    binary = prefix / "node_modules" / ".bin" / "dbmate"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None, "npm is not installed"
        command = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), "dbmate"]
        print(f"  installing dbmate: {shown(command)}")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not binary.exists():
            return None, f"npm install dbmate failed: {(done.stderr or done.stdout).strip()[-300:]}"
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False)
    if version.returncode != 0:
        return None, f"dbmate does not run here: {(version.stderr or version.stdout).strip()[-300:]}"
    return str(binary), version.stdout.strip()


def yoyo_binary() -> tuple[str | None, str]:
    """The `yoyo` script of this environment, pip-installing yoyo-migrations if it is missing."""
    beside, failure = script_beside_python("yoyo-migrations", "yoyo", indent="  ")
    if failure:
        return None, failure
    from importlib.metadata import version

    return str(beside), f"yoyo-migrations {version('yoyo-migrations')}"


# --- the runs ------------------------------------------------------------------------------------------------

@dataclass
class Tool:
    key: str
    label: str
    run: Callable[[str], tuple[float, list[str]]]  # database name -> (seconds, commands shown)
    history: str | None  # a query counting the tool's history rows, or None


class Bench:
    def __init__(self, root: Path, files: Files, count: int, durable: bool) -> None:
        from service.localstack.embedded import EmbeddedPostgres
        from service.localstack.keys import generate_keys

        self.root = root
        self.files = files
        self.count = count
        self.embedded = EmbeddedPostgres(root / "server", durable=durable)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.embedded.start()
        self.keys = generate_keys()
        self.bin = pg_bin_dir()
        self.psql = str(self.bin / "psql")
        self.omnia = omnia_migrate()
        self.cwd = root / "cwd"  # no omnia.toml, no .env, no yoyo.ini here
        self.cwd.mkdir()
        self.state = root / "omnia-home"
        self.logs = root / "logs"
        self.logs.mkdir()
        self.numbers = 0
        self.noop: dict[str, list[float]] = {"direct": [], "rpc": []}

    def close(self) -> None:
        self.embedded.stop()

    def url(self, database: str) -> str:
        return self.embedded.url(database)

    def log(self, name: str) -> Path:
        self.numbers += 1
        return self.logs / f"{self.numbers:03d}-{name}.log"

    def ours_direct(self, database: str) -> tuple[float, list[str]]:
        env = {"DATABASE_URL": self.url(database), "OMNIA_HOME": str(self.state)}
        argv = [self.omnia, "--migrations", str(self.files.ours), "up"]
        seconds = run_timed(argv, env=env, cwd=self.cwd, log=self.log("ours-direct"))
        # Info: the same command again, nothing pending: start-up, parsing, history and lock only.
        self.noop["direct"].append(run_timed(argv, env=env, cwd=self.cwd, log=self.log("ours-direct-noop")))
        return seconds, [shown(argv, env)]

    def ours_rpc(self, database: str) -> tuple[float, list[str]]:
        from service.localstack.rest import LocalRestServer, RestConfig

        config = RestConfig(database_url=self.embedded.url(database, "authenticator"),
                            jwt_secret=self.keys.jwt_secret, api_keys=self.keys.roles_by_key)
        with LocalRestServer(config, port=0) as server:
            env = {"SUPABASE_URL": server.url, "SUPABASE_SERVICE_KEY": self.keys.service_key,
                   "OMNIA_HOME": str(self.state)}
            argv = [self.omnia, "--migrations", str(self.files.ours), "up"]
            seconds = run_timed(argv, env=env, cwd=self.cwd, log=self.log("ours-rpc"))
            self.noop["rpc"].append(run_timed(argv, env=env, cwd=self.cwd, log=self.log("ours-rpc-noop")))
        note = ("    # endpoint: LocalRestServer(RestConfig(database_url=<db as authenticator>, ...)) "
                "in the bench process, started before the clock")
        return seconds, [shown(argv, env) + note]

    def rpc_floor(self, database: str) -> tuple[float, list[str]]:
        from service.localstack.rest import LocalRestServer, RestConfig

        config = RestConfig(database_url=self.embedded.url(database, "authenticator"),
                            jwt_secret=self.keys.jwt_secret, api_keys=self.keys.roles_by_key)
        with LocalRestServer(config, port=0) as server:
            argv = [sys.executable, "-c", RPC_FLOOR_PROGRAM, server.url, str(self.files.ours)]
            env = {"SUPABASE_SERVICE_KEY": self.keys.service_key}
            seconds = run_timed(argv, env=env, cwd=self.cwd, log=self.log("rpc-floor"))
        shown_argv = [sys.executable, "-c", "<RPC_FLOOR_PROGRAM in bench/apply.py>", "<endpoint>", str(self.files.ours)]
        return seconds, [shown(shown_argv, env)]

    def floor(self, database: str) -> tuple[float, list[str]]:
        argv = [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(database), "-f", str(self.files.all_sql)]
        return run_timed(argv, cwd=self.cwd, log=self.log("floor")), [shown(argv)]

    def psql_loop(self, database: str) -> tuple[float, list[str]]:
        url = self.url(database)
        log = self.log("psql-loop")
        started = time.perf_counter()
        for path in self.files.loop:
            run_timed([self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", url, "-f", str(path)],
                      cwd=self.cwd, log=log)
        seconds = time.perf_counter() - started
        first = [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", url, "-f", str(self.files.loop[0])]
        return seconds, [shown(first) + f"    # ... once per file, {len(self.files.loop)} runs"]

    def dbmate(self, binary: str) -> Callable[[str], tuple[float, list[str]]]:
        def run(database: str) -> tuple[float, list[str]]:
            url = f"postgres://postgres@/{database}?socket={self.embedded.socket_dir}&sslmode=disable"
            argv = [binary, "--url", url, "--migrations-dir", str(self.files.dbmate),
                    "--migrations-table", "dbmate_migrations", "--no-dump-schema", "up"]
            return run_timed(argv, cwd=self.cwd, log=self.log("dbmate")), [shown(argv)]
        return run

    def yoyo(self, binary: str) -> Callable[[str], tuple[float, list[str]]]:
        def run(database: str) -> tuple[float, list[str]]:
            url = f"postgresql+psycopg://postgres@/{database}?host={self.embedded.socket_dir}"
            argv = [binary, "apply", "--batch", "--no-config-file", "--database", url, str(self.files.yoyo)]
            return run_timed(argv, cwd=self.cwd, log=self.log("yoyo")), [shown(argv)]
        return run

    def warm_up(self, tools: list[Tool], files: Files) -> None:
        """Each tool once on a few files, untimed, so no tool pays for cold caches in the first repetition."""
        measured, self.files = self.files, files
        noop = {key: list(values) for key, values in self.noop.items()}
        try:
            for tool in tools:
                database = f"bench_warm_{tool.key}"
                self.embedded.create_database(database)
                tool.run(database)
                self.embedded.drop_database(database)
        finally:
            self.files, self.noop = measured, noop

    def verify(self, database: str, history: str | None) -> None:
        with self.embedded.connect(database) as connection:
            row = connection.execute(
                "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = 'public' and c.relkind = 'r' and c.relname like 'bench\\_t%'"
                " and obj_description(c.oid, 'pg_class') like 'generated table %'").fetchone()
            tables = row[0] if row else 0
            indexes_row = connection.execute(
                "select count(*) from pg_indexes where schemaname = 'public' and indexname like 'bench\\_t%\\_name\\_idx'"
            ).fetchone()
            indexes = indexes_row[0] if indexes_row else 0
            recorded = None
            if history:
                history_row = connection.execute(history).fetchone()
                recorded = history_row[0] if history_row else 0
        if tables != self.count or indexes != self.count or (history and recorded != self.count):
            raise RuntimeError(f"{database}: {tables} tables, {indexes} indexes, history {recorded}; "
                               f"expected {self.count} each")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=500, help="migrations (default 500)")
    parser.add_argument("--reps", type=int, default=0, help=f"repetitions (default: {DEFAULT_REPS} if they fit the time budget, else 1)")
    parser.add_argument("--durable", action="store_true", help="fsync on (default off, as the tests run it)")
    parser.add_argument("--disk", action="store_true", help="put the server and files in the temp dir, not /dev/shm")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and its logs")
    arguments = parser.parse_args()
    from service.app.logs import configure_logging

    configure_logging()  # the in-process endpoint's events: INFO and up, to stderr (not among the figures)
    began = time.perf_counter()

    root = temp_root("omnia-bench-apply-", None if arguments.disk else memory_dir())
    try:
        measure(arguments, root, began)
    finally:
        if not arguments.keep:
            remove_tree(root)
    print(f"\ntotal bench time {time.perf_counter() - began:.1f} s")
    return 0


def measure(arguments: argparse.Namespace, root: Path, began: float) -> None:
    """Generate, install the peers, run every tool into its own database, print the figures."""
    count = arguments.count
    print(machine_line())
    print(f"scratch: {root}")
    print(prime_bytecode())
    print(f"\n{count} migrations, each: create table (identity key) + create index + comment on table"
          " + enable row level security")
    files = generate(root, count)
    first_version, first_name = our_name(1)
    _last_version, last_name = our_name(count)
    print(f"  ours/psql: {first_name} .. {last_name} ({PER_DAY} a day from {FIRST_DAY})")
    print(f"  dbmate:    {first_version.replace('_', '')}_t0001.sql .. (-- migrate:up / -- migrate:down)")
    print(f"  yoyo:      0001_t.sql .. {count:04d}_t.sql")
    print(f"  floor:     {files.all_sql.name}, each file between BEGIN; and COMMIT;")
    ignored = lint_gate(omnia_migrate(), files.ours, root)
    if ignored:
        print(f"  NOTE: our lint flags the generated SQL ({', '.join(ignored)}); our files got "
              "`-- Lint-ignore:` headers for it (comments only)")
    else:
        print("  our lint: no error findings (up's lint gate passes)")

    print("\npeers:")
    dbmate, dbmate_note = dbmate_binary()
    print(f"  dbmate: {dbmate_note}" if dbmate else f"  dbmate: NOT MEASURED: {dbmate_note}")
    yoyo, yoyo_note = yoyo_binary()
    print(f"  yoyo:   {yoyo_note}" if yoyo else f"  yoyo:   NOT MEASURED: {yoyo_note}")

    bench = Bench(root, files, count, arguments.durable)
    try:
        version = bench.embedded.connect().execute("show server_version").fetchone()
        print(f"  server: embedded PostgreSQL {version[0] if version else '?'} "
              f"({'durable' if arguments.durable else 'non-durable: fsync, synchronous_commit, full_page_writes off'})"
              f", data in {'memory (tmpfs)' if str(root).startswith('/dev/shm') else 'the temp dir on disk'}"
              f", unix socket {bench.embedded.socket_dir}")
        print(f"  psql:   {bench.psql} (the server's own)")
        print("  every database: create_database(name), a copy of the prepared omnia_template")

        tools = [
            Tool("direct", "ours direct (DATABASE_URL)", bench.ours_direct, "select count(*) from public.schema_migrations"),
            Tool("rpc", "ours RPC (SUPABASE_URL, local endpoint)", bench.ours_rpc,
                 "select count(*) from public.schema_migrations"),
            Tool("floor", "floor: one psql session, BEGIN/COMMIT per file", bench.floor, None),
            Tool("rpcfloor", "RPC floor: bare httpx, one exec_sql POST per file", bench.rpc_floor, None),
            Tool("loop", "psql -1 -f FILE per file", bench.psql_loop, None),
        ]
        if dbmate:
            tools.append(Tool("dbmate", "dbmate up", bench.dbmate(dbmate), "select count(*) from dbmate_migrations"))
        if yoyo:
            tools.append(Tool("yoyo", "yoyo apply", bench.yoyo(yoyo), "select count(*) from _yoyo_migration"))

        bench.warm_up(tools, generate(root / "warm-up", WARM_UP_COUNT))
        print(f"  warm-up: each tool once on {WARM_UP_COUNT} files into its own database (untimed: "
              "first-run file and page caches)")

        seconds: dict[str, list[float]] = {tool.key: [] for tool in tools}
        commands: dict[str, list[str]] = {}
        reps = arguments.reps or DEFAULT_REPS
        rep = 0
        while rep < reps:
            rep += 1
            rep_started = time.perf_counter()
            order = tools[rep - 1:] + tools[:rep - 1]  # rotate, so no tool always runs first or last
            print(f"\nrepetition {rep}: " + ", ".join(tool.key for tool in order))
            for tool in order:
                database = f"bench_{tool.key}_{rep}"
                bench.embedded.create_database(database)
                elapsed, shown_commands = tool.run(database)
                bench.verify(database, tool.history)
                bench.embedded.drop_database(database)
                seconds[tool.key].append(elapsed)
                commands.setdefault(tool.key, shown_commands)
                print(f"  {tool.key:<7} {elapsed:8.3f} s  (verified: {count} tables, {count} indexes"
                      f"{f', {count} history rows' if tool.history else ''})", flush=True)
            if rep == 1 and not arguments.reps:
                one = time.perf_counter() - rep_started
                if time.perf_counter() - began + (reps - 1) * one > TIME_BUDGET_S:
                    print(f"  (one repetition took {one:.0f} s: {reps} would exceed the budget; reporting 1)")
                    reps = 1

        print("\ncommands timed (whole process, spawn to exit):")
        for tool in tools:
            for command in commands[tool.key]:
                print(f"  [{tool.key}] $ {command}")

        floor = median(seconds["floor"])
        rows: list[list[Any]] = []
        for tool in tools:
            value = median(seconds[tool.key])
            rows.append([tool.label, value, min(seconds[tool.key]), max(seconds[tool.key]), value / floor,
                         1000 * value / count])
        statistic = f"median of {reps} repetitions" if reps > 1 else "1 repetition"

        print(f"\nresults: {count} migrations, seconds ({statistic}), ratio to the floor")
        print(table(["tool", "s", "min s", "max s", "x floor", "ms/migration"], rows))

        direct = median(seconds["direct"])
        rpc = median(seconds["rpc"])
        print("\nour per-migration overhead over the floor, (ours - floor) / migrations:")
        print(f"  direct: {1000 * (direct - floor) / count:.2f} ms")
        print(f"  RPC:    {1000 * (rpc - floor) / count:.2f} ms")
        print("info: the same `up` run again right after, nothing pending (start-up, parsing all files, history,"
              " run lock; no lint: it lints pending files), and what is left per migration:")
        for key, total in (("direct", direct), ("rpc", rpc)):
            fixed = median(bench.noop[key])
            print(f"  {key:<6}  nothing pending {fixed:.3f} s;  (ours - nothing pending - floor) / migrations"
                  f" = {1000 * (total - fixed - floor) / count:.2f} ms")

        print("\ntargets:")
        checks: list[tuple[str, bool]] = [
            (f"direct within {DIRECT_TARGET}x of the floor ({direct / floor:.2f}x)", direct <= DIRECT_TARGET * floor),
            (f"RPC within {RPC_TARGET}x of the floor ({rpc / floor:.2f}x)", rpc <= RPC_TARGET * floor),
        ]
        for tool in tools:
            if tool.key in ("loop", "dbmate", "yoyo"):
                peer = median(seconds[tool.key])
                checks.append((f"direct faster than {tool.key} ({direct:.2f} s vs {peer:.2f} s)", direct < peer))
                checks.append((f"RPC faster than {tool.key} ({rpc:.2f} s vs {peer:.2f} s)", rpc < peer))
        for missing, installed in (("dbmate", dbmate), ("yoyo", yoyo)):
            if not installed:
                checks.append((f"faster than {missing}: not measured ({missing} could not be installed)", False))
        for text, passed in checks:
            print(f"  {'PASS' if passed else 'MISS'}  {text}")
        rpc_floor = median(seconds["rpcfloor"])
        print(f"\nthe RPC floor (one bare exec_sql request per file, nothing else) takes {rpc_floor:.2f} s,"
              f" {rpc_floor / floor:.2f}x the floor and {1000 * (rpc_floor - floor) / count:.2f} ms per migration"
              " more: what any RPC path pays for its HTTP round trips on this machine")
    finally:
        bench.close()


if __name__ == "__main__":
    raise SystemExit(main())
