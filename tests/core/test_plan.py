"""States of `status` and the plans of `up` and `down`, including every refusal."""

from __future__ import annotations

import pytest

from service.core.migrations import Migration, Phase, collect_migrations
from service.core.plan import HistoryRow, State, plan_down, plan_up, statuses
from service.errors import BadMigrationFile


def _folder(*specs: tuple[str, str], rollbacks: bool = True) -> list[Migration]:
    files = []
    for version, header in specs:
        files.append((f"{version}_m.sql", f"{header}\nselect 1;".encode()))
        if rollbacks:
            files.append((f"{version}_rollback_m.sql", b"select 2;"))
    return collect_migrations(files)


def _applied(migration: Migration, **changes: str | None) -> HistoryRow:
    fields: dict[str, str | None] = {"checksum": migration.up.checksum, "applied_at": "2026-11-24T00:00:00Z"}
    fields.update(changes)
    return HistoryRow(migration.version, **fields)  # type: ignore[arg-type]


def test_status_shows_every_state() -> None:
    a, b, c, d = _folder(("20261101_001", ""), ("20261102_001", ""), ("20261103_001", ""), ("20261105_001", ""))
    history = [
        _applied(a),
        _applied(b, checksum="0" * 64),
        HistoryRow("20261104_001", checksum="f" * 64),
        _applied(d, checksum=None),
    ]
    result = {s.version: s.state for s in statuses([a, b, c, d], history)}
    assert result == {
        "20261101_001": State.APPLIED,
        "20261102_001": State.CHECKSUM_MISMATCH,
        "20261103_001": State.OUT_OF_ORDER,
        "20261104_001": State.MISSING_FILE,
        "20261105_001": State.APPLIED,  # no recorded checksum: applied by an older tool
    }


def test_up_plans_pending_in_order_up_to_and_including_to() -> None:
    migrations = _folder(("20261101_001", ""), ("20261102_001", ""), ("20261103_001", ""))
    plan = plan_up(migrations, [_applied(migrations[0])], to="20261102_001")
    assert plan.refusal is None
    assert [m.version for m in plan.pending] == ["20261102_001"]


def test_up_refuses_when_an_applied_file_was_edited() -> None:
    migrations = _folder(("20261101_001", ""), ("20261102_001", ""))
    plan = plan_up(migrations, [_applied(migrations[0], checksum="0" * 64)])
    assert plan.pending == ()
    assert plan.refusal is not None
    assert plan.refusal.versions == ("20261101_001",)
    assert "omnia-migrate repair" in plan.refusal.message


def test_up_refuses_out_of_order_unless_allowed() -> None:
    migrations = _folder(("20261101_001", ""), ("20261102_001", ""))
    history = [_applied(migrations[1])]
    refused = plan_up(migrations, history)
    assert refused.refusal is not None and refused.refusal.versions == ("20261101_001",)
    assert "--allow-out-of-order" in refused.refusal.fix
    allowed = plan_up(migrations, history, allow_out_of_order=True)
    assert (allowed.refusal, [m.version for m in allowed.pending]) == (None, ["20261101_001"])


def test_up_honours_requires_before_version_order() -> None:
    migrations = _folder(("20261101_001", "-- Requires: 20261102_001"), ("20261102_001", ""))
    plan = plan_up(migrations, [])
    assert [m.version for m in plan.pending] == ["20261102_001", "20261101_001"]


def test_up_refuses_when_to_cuts_off_a_requirement() -> None:
    migrations = _folder(("20261101_001", "-- Requires: 20261102_001"), ("20261102_001", ""))
    plan = plan_up(migrations, [], to="20261101_001")
    assert plan.refusal is not None
    assert plan.refusal.versions == ("20261101_001 requires 20261102_001",)


def test_up_selects_a_phase() -> None:
    migrations = _folder(("20261101_001", "-- Phase: expand"), ("20261102_001", "-- Phase: contract"))
    plan = plan_up(migrations, [], phase=Phase.CONTRACT)
    assert [m.version for m in plan.pending] == ["20261102_001"]


def test_up_to_an_unknown_version_is_a_usage_error() -> None:
    with pytest.raises(BadMigrationFile, match="20990101_001 is not the version of any migration file"):
        plan_up(_folder(("20261101_001", "")), [], to="20990101_001")


def test_requires_cycle_is_a_bad_file() -> None:
    migrations = _folder(("20261101_001", "-- Requires: 20261102_001"), ("20261102_001", "-- Requires: 20261101_001"))
    with pytest.raises(BadMigrationFile, match="Requires form a cycle among 20261101_001, 20261102_001"):
        plan_up(migrations, [])


def test_down_rolls_back_newest_first_by_steps_or_to_inclusive() -> None:
    migrations = _folder(("20261101_001", ""), ("20261102_001", ""), ("20261103_001", ""))
    history = [_applied(m) for m in migrations]
    assert [m.version for m in plan_down(migrations, history).rollbacks] == ["20261103_001"]
    assert [m.version for m in plan_down(migrations, history, steps=2).rollbacks] == ["20261103_001", "20261102_001"]
    assert [m.version for m in plan_down(migrations, history, to="20261102_001").rollbacks] == [
        "20261103_001", "20261102_001",
    ]


def test_down_refuses_before_anything_runs_when_a_rollback_file_is_missing() -> None:
    with_rollback = _folder(("20261101_001", ""))
    without = _folder(("20261102_001", ""), rollbacks=False)
    migrations = with_rollback + without
    plan = plan_down(migrations, [_applied(m) for m in migrations], steps=2)
    assert plan.rollbacks == ()
    assert plan.refusal is not None and plan.refusal.versions == ("20261102_001",)
