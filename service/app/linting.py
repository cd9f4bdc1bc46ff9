"""Linting files (`omnia-migrate lint`) and the pending migrations (`plan`/`up`'s gate).

`lint` reports on stdout and logs nothing, so this module loads no logging,
database or HTTP library: a lint run in CI pays for the linter only (and for
psycopg's connection-string parser if DATABASE_URL is set: settings check it).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from service.app.migration_folder import load_migrations
from service.core.lint import Finding, lint_file
from service.core.lint.batch import SourceFile, lint_files
from service.core.migrations import (
    Migration,
    is_migration_file_name,
)
from service.errors import BadMigrationFile, ConfigurationError
from service.settings import Settings


def lint_paths(settings: Settings, paths: list[Path]) -> list[Finding]:
    """Lint `.sql` files and folders (any naming); default: the migrations folder without rollback files.

    A folder's own rollback files (`*_rollback_*.sql` of our naming) are skipped: undoing a migration is
    destructive by design. Name a rollback file to lint it.
    """
    if paths:
        files: list[str] = []
        for path in paths:
            if path.is_dir():
                files.extend(p for p in _sql_files(str(path)) if not _is_rollback_file(p))
            elif path.is_file():
                files.append(str(path))
            else:
                raise ConfigurationError("lint", f"{path} does not exist; pass .sql files or folders")
    else:
        load_migrations(settings)  # the folder must be sound before its files are linted
        files = [str(p) for p in sorted(settings.migrations_dir.glob("*.sql")) if not _is_rollback_file(p.name)]
    sources = []
    inside = os.path.join(os.getcwd(), "")
    for file in files:
        name = _display_path(file, inside)
        with open(file, "rb") as handle:
            data = handle.read()
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadMigrationFile(name, "is not UTF-8", fix="save the file as UTF-8") from None
        runner_sets_timeouts = is_migration_file_name(os.path.basename(file))
        sources.append(SourceFile(name, source, runner_sets_timeouts=runner_sets_timeouts))
    return [finding for result in lint_files(sources, config=settings.lint) for finding in result.findings]


def lint_pending(settings: Settings, pending: Sequence[Migration]) -> list[Finding]:
    """Findings of the pending files in the order `up` runs them: tables created earlier in the run are new."""
    new_tables: set[str] = set()
    findings: list[Finding] = []
    for migration in pending:
        result = lint_file(migration.up.file, migration.up.source, config=settings.lint, new_tables=new_tables,
                           runner_sets_timeouts=True, statements=migration.up.parsed)
        new_tables.update(result.created_tables)
        findings.extend(result.findings)
    return findings


def _sql_files(folder: str) -> list[str]:
    """The `.sql` files under `folder` at any depth, in path order: `sorted(Path(folder).rglob("*.sql"))`
    without pathlib's cost per file (a third of reading a thousand small files)."""
    found: list[str] = []
    for root, _, names in os.walk(folder):
        found.extend(os.path.join(root, name) for name in names if name.endswith(".sql"))
    return sorted(found, key=lambda path: path.split(os.sep))


def _is_rollback_file(path: str) -> bool:
    name = os.path.basename(path)
    return is_migration_file_name(name) and "_rollback_" in name


def _display_path(path: str, inside: str) -> str:
    """The path as the user would type it from here: relative when inside the working directory `inside`
    (which ends with a separator)."""
    absolute = os.path.join(inside, path)  # `path` itself when absolute
    return absolute[len(inside):] if absolute.startswith(inside) else path
