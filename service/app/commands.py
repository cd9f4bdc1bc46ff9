"""Every use-case of the service, shared by the CLI, scheduled jobs and webhooks."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import structlog

from service.app.linting import lint_pending
from service.app.migrate import (
    RunOptions,
    RunResult,
    apply_plan,
    revert_plan,
    runner_id,
)
from service.app.migration_folder import load_migrations
from service.app.targets import open_target
from service.core.lint import Finding, Severity
from service.core.migrations import Migration, Phase
from service.core.plan import (
    DownPlan,
    HistoryRow,
    Refusal,
    UpPlan,
    VersionStatus,
    plan_down,
    plan_up,
    statuses,
)
from service.core.target import Record, RunLockBusy, Target
from service.errors import ConfigurationError, RunLockHeld
from service.settings import Settings
from service.supabase_sql import service_sql

log = structlog.get_logger()


def install(settings: Settings) -> None:
    """Apply the service's SQL (history and lock tables, RPCs) to the DATABASE_URL target; idempotent."""
    from service.adapters.postgres import open_connection, run_script

    if settings.database_url is None:
        raise ConfigurationError(
            "DATABASE_URL",
            "is not set; `install` needs the project's direct connection string "
            "(or run `omnia-migrate install --print` and paste the SQL into the SQL editor)",
        )
    with open_connection(settings.database_url) as connection:
        run_script(connection, service_sql())
    log.info("service.installed", target="DATABASE_URL")


def install_script() -> str:
    """The SQL `install` applies, for the Supabase SQL editor."""
    return service_sql()


@dataclass(frozen=True)
class LocalStackInfo:
    """What `dev` prints: how to reach the local project (DESIGN.md section 7)."""

    rest_url: str
    database_url: str
    anon_key: str
    service_key: str
    jwt_secret: str


