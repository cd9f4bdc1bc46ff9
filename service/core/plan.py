"""(migration files, history rows) -> each version's state, and what `up` or `down` would run or why it refuses."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from service.core.migrations import Migration, Phase
from service.errors import BadMigrationFile


class State(StrEnum):
    """A version's state (DESIGN.md section 7, `status`)."""

    APPLIED = "applied"
    PENDING = "pending"
    CHECKSUM_MISMATCH = "checksum-mismatch"
    MISSING_FILE = "missing-file"
    OUT_OF_ORDER = "out-of-order"


@dataclass(frozen=True)
class HistoryRow:
    """One row of `schema_migrations`; older tools leave checksum and the rest NULL."""

    version: str
    description: str | None = None
    applied_at: str | None = None
    checksum: str | None = None
    execution_ms: int | None = None
    applied_by: str | None = None
    phase: str | None = None


@dataclass(frozen=True)
class VersionStatus:
    """A version as `status` shows it."""

    version: str
    description: str | None
    state: State
    applied_at: str | None
    checksum: str | None  # the recorded one if applied, else the file's
    file_checksum: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why `up`/`down` will not start, the versions concerned, and what fixes it."""

    reason: str
    versions: tuple[str, ...]
    fix: str

    @property
    def message(self) -> str:
        """One line for the operator."""
        return f"{self.reason}: {', '.join(self.versions)}; {self.fix}"


@dataclass(frozen=True)
class UpPlan:
    """What `up` would apply, in order, or why it refuses."""

    pending: tuple[Migration, ...]
    refusal: Refusal | None


@dataclass(frozen=True)
class DownPlan:
    """What `down` would roll back, newest first, or why it refuses."""

    rollbacks: tuple[Migration, ...]
    refusal: Refusal | None


def statuses(migrations: Sequence[Migration], history: Iterable[HistoryRow]) -> list[VersionStatus]:
    """Every version known to the files or the history, in version order, with its state."""
    files = {migration.version: migration for migration in migrations}
    rows = {row.version: row for row in history}
    newest_applied = max(rows, default="")
    result = []
    for version in sorted(set(files) | set(rows)):
        migration, row = files.get(version), rows.get(version)
        if row is None:
            assert migration is not None
            state = State.OUT_OF_ORDER if version < newest_applied else State.PENDING
            result.append(VersionStatus(version, migration.description, state, None, migration.up.checksum,
                                        migration.up.checksum))
            continue
        if migration is None:
            state = State.MISSING_FILE
        elif row.checksum is not None and row.checksum != migration.up.checksum:
            state = State.CHECKSUM_MISMATCH
        else:
            state = State.APPLIED
        description = row.description or (migration.description if migration else None)
        result.append(VersionStatus(version, description, state, row.applied_at, row.checksum,
                                    migration.up.checksum if migration else None))
    return result


def plan_up(
    migrations: Sequence[Migration],
    history: Iterable[HistoryRow],
    *,
    to: str | None = None,
    phase: Phase | None = None,
    allow_out_of_order: bool = False,
) -> UpPlan:
    """The pending migrations `up` applies (Requires first, then version order), or its refusal."""
    rows = list(history)
    states = statuses(migrations, rows)
    files = {migration.version: migration for migration in migrations}
    if to is not None and to not in files:
        raise BadMigrationFile("--to", f"{to} is not the version of any migration file",
                               fix="pass a version listed by `omnia-migrate status`")
    mismatched = tuple(s.version for s in states if s.state is State.CHECKSUM_MISMATCH)
    if mismatched:
        return UpPlan((), Refusal("applied migration files were edited", mismatched,
                                  "restore them, or run `omnia-migrate repair` to record the new checksums"))
    missing = tuple(s.version for s in states if s.state is State.MISSING_FILE)
    if missing:
        return UpPlan((), Refusal("applied migrations have no file", missing,
                                  "restore the files (or remove their history rows if they were dropped on purpose)"))
    late = tuple(s.version for s in states if s.state is State.OUT_OF_ORDER)
    if late and not allow_out_of_order:
        return UpPlan((), Refusal("pending migrations are older than the newest applied one", late,
                                  "rename them to a newer version, or pass --allow-out-of-order"))
    applied = {row.version for row in rows}
    candidates = [
        files[s.version] for s in states
        if s.state in (State.PENDING, State.OUT_OF_ORDER)
        and (to is None or s.version <= to)
        and (phase is None or files[s.version].up.header.phase is phase)
    ]
    ordered = order_by_requires(candidates)
    selected = {migration.version for migration in ordered}
    unmet = tuple(
        f"{migration.version} requires {required}"
        for migration in ordered
        for required in migration.up.header.requires
        if required not in applied and required not in selected
    )
    if unmet:
        return UpPlan((), Refusal("Requires not met", unmet,
                                  "apply the required versions first (widen --to or --phase)"))
    return UpPlan(tuple(ordered), None)


def order_by_requires(migrations: Sequence[Migration]) -> list[Migration]:
    """Version order, except that a migration comes after every version it Requires."""
    by_version = {migration.version: migration for migration in migrations}
    waiting_on = {
        version: {r for r in migration.up.header.requires if r in by_version}
        for version, migration in by_version.items()
    }
    needed_by: dict[str, list[str]] = {}
    for version, needs in waiting_on.items():
        for required in needs:
            needed_by.setdefault(required, []).append(version)
    ready = [version for version, needs in waiting_on.items() if not needs]
    heapq.heapify(ready)
    ordered: list[Migration] = []
    while ready:
        version = heapq.heappop(ready)
        ordered.append(by_version[version])
        for other in needed_by.get(version, ()):
            needs = waiting_on[other]
            needs.discard(version)
            if not needs:
                heapq.heappush(ready, other)
    if len(ordered) != len(by_version):
        cycle = sorted(set(by_version) - {migration.version for migration in ordered})
        raise BadMigrationFile(by_version[cycle[0]].up.file, f"Requires form a cycle among {', '.join(cycle)}",
                               fix="remove one of the Requires headers")
    return ordered


def plan_down(
    migrations: Sequence[Migration],
    history: Iterable[HistoryRow],
    *,
    steps: int | None = None,
    to: str | None = None,
) -> DownPlan:
    """The applied migrations `down` rolls back, newest first (`--to V` includes V), or its refusal."""
    files = {migration.version: migration for migration in migrations}
    applied = sorted((row.version for row in history), reverse=True)
    if to is not None:
        if to not in applied:
            raise BadMigrationFile("--to", f"{to} is not an applied version",
                                   fix="pass a version listed as applied by `omnia-migrate status`")
        chosen = [version for version in applied if version >= to]
    else:
        chosen = applied[: steps if steps is not None else 1]
    no_file = tuple(version for version in chosen if version not in files)
    if no_file:
        return DownPlan((), Refusal("applied migrations have no file", no_file, "restore their files"))
    no_rollback = tuple(version for version in chosen if files[version].down is None)
    if no_rollback:
        return DownPlan((), Refusal(
            "no rollback file", no_rollback,
            "add YYYYMMDD_NNN_rollback_description.sql beside each migration (`omnia-migrate new` writes both)",
        ))
    return DownPlan(tuple(files[version] for version in chosen), None)
