"""The command line: arguments -> Settings -> commands; errors -> one message and an exit code."""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from service.errors import ConfigurationError, ServiceError

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_USAGE = 2
DEFAULT_DEV_PORT = 54321


def _global_options(*, for_subcommand: bool) -> argparse.ArgumentParser:
    # Global options are accepted before or after the command; on the subcommand
    # they default to SUPPRESS so they do not overwrite values given before it.
    parser = argparse.ArgumentParser(add_help=False)
    default: Any = argparse.SUPPRESS if for_subcommand else None
    parser.add_argument("--migrations", metavar="DIR", default=default, help="migrations folder (default: migrations)")
    parser.add_argument("--config", metavar="FILE", default=default, help="config file (default: omnia.toml if present)")
    parser.add_argument("--target", metavar="NAME", default=default, help="a named target of the config file")
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS if for_subcommand else False,
        help="one JSON document on stdout; logs go to stderr",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS if for_subcommand else False,
        help="debug logs",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The `omnia-migrate` argument parser."""
    parser = argparse.ArgumentParser(
        prog="omnia-migrate",
        description="Apply, roll back, lint and watch Supabase/PostgreSQL schema migrations.",
        parents=[_global_options(for_subcommand=False)],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    subcommand_globals = _global_options(for_subcommand=True)

    install = commands.add_parser(
        "install", parents=[subcommand_globals],
        help="prepare a Supabase project: history and lock tables, exec_sql and read RPCs",
    )
    install.add_argument("--print", action="store_true", dest="print_only", help="print the SQL for the SQL editor")

    new = commands.add_parser("new", parents=[subcommand_globals], help="write a migration and its rollback file")
    new.add_argument("description", metavar="DESCRIPTION")
    new.add_argument("--phase", choices=["expand", "contract"])
    new.add_argument("--no-transaction", action="store_true", help="for statements that cannot run in a transaction")

    commands.add_parser("status", parents=[subcommand_globals], help="every version and its state")

    plan = commands.add_parser("plan", parents=[subcommand_globals], help="what `up` would run; changes nothing")
    _selection_options(plan)

    up = commands.add_parser("up", parents=[subcommand_globals], help="apply pending migrations")
    _selection_options(up)
    up.add_argument("--lock-timeout", type=duration_ms, default=5_000, metavar="S",
                    help="SET LOCAL lock_timeout per migration (default 5s)")
    up.add_argument("--statement-timeout", type=duration_ms, default=15 * 60_000, metavar="S",
                    help="SET LOCAL statement_timeout per migration (default 15min)")
    up.add_argument("--retries", type=int, default=5, help="tries per migration on lock timeouts (default 5)")
    up.add_argument("--dry-run", action="store_true", help="show the plan, apply nothing")

    down = commands.add_parser("down", parents=[subcommand_globals], help="roll back applied migrations")
    steps_or_to = down.add_mutually_exclusive_group()
    steps_or_to.add_argument("--steps", type=int, help="how many, newest first (default 1)")
    steps_or_to.add_argument("--to", metavar="V", help="roll back every version down to V, V included")
    down.add_argument("--lock-timeout", type=duration_ms, default=5_000, metavar="S")
    down.add_argument("--retries", type=int, default=5)

    lint = commands.add_parser("lint", parents=[subcommand_globals],
                               help="lint SQL files for dangerous DDL and Supabase security problems")
    lint.add_argument("paths", nargs="*", metavar="PATH", help=".sql files or folders (default: the migrations)")
    lint.add_argument("--format", choices=["text", "json", "github"], default="text")

    commands.add_parser("repair", parents=[subcommand_globals], help="re-record the checksums of applied files")
    baseline = commands.add_parser("baseline", parents=[subcommand_globals],
                                   help="mark versions up to V applied without running them")
    baseline.add_argument("version", metavar="VERSION")

    dev = commands.add_parser(
        "dev", parents=[subcommand_globals],
        help="run the embedded PostgreSQL and a local Supabase-compatible REST endpoint",
    )
    dev.add_argument("--port", type=int, default=DEFAULT_DEV_PORT, help="REST port (0 picks a free one)")
    return parser


def _selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", metavar="V", help="stop after version V (included)")
    parser.add_argument("--phase", choices=["expand", "contract"], help="only migrations of this phase")
    parser.add_argument("--allow-out-of-order", action="store_true", help="apply pending versions older than applied ones")


DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m|h)?\s*$")
UNIT_MS = {"ms": 1, "s": 1000, "sec": 1000, None: 1000, "min": 60_000, "m": 60_000, "h": 3_600_000}


def duration_ms(text: str) -> int:
    """`5`, `5s`, `500ms`, `2min` -> milliseconds."""
    match = DURATION.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration; use seconds or a unit: 5, 5s, 500ms, 2min")
    return round(float(match[1]) * UNIT_MS[match[2]])


def run() -> int:
    """The `omnia-migrate` console script: `main`, then an exit that skips the collector's last full pass.

    At exit the interpreter would trace every object once more, parse trees included (about 50 ms after
    `up` with 500 files); freezing them first skips that, while atexit handlers and finalizers still run.
    """
    code = main()
    gc.freeze()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `omnia-migrate` console script; returns the exit code."""
    arguments = build_parser().parse_args(argv)
    try:
        return _run(arguments)
    except ServiceError as error:
        print(f"omnia-migrate: error: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


def _run(arguments: argparse.Namespace) -> int:
    from service.settings import load_settings

    settings = load_settings(
        os.environ,
        config_file=Path(arguments.config) if arguments.config else None,
    )
    if arguments.target:
        raise ConfigurationError("--target", "named targets are not supported yet; "
                                 "choose the target with DATABASE_URL or SUPABASE_URL + SUPABASE_SERVICE_KEY")
    if arguments.migrations:
        settings = _with_migrations(settings, Path(arguments.migrations))
    if arguments.command == "lint":
        return _lint(arguments, settings)
    from service.app.logs import configure_logging

    configure_logging(verbose=arguments.verbose, secrets=settings.secrets)

    from service.app import commands

    if arguments.command == "install":
        if arguments.print_only:
            sys.stdout.write(commands.install_script())
        else:
            commands.install(settings)
        return EXIT_OK
    if arguments.command == "dev":
        if not 0 <= arguments.port <= 65535:
            raise ConfigurationError("--port", f"{arguments.port} is not a port; use 0 to 65535 (0 picks a free one)")
        commands.run_local_stack(
            settings, port=arguments.port, on_ready=lambda info: _print_local_stack(info, as_json=arguments.json)
        )
        return EXIT_OK
    from service.app import output

    with _loaded_code_frozen():
        return output.run_migration_command(arguments, settings)


def _lint(arguments: argparse.Namespace, settings: Any) -> int:
    """`lint` prints its findings and logs nothing: it loads no logging, database or HTTP library."""
    from service.app import lint_report, linting

    with _loaded_code_frozen():
        findings = linting.lint_paths(settings, [Path(path) for path in arguments.paths])
    print(lint_report.render(findings, "json" if arguments.json else arguments.format))
    return EXIT_FOUND if lint_report.has_errors(findings) else EXIT_OK


@contextmanager
def _loaded_code_frozen() -> Iterator[None]:
    """Keep the cyclic collector off what is loaded so far (modules, classes: they live as long as the process)
    while a command runs. Otherwise it re-scans them each time parse trees pile up: with 500 files, parsing
    takes twice as long. Unfrozen afterwards, so a process that runs many commands collects as usual."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _with_migrations(settings: Any, migrations_dir: Path) -> Any:
    from dataclasses import replace

    return replace(settings, migrations_dir=migrations_dir.absolute())


def _print_local_stack(info: Any, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(asdict(info)), flush=True)
        return
    print(
        "Local Supabase-compatible stack is running (Ctrl-C stops it).\n"
        f"  API URL (create_client):  {info.rest_url}\n"
        f"  REST endpoint:            {info.rest_url}/rest/v1\n"
        f"  Database URL (superuser): {info.database_url}\n"
        f"  anon key:                 {info.anon_key}\n"
        f"  service key:              {info.service_key}\n"
        f"  JWT secret:               {info.jwt_secret}",
        flush=True,
    )