def run_local_stack(
    settings: Settings,
    *,
    port: int,
    on_ready: Any,
    stop: threading.Event | None = None,
) -> None:
    """Run the embedded PostgreSQL and the local endpoint until SIGINT/SIGTERM (or `stop` is set).

    `on_ready(LocalStackInfo)` is called once the endpoint answers requests.
    Everything started here is stopped before returning.
    """
    from service.localstack.embedded import EmbeddedPostgres
    from service.localstack.keys import load_or_create_keys
    from service.localstack.rest import LocalRestServer, RestConfig

    stop = stop or threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with EmbeddedPostgres(settings.state_dir) as embedded:
            keys = load_or_create_keys(settings.state_dir)
            config = RestConfig(
                database_url=embedded.url(user="authenticator"),
                jwt_secret=keys.jwt_secret,
                api_keys=keys.roles_by_key,
            )
            with LocalRestServer(config, port=port) as server:
                on_ready(
                    LocalStackInfo(
                        rest_url=server.url,
                        database_url=embedded.url(),
                        anon_key=keys.anon_key,
                        service_key=keys.service_key,
                        jwt_secret=keys.jwt_secret,
                    )
                )
                log.info("local_stack.started", rest_url=server.url)
                stop.wait()
        log.info("local_stack.stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def status(settings: Settings) -> list[VersionStatus]:
    """Every version with its state (`status`)."""
    migrations = load_migrations(settings)
    with open_target(settings) as target:
        return statuses(migrations, target.read_history())


def plan(settings: Settings, *, to: str | None = None, phase: Phase | None = None,
         allow_out_of_order: bool = False) -> tuple[UpPlan, list[Finding]]:
    """What `up` would run and the lint findings of those files, or why it would refuse; changes nothing."""
    migrations = load_migrations(settings)
    with open_target(settings) as target:
        return _checked_plan(settings, target, migrations, target.read_history(), to=to, phase=phase,
                             allow_out_of_order=allow_out_of_order)


def up(settings: Settings, *, to: str | None = None, phase: Phase | None = None, allow_out_of_order: bool = False,
       options: RunOptions = RunOptions(), dry_run: bool = False) -> tuple[UpPlan, RunResult]:
    """Apply pending migrations under the run lock; each atomically, each at most once."""
    migrations = load_migrations(settings)
    holder = options.applied_by or runner_id()
    with open_target(settings) as target:
        target.ensure_history()
        with _run_lock(target, holder, settings):
            up_plan, _ = _checked_plan(settings, target, migrations, target.read_history(), to=to, phase=phase,
                                       allow_out_of_order=allow_out_of_order)
            if dry_run:
                return up_plan, RunResult(refusal=up_plan.refusal)
            result = apply_plan(target, up_plan, replace(options, applied_by=holder))
            if result.steps:
                target.notify_schema_reload()
    log.info("run.finished", command="up", applied=len(result.steps), failed=bool(result.failed),
             refused=bool(result.refusal))
    return up_plan, result


def down(settings: Settings, *, steps: int | None = None, to: str | None = None,
         options: RunOptions = RunOptions()) -> tuple[DownPlan, RunResult]:
    """Roll back applied migrations newest first, each atomically with the removal of its history row."""
    migrations = load_migrations(settings)
    holder = options.applied_by or runner_id()
    with open_target(settings) as target:
        with _run_lock(target, holder, settings):
            down_plan = plan_down(migrations, target.read_history(), steps=steps, to=to)
            result = revert_plan(target, down_plan, options)
            if result.steps:
                target.notify_schema_reload()
    log.info("run.finished", command="down", rolled_back=len(result.steps), failed=bool(result.failed),
             refused=bool(result.refusal))
    return down_plan, result


def repair(settings: Settings) -> list[tuple[str, str]]:
    """Re-record the checksum of every applied file whose checksum differs or is missing."""
    migrations = {migration.version: migration for migration in load_migrations(settings)}
    with open_target(settings) as target:
        with _run_lock(target, runner_id(), settings):
            changes = [
                (row.version, migrations[row.version].up.checksum)
                for row in target.read_history()
                if row.version in migrations and row.checksum != migrations[row.version].up.checksum
            ]
            target.write_checksums(changes)
    for version, checksum in changes:
        log.info("checksum.repaired", version=version, checksum=checksum)
    return changes


def baseline(settings: Settings, version: str) -> list[str]:
    """Mark every pending version up to and including `version` applied, without running it."""
    migrations = load_migrations(settings)
    if version not in {migration.version for migration in migrations}:
        raise ConfigurationError("baseline", f"{version} is not the version of any migration file")
    with open_target(settings) as target:
        target.ensure_history()
        with _run_lock(target, runner_id(), settings):
            applied = {row.version for row in target.read_history()}
            records = [
                Record(migration.version, migration.description, migration.up.checksum, runner_id(),
                       migration.up.header.phase.value if migration.up.header.phase else None)
                for migration in migrations
                if migration.version <= version and migration.version not in applied
            ]
            target.write_baseline(records)
    return [record.version for record in records]


@contextmanager
def _run_lock(target: Target, holder: str, settings: Settings) -> Iterator[None]:
    """The target's run lock, or RunLockHeld (exit 1) naming who holds it."""
    try:
        with target.run_lock(holder, wait_s=settings.run_lock_wait_s):
            yield
    except RunLockBusy as busy:  # raised only while taking the lock: the block never ran
        raise RunLockHeld(busy.holder, settings.run_lock_wait_s) from None


def _checked_plan(settings: Settings, target: Target, migrations: list[Migration], history: list[HistoryRow],
                  **choices: Any) -> tuple[UpPlan, list[Finding]]:
    """plan_up, plus what only the target knows (no `Transaction: none` over RPC), plus the lint gate."""
    up_plan = plan_up(migrations, history, **choices)
    if up_plan.refusal is not None:
        return up_plan, []
    if not target.can_run_outside_transaction:
        outside = tuple(m.version for m in up_plan.pending if not m.up.header.transactional)
        if outside:
            return UpPlan((), Refusal("`Transaction: none` files need a direct connection", outside,
                                      "set DATABASE_URL to run them")), []
    findings = lint_pending(settings, up_plan.pending)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        by_file = {m.up.file: m.version for m in up_plan.pending}
        versions = tuple(dict.fromkeys(by_file[f.file] for f in errors))
        first = errors[0]
        return UpPlan((), Refusal(
            f"lint errors in pending migrations (first: {first.file}:{first.line} {first.code} {first.name})",
            versions, "fix them (`omnia-migrate lint` shows the safe rewrite) or add "
            "`-- Lint-ignore: CODE -- reason` to the file")), findings
    return up_plan, findings


MIGRATION_TEMPLATE = """-- Migration: {version}_{slug}.sql
-- Description: {description}
-- Author: {author}
-- Date: {date}
{extra_headers}
BEGIN;

-- Pre-migration validation
DO $$
BEGIN
    -- Check preconditions, e.g.:
    -- IF NOT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 'required_table') THEN
    --     RAISE EXCEPTION 'Required table does not exist';
    -- END IF;
END
$$;

-- Migration steps
-- [Migration implementation here]

-- Post-migration validation
DO $$
BEGIN
    -- Verify migration success, e.g.:
    -- IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'new_table' AND column_name = 'new_column') THEN
    --     RAISE EXCEPTION 'Migration validation failed';
    -- END IF;
END
$$;

COMMIT;
"""

NON_TRANSACTIONAL_TEMPLATE = """-- Migration: {version}_{slug}.sql
-- Description: {description}
-- Author: {author}
-- Date: {date}
{extra_headers}
-- Statements that cannot run in a transaction (e.g. CREATE INDEX CONCURRENTLY),
-- run one by one over a direct connection; no BEGIN/COMMIT here.
"""

ROLLBACK_TEMPLATE = """-- Rollback: {version}_rollback_{slug}.sql
-- Description: Roll back {version} ({description})
-- Author: {author}
-- Date: {date}

BEGIN;

-- Reverse the migration steps in opposite order
-- [Rollback implementation here]

COMMIT;
"""


def new(settings: Settings, description: str, *, phase: Phase | None = None, transactional: bool = True,
        today: str | None = None, author: str | None = None) -> list[str]:
    """Write the migration and its rollback from the guide's template, with the next free version for today."""
    import datetime
    import re

    slug = "_".join(re.findall(r"[a-z0-9]+", description.lower()))
    if not slug:
        raise ConfigurationError("DESCRIPTION", f"{description!r} has no letters or digits; describe the change")
    folder = settings.migrations_dir
    folder.mkdir(parents=True, exist_ok=True)
    day = today or datetime.date.today().strftime("%Y%m%d")
    used = {path.name[:12] for path in folder.glob(f"{day}_*.sql")}
    sequence = next(n for n in range(1, 1000) if f"{day}_{n:03d}" not in used)
    version = f"{day}_{sequence:03d}"
    headers = [f"-- Phase: {phase.value}"] if phase else []
    if not transactional:
        headers.append("-- Transaction: none")
    values = {
        "version": version, "slug": slug, "description": description, "author": author or runner_id().split("@")[0],
        "date": f"{day[:4]}-{day[4:6]}-{day[6:]}", "extra_headers": "".join(f"{h}\n" for h in headers),
    }
    migration = folder / f"{version}_{slug}.sql"
    rollback = folder / f"{version}_rollback_{slug}.sql"
    migration.write_text((MIGRATION_TEMPLATE if transactional else NON_TRANSACTIONAL_TEMPLATE).format(**values))
    rollback.write_text(ROLLBACK_TEMPLATE.format(**values))
    return [str(migration), str(rollback)]
