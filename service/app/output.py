"""The migration commands' results on stdout (text, or one JSON document with --json) and their exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from service.app import commands, lint_report
from service.app.migrate import RunOptions, RunResult
from service.core.lint import Finding
from service.core.migrations import Migration, Phase
from service.core.plan import Refusal, State, UpPlan, VersionStatus
from service.core.target import Timeouts
from service.settings import Settings

EXIT_OK, EXIT_FOUND, EXIT_FAILED = 0, 1, 3
PROBLEM_STATES = {State.CHECKSUM_MISMATCH, State.MISSING_FILE, State.OUT_OF_ORDER}


def run_migration_command(arguments: argparse.Namespace, settings: Settings) -> int:
    """Run one of new/status/plan/up/down/repair/baseline, print its result, return the exit code."""
    as_json: bool = arguments.json
    name = arguments.command
    if name == "new":
        files = commands.new(settings, arguments.description,
                             phase=Phase(arguments.phase) if arguments.phase else None,
                             transactional=not arguments.no_transaction)
        _emit(as_json, {"files": files}, "\n".join(f"wrote {file}" for file in files))
        return EXIT_OK
    if name == "status":
        rows = commands.status(settings)
        _emit(as_json, {"migrations": [_status_json(row) for row in rows]}, _status_text(rows))
        return EXIT_FOUND if any(row.state in PROBLEM_STATES for row in rows) else EXIT_OK
    if name == "plan":
        up_plan, findings = commands.plan(settings, **_selection(arguments))
        _emit(as_json, _plan_json(up_plan, findings), _plan_text(up_plan, findings))
        return EXIT_FOUND if up_plan.refusal else EXIT_OK
    if name == "up":
        options = RunOptions(timeouts=Timeouts(arguments.lock_timeout, arguments.statement_timeout),
                             retries=max(arguments.retries, 1), progress=_progress(as_json, "applying"))
        up_plan, result = commands.up(settings, options=options, dry_run=arguments.dry_run, **_selection(arguments))
        if arguments.dry_run:
            _emit(as_json, _plan_json(up_plan), _plan_text(up_plan))
            return EXIT_FOUND if up_plan.refusal else EXIT_OK
        return _report_run(as_json, "applied", result)
    if name == "down":
        options = RunOptions(timeouts=Timeouts(lock_timeout_ms=arguments.lock_timeout),
                             retries=max(arguments.retries, 1), progress=_progress(as_json, "rolling back"))
        _, result = commands.down(settings, steps=arguments.steps, to=arguments.to, options=options)
        return _report_run(as_json, "rolled_back", result)
    if name == "repair":
        changes = commands.repair(settings)
        _emit(as_json, {"repaired": [{"version": v, "checksum": c} for v, c in changes]},
              "\n".join(f"re-recorded the checksum of {v}" for v, _ in changes) or "every checksum matches")
        return EXIT_OK
    if name == "baseline":
        versions = commands.baseline(settings, arguments.version)
        _emit(as_json, {"baselined": versions},
              "\n".join(f"marked {v} applied" for v in versions) or "nothing to mark")
        return EXIT_OK
    raise AssertionError(f"unhandled command {name}")


def _progress(as_json: bool, verb: str) -> Callable[[int, int, Migration], None] | None:
    """`[3/8] applying V description` on a terminal; nothing with --json or when stderr is not a terminal."""
    if as_json or not sys.stderr.isatty():
        return None

    def show(position: int, total: int, migration: Migration) -> None:
        print(f"[{position}/{total}] {verb} {migration.version} {migration.description}", file=sys.stderr, flush=True)

    return show


def _selection(arguments: argparse.Namespace) -> dict[str, Any]:
    return {
        "to": arguments.to,
        "phase": Phase(arguments.phase) if arguments.phase else None,
        "allow_out_of_order": arguments.allow_out_of_order,
    }


def _emit(as_json: bool, document: dict[str, Any], text: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(document) + "\n")
    else:
        print(text)


def _status_json(row: VersionStatus) -> dict[str, Any]:
    return {"version": row.version, "description": row.description, "state": row.state.value,
            "applied_at": row.applied_at, "checksum": row.checksum}


def _status_text(rows: list[VersionStatus]) -> str:
    if not rows:
        return "no migrations"
    lines = [f"{'VERSION':<14}{'STATE':<19}{'APPLIED AT':<34}DESCRIPTION"]
    for row in rows:
        lines.append(f"{row.version:<14}{row.state.value:<19}{row.applied_at or '':<34}{row.description or ''}")
    return "\n".join(lines)


def _refusal_json(refusal: Refusal | None) -> dict[str, Any] | None:
    if refusal is None:
        return None
    return {"reason": refusal.reason, "versions": list(refusal.versions), "fix": refusal.fix}


def _pending_json(migration: Migration) -> dict[str, Any]:
    header = migration.up.header
    return {"version": migration.version, "description": migration.description,
            "phase": header.phase.value if header.phase else None,
            "transaction": "file" if header.transactional else "none"}


def _plan_json(up_plan: UpPlan, findings: Sequence[Finding] = ()) -> dict[str, Any]:
    return {"pending": [_pending_json(m) for m in up_plan.pending], "refusal": _refusal_json(up_plan.refusal),
            "findings": [lint_report.finding_json(f) for f in findings]}


def _plan_text(up_plan: UpPlan, findings: Sequence[Finding] = ()) -> str:
    lines = [lint_report.as_text(findings)] if findings else []
    if up_plan.refusal:
        lines.append(f"up would refuse: {up_plan.refusal.message}")
    elif not up_plan.pending:
        lines.append("nothing to apply")
    else:
        lines.extend(f"would apply {m.version} {m.description}" for m in up_plan.pending)
    return "\n".join(lines)


def _report_run(as_json: bool, key: str, result: RunResult) -> int:
    failed = asdict(result.failed) if result.failed else None
    document = {key: [asdict(step) for step in result.steps], "failed": failed,
                "refusal": _refusal_json(result.refusal)}
    verb = "applied" if key == "applied" else "rolled back"
    lines = [f"{verb} {step.version} in {step.execution_ms} ms" for step in result.steps]
    if not lines and not result.failed and not result.refusal:
        lines.append("nothing to do")
    _emit(as_json, document, "\n".join(lines))
    if result.refusal:
        print(f"omnia-migrate: refused: {result.refusal.message}", file=sys.stderr)
        return EXIT_FOUND
    if result.failed:
        print(f"omnia-migrate: error: {result.failed.summary}; nothing of {result.failed.version} was kept",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
