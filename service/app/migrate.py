"""Applying and rolling back: the run lock, retries on lock timeouts, and settling lost answers by the history.

Each file is applied at most once: when an answer is lost, the history says
whether the server committed, and only a version that is not recorded is
tried again.
"""

from __future__ import annotations

import getpass
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import structlog

from service.core.migrations import Migration, Script
from service.core.plan import DownPlan, HistoryRow, Refusal, UpPlan
from service.core.target import (
    AlreadyApplied,
    NotApplied,
    OutcomeUnknown,
    Record,
    StatementFailed,
    Target,
    Timeouts,
)

log = structlog.get_logger()
FIRST_BACKOFF_S = 0.5


@dataclass(frozen=True)
class Failure:
    """The migration that failed and why; nothing of it stayed (DESIGN.md section 7, `failed`)."""

    version: str
    file: str
    statement_index: int | None
    line: int | None
    sqlstate: str | None
    message: str
    detail: str | None
    hint: str | None

    @property
    def summary(self) -> str:
        """One line naming file, statement, line and SQLSTATE."""
        where = self.file
        if self.statement_index is not None:
            where += f" statement {self.statement_index} (line {self.line})"
        text = f"{where} failed: {self.sqlstate or 'error'} {self.message}"
        if self.detail:
            text += f" DETAIL: {self.detail}"
        if self.hint:
            text += f" HINT: {self.hint}"
        return text


@dataclass(frozen=True)
class Step:
    """A version applied or rolled back, and how long its statements took."""

    version: str
    execution_ms: int


@dataclass
class RunResult:
    """What `up` or `down` did: the steps done, the failure that stopped it, or the refusal."""

    steps: list[Step] = field(default_factory=list)
    failed: Failure | None = None
    refusal: Refusal | None = None


@dataclass(frozen=True)
class RunOptions:
    """How hard to try: SET LOCAL timeouts, retries on lock timeouts, and who is running."""

    timeouts: Timeouts = Timeouts()
    retries: int = 5
    applied_by: str = ""
    sleep: Callable[[float], None] = time.sleep
    progress: Callable[[int, int, Migration], None] | None = None  # (position, total, migration) before each


def runner_id() -> str:
    """`user@host:pid`, recorded as applied_by and shown as the run lock's holder."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}:{os.getpid()}"


def apply_plan(target: Target, plan: UpPlan, options: RunOptions) -> RunResult:
    """Apply the plan's migrations in order; stop at the first failure."""
    return _run_each(
        plan.pending, plan.refusal, options, script_of=lambda m: m.up,
        attempt=lambda m: target.apply(m.up, _record(m, options), options.timeouts),
        settle=lambda m: _settle_apply(target, m), done="migration.applied", failed="migration.failed",
    )


def revert_plan(target: Target, plan: DownPlan, options: RunOptions) -> RunResult:
    """Roll back the plan's migrations, newest first; stop at the first failure."""
    return _run_each(
        plan.rollbacks, plan.refusal, options, script_of=_rollback_of,
        attempt=lambda m: target.revert(_rollback_of(m), m.version, options.timeouts),
        settle=lambda m: _settle_revert(target, m), done="migration.rolled_back", failed="migration.rollback_failed",
    )


def _run_each(
    migrations: Sequence[Migration],
    refusal: Refusal | None,
    options: RunOptions,
    *,
    script_of: Callable[[Migration], Script],
    attempt: Callable[[Migration], int],
    settle: Callable[[Migration], bool],
    done: str,
    failed: str,
) -> RunResult:
    result = RunResult(refusal=refusal)
    if refusal is not None:
        return result
    for position, migration in enumerate(migrations, start=1):
        if options.progress:
            options.progress(position, len(migrations), migration)
        script = script_of(migration)
        outcome = _with_retries(migration.version, script, options, lambda: attempt(migration),
                                settle=lambda: settle(migration))
        if isinstance(outcome, Failure):
            result.failed = outcome
            log.error(failed, version=migration.version, file=script.file, error=outcome.summary)
            break
        result.steps.append(Step(migration.version, outcome))
        log.info(done, version=migration.version, file=script.file, execution_ms=outcome)
    return result


def _record(migration: Migration, options: RunOptions) -> Record:
    phase = migration.up.header.phase
    return Record(version=migration.version, description=migration.description, checksum=migration.up.checksum,
                  applied_by=options.applied_by or runner_id(), phase=phase.value if phase else None)


def _rollback_of(migration: Migration) -> Script:
    assert migration.down is not None  # plan_down refuses migrations without a rollback file
    return migration.down


def _with_retries(
    version: str,
    script: Script,
    options: RunOptions,
    attempt: Callable[[], int],
    *,
    settle: Callable[[], bool],
) -> int | Failure:
    """Run `attempt`; retry lock timeouts with backoff; settle lost answers and races by reading the history."""
    delay = FIRST_BACKOFF_S
    gave_up = Failure(version, script.file, None, None, None, "no try was made", None, None)
    for try_number in range(1, options.retries + 1):
        try:
            return attempt()
        except StatementFailed as failure:
            line = script.statements_by_index()[failure.statement_index].line if failure.statement_index else None
            gave_up = Failure(version, script.file, failure.statement_index, line, failure.sqlstate,
                              failure.message, failure.detail, failure.hint)
            if not failure.is_lock_timeout:
                return gave_up
            log.warning("migration.lock_timeout", version=version, try_number=try_number, retry_in_s=delay)
        except (AlreadyApplied, NotApplied) as race:
            if settle():
                log.info("migration.settled", version=version, reason=type(race).__name__)
                return 0
            return Failure(version, script.file, None, None, None,
                           f"another runner changed {version} with a different file", None,
                           "run `omnia-migrate status` to see what is recorded")
        except OutcomeUnknown as lost:
            if settle():
                log.info("migration.settled", version=version, reason="answer lost after commit")
                return 0
            gave_up = Failure(version, script.file, None, None, None,
                              f"the answer was lost and the history shows nothing committed ({lost})", None,
                              "check the connection to the target, then run `omnia-migrate up` again")
            log.warning("migration.outcome_unknown", version=version, error=str(lost), try_number=try_number)
        if try_number < options.retries:
            options.sleep(delay)
            delay *= 2
    return gave_up


def _settle_apply(target: Target, migration: Migration) -> bool:
    """True if the history records this exact file: it was applied (by us or another runner)."""
    row = _recorded(target.read_history(), migration.version)
    return row is not None and row.checksum in (migration.up.checksum, None)


def _settle_revert(target: Target, migration: Migration) -> bool:
    """True if the version is no longer recorded: its rollback committed."""
    return _recorded(target.read_history(), migration.version) is None


def _recorded(history: Sequence[HistoryRow], version: str) -> HistoryRow | None:
    return next((row for row in history if row.version == version), None)
