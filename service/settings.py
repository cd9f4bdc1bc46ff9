"""Settings: read once from the environment and `omnia.toml`, then passed down.

Nothing below `service/app/` reads `os.environ`; secrets travel as `Secret`,
whose `repr` and `str` never show the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from service.core.lint.config import LintConfig
from service.core.lint.model import Severity
from service.errors import ConfigurationError

DEFAULT_CONFIG_FILE = "omnia.toml"
DEFAULT_STATE_DIR = ".omnia"
SUPABASE_URL_PATTERN = re.compile(r"^https?://[^/\s]+")  # what create_client accepts, plus a host
CONFIG_KEYS = {"state_dir", "migrations"}
LINT_KEYS = {"select", "ignore", "severity", "pg_version"}


class Secret:
    """A secret string (key, password, URL with a password) that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value, for the one place that must send it (a connection, a header)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class TargetKind(StrEnum):
    """Where migrations go: chosen by which settings are present (DESIGN.md section 6)."""

    SUPABASE = "supabase"
    POSTGRES = "postgres"
    EMBEDDED = "embedded"


@dataclass(frozen=True)
class Settings:
    """Everything the service is configured with; built once by `load_settings`."""

    state_dir: Path = Path(DEFAULT_STATE_DIR)
    migrations_dir: Path = Path("migrations")
    database_url: Secret | None = None
    supabase_url: str | None = None
    supabase_service_key: Secret | None = None
    config_file: Path | None = None
    run_lock_wait_s: float = 600.0
    lint: LintConfig = field(default_factory=LintConfig)
    secrets: tuple[Secret, ...] = field(default=(), repr=False)

    @property
    def target_kind(self) -> TargetKind:
        """Supabase when its URL is set, else a direct PostgreSQL, else the embedded one."""
        if self.supabase_url is not None:
            return TargetKind.SUPABASE
        if self.database_url is not None:
            return TargetKind.POSTGRES
        return TargetKind.EMBEDDED


def redact_url(url: str) -> str:
    """The URL or libpq conninfo with any password replaced by `***`."""
    if "://" not in url:
        return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", url)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostinfo}"))


def load_settings(
    environ: Mapping[str, str],
    *,
    config_file: Path | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Build Settings from the environment and the config file (explicit, or `omnia.toml` if present)."""
    base = cwd or Path.cwd()
    document, config_path = _read_config(config_file, base)
    config = document.get("omnia", {})
    state_dir = Path(environ.get("OMNIA_HOME") or config.get("state_dir") or DEFAULT_STATE_DIR)
    migrations_dir = Path(config.get("migrations") or "migrations")
    database_url = _database_url(environ.get("DATABASE_URL"))
    supabase_url, service_key = _supabase(environ.get("SUPABASE_URL"), environ.get("SUPABASE_SERVICE_KEY"))
    secrets = tuple(s for s in (database_url, service_key) if s is not None)
    return Settings(
        state_dir=state_dir if state_dir.is_absolute() else base / state_dir,
        migrations_dir=migrations_dir if migrations_dir.is_absolute() else base / migrations_dir,
        database_url=database_url,
        supabase_url=supabase_url,
        supabase_service_key=service_key,
        config_file=config_path,
        lint=_lint_config(document.get("lint", {}), config_path),
        secrets=secrets,
    )


def _read_config(config_file: Path | None, base: Path) -> tuple[dict[str, Any], Path | None]:
    path = config_file if config_file is not None else base / DEFAULT_CONFIG_FILE
    if config_file is None and not path.exists():
        return {}, None
    import tomllib  # here: most runs have no config file, and the parser costs 3 ms to load

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError("--config", f"{path} does not exist; pass an existing file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigurationError(str(path), f"is not valid TOML ({error}); fix the file") from None
    for name, keys in (("omnia", CONFIG_KEYS), ("lint", LINT_KEYS)):
        section = document.get(name, {})
        if not isinstance(section, dict):
            raise ConfigurationError(f"{path}: [{name}]", "must be a table")
        unknown = sorted(set(section) - keys)
        if unknown:
            raise ConfigurationError(
                f"{path}: [{name}] {unknown[0]}", f"unknown key; known keys are {', '.join(sorted(keys))}"
            )
    for key, value in document.get("omnia", {}).items():
        if not isinstance(value, str) or not value:
            raise ConfigurationError(f"{path}: [omnia] {key}", "must be a non-empty string")
    return document, path


def _lint_config(section: dict[str, Any], path: Path | None) -> LintConfig:
    """`[lint]`: select/ignore lists of codes, prefixes or names; `[lint.severity]` re-levels; pg_version."""
    where = f"{path}: [lint]"
    lists = {}
    for key in ("select", "ignore"):
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise ConfigurationError(f"{where} {key}", 'must be a list of rule codes or names, e.g. ["L101"]')
        lists[key] = tuple(value)
    levels = section.get("severity", {})
    if not isinstance(levels, dict):
        raise ConfigurationError(f"{where} severity", 'must be a table, e.g. [lint.severity] L116 = "error"')
    severity = {}
    for rule, level in levels.items():
        try:
            severity[rule] = Severity(level)
        except ValueError:
            raise ConfigurationError(f"{where}.severity {rule}",
                                     f"{level!r} is not one of error, warning, info, off") from None
    pg_version = section.get("pg_version", LintConfig.pg_version)
    if not isinstance(pg_version, int) or not 9 <= pg_version <= 30:
        raise ConfigurationError(f"{where} pg_version", "must be a PostgreSQL major version such as 15")
    return LintConfig(select=lists["select"], ignore=lists["ignore"], severity=severity, pg_version=pg_version)


def _database_url(value: str | None) -> Secret | None:
    if not value:
        return None
    from psycopg.conninfo import conninfo_to_dict  # only when a URL is given: keeps --help fast

    try:
        conninfo_to_dict(value)
    except Exception:
        raise ConfigurationError(
            "DATABASE_URL",
            f"is not a PostgreSQL connection string ({redact_url(value)}); "
            "use postgresql://user:password@host:5432/dbname",
        ) from None
    return Secret(value)


def _supabase(url: str | None, key: str | None) -> tuple[str | None, Secret | None]:
    if not url:
        if key:
            raise ConfigurationError("SUPABASE_URL", "is not set but SUPABASE_SERVICE_KEY is; set the project URL")
        return None, None
    if not SUPABASE_URL_PATTERN.match(url):
        raise ConfigurationError(
            "SUPABASE_URL",
            f"is not a URL ({redact_url(url)}); use the project URL, e.g. https://abcd.supabase.co",
        )
    if not key:
        raise ConfigurationError(
            "SUPABASE_SERVICE_KEY",
            "is not set; set it to the project's service_role key or an sb_secret_ key",
        )
    return url.rstrip("/"), Secret(key)
