"""Every error the service reports on purpose, and the exit code each maps to.

    ServiceError                      exit_code
     ├── ConfigurationError           2  settings, environment or omnia.toml say something unusable
     │    └── StateDirUnwritable      2  the .omnia/ state directory cannot be created or written
     ├── BadMigrationFile             2  a migration file is unusable (name, encoding, SQL, header)
     ├── TargetUnavailable            2  the database or REST endpoint cannot be reached
     ├── RunLockHeld                  1  another runner kept the run lock past the wait
     └── LocalStackError              2  the embedded PostgreSQL or endpoint could not start

Messages say what to change and never contain a secret: callers pass
redacted descriptions (see `settings.redact_url`).
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error the CLI and the worker report as one line and an exit code."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(ServiceError):
    """A setting is missing or malformed; the message names it and what to set."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class StateDirUnwritable(ConfigurationError):
    """The state directory (default `.omnia/`) cannot be created or written."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            "OMNIA_HOME",
            f"cannot write the state directory {path} ({reason}); "
            "make it writable or set OMNIA_HOME to a writable directory",
        )
        self.path = path


class BadMigrationFile(ServiceError):
    """A migration file cannot be used; says which file, which line, what is wrong and what to change."""

    def __init__(self, file: str, problem: str, *, line: int | None = None, fix: str = "") -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {problem}" + (f"; {fix}" if fix else ""))
        self.file = file
        self.line = line
        self.problem = problem


class TargetUnavailable(ServiceError):
    """The target database or endpoint did not answer; `target` is already redacted."""

    def __init__(self, target: str, reason: str, *, fix: str) -> None:
        super().__init__(f"cannot connect to {target}: {reason}; {fix}")
        self.target = target
        self.reason = reason


class RunLockHeld(ServiceError):
    """Another runner held the run lock for longer than this one would wait; nothing was run."""

    exit_code = 1

    def __init__(self, holder: str | None, waited_s: float) -> None:
        super().__init__(
            f"the run lock is held by {holder or 'another runner'} (waited {waited_s:g} s); nothing was run. "
            "Wait for that run to finish: a runner that died releases the lock when its connection closes "
            "(direct) or when its lease expires (Supabase, 60 s)"
        )
        self.holder = holder


class LocalStackError(ServiceError):
    """The embedded PostgreSQL or the local endpoint failed to start."""
