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

from service.core.migrations import Migration
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
    result = RunResult(refusal=plan.refusal)
    if plan.refusal is not None:
        return result
    for position, migration in enumerate(plan.pending, start=1):
        if options.progress:
            options.progress(position, len(plan.pending), migration)
        record = Record(
            version=migration.version,
            description=migration.description,
            checksum=migration.up.checksum,
            applied_by=options.applied_by or runner_id(),
            phase=migration.up.header.phase.value if migration.up.header.phase else None,
        )
        outcome = _with_retries(
            migration, options, lambda: target.apply(migration.up, record, options.timeouts),
            settle=lambda: _settle_apply(target, migration),
        )
        if isinstance(outcome, Failure):
            result.failed = outcome
            log.error("migration.failed", version=migration.version, file=migration.up.file, error=outcome.summary)
            break
        result.steps.append(Step(migration.version, outcome))
        log.info("migration.applied", version=migration.version, file=migration.up.file, execution_ms=outcome)
    return result


def revert_plan(target: Target, plan: DownPlan, options: RunOptions) -> RunResult:
    """Roll back the plan's migrations, newest first; stop at the first failure."""
    result = RunResult(refusal=plan.refusal)
    if plan.refusal is not None:
        return result
    for position, migration in enumerate(plan.rollbacks, start=1):
        if options.progress:
            options.progress(position, len(plan.rollbacks), migration)
        assert migration.down is not None  # the plan refuses migrations without a rollback file
        rollback = migration.down
        outcome = _with_retries(
            migration, options, lambda: target.revert(rollback, migration.version, options.timeouts),
            settle=lambda: _settle_revert(target, migration), file=rollback.file,
        )
        if isinstance(outcome, Failure):
            result.failed = outcome
            log.error("migration.rollback_failed", version=migration.version, file=rollback.file,
                      error=outcome.summary)
            break
        result.steps.append(Step(migration.version, outcome))
        log.info("migration.rolled_back", version=migration.version, file=rollback.file, execution_ms=outcome)
    return result


def _with_retries(
    migration: Migration,
    options: RunOptions,
    attempt: Callable[[], int],
    *,
    settle: Callable[[], bool],
    file: str | None = None,
) -> int | Failure:
    """Run `attempt`; retry lock timeouts with backoff; settle lost answers and races by reading the history."""
    script = migration.down if file else migration.up
    assert script is not None
    delay = FIRST_BACKOFF_S
    gave_up = Failure(migration.version, script.file, None, None, None, "no try was made", None, None)
    for try_number in range(1, options.retries + 1):
        try:
            return attempt()
        except StatementFailed as failure:
            line = script.statements_by_index()[failure.statement_index].line if failure.statement_index else None
            gave_up = Failure(migration.version, script.file, failure.statement_index, line, failure.sqlstate,
                              failure.message, failure.detail, failure.hint)
            if not failure.is_lock_timeout:
                return gave_up
            log.warning("migration.lock_timeout", version=migration.version, try_number=try_number,
                        retry_in_s=delay)
        except (AlreadyApplied, NotApplied) as race:
            if settle():
                log.info("migration.settled", version=migration.version, reason=type(race).__name__)
                return 0
            return Failure(migration.version, script.file, None, None, None,
                           f"another runner changed {migration.version} with a different file", None,
                           "run `omnia-migrate status` to see what is recorded")
        except OutcomeUnknown as lost:
            if settle():
                log.info("migration.settled", version=migration.version, reason="answer lost after commit")
                return 0
            gave_up = Failure(migration.version, script.file, None, None, None,
                              f"the answer was lost and the history shows nothing committed ({lost})", None,
                              "check the connection to the target, then run `omnia-migrate up` again")
            log.warning("migration.outcome_unknown", version=migration.version, error=str(lost),
                        try_number=try_number)
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
