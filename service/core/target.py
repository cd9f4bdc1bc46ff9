"""What a target (a database reached directly or over RPC) must do for the engine: one small Protocol.

Adapters translate their library's errors into the exceptions below, which
carry what the operator needs: the statement, the SQLSTATE, the message, the
detail and the hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from service.core.migrations import Script
from service.core.plan import HistoryRow

LOCK_NOT_AVAILABLE = "55P03"


@dataclass(frozen=True)
class Timeouts:
    """`SET LOCAL` values for each migration's transaction, in milliseconds."""

    lock_timeout_ms: int = 5_000
    statement_timeout_ms: int = 15 * 60_000


@dataclass(frozen=True)
class Record:
    """The history row written with a migration."""

    version: str
    description: str
    checksum: str
    applied_by: str
    phase: str | None


class StatementFailed(Exception):
    """A statement of a script failed; its transaction was rolled back."""

    def __init__(
        self,
        *,
        statement_index: int | None,
        sqlstate: str | None,
        message: str,
        detail: str | None = None,
        hint: str | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.statement_index = statement_index
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position

    @property
    def is_lock_timeout(self) -> bool:
        """A lock was not granted within lock_timeout: worth retrying."""
        return self.sqlstate == LOCK_NOT_AVAILABLE


class AlreadyApplied(Exception):
    """The migration's history row appeared before this runner applied it (another runner did)."""


class NotApplied(Exception):
    """The version's history row vanished before this runner rolled it back (another runner did)."""


class OutcomeUnknown(Exception):
    """The answer was lost (connection reset, timeout): the server may or may not have committed."""


class RunLockBusy(Exception):
    """Another runner holds the run lock and did not release it in time."""

    def __init__(self, holder: str | None) -> None:
        super().__init__(f"the run lock is held by {holder or 'another runner'}")
        self.holder = holder


class Target(Protocol):
    """A database the engine applies migrations to."""

    description: str  # for messages: no secret in it
    can_run_outside_transaction: bool

    def read_history(self) -> list[HistoryRow]:
        """Every row of `schema_migrations` (an absent table is an empty history)."""
        ...

    def run_lock(self, holder: str, *, wait_s: float) -> AbstractContextManager[None]:
        """Hold the run lock for the block; RunLockBusy if it is not free within `wait_s`."""
        ...

    def ensure_history(self) -> None:
        """Make sure the history table exists in its current shape (or say how to install it)."""
        ...

    def apply(self, script: Script, record: Record, timeouts: Timeouts) -> int:
        """Run the script and insert its history row, atomically; returns the milliseconds it took.

        AlreadyApplied if the row exists already.
        """
        ...

    def revert(self, script: Script, version: str, timeouts: Timeouts) -> int:
        """Run the rollback script and delete the version's history row, atomically."""
        ...

    def write_checksums(self, checksums: Sequence[tuple[str, str]]) -> None:
        """Record new checksums for applied versions (`repair`)."""
        ...

    def write_baseline(self, records: Sequence[Record]) -> None:
        """Mark versions applied without running them (`baseline`)."""
        ...

    def notify_schema_reload(self) -> None:
        """`NOTIFY pgrst, 'reload schema'` so the REST API sees new tables and functions."""
        ...
