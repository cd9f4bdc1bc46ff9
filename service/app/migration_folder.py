"""The migrations folder, read and parsed once per command, before anything runs."""

from __future__ import annotations

from service.core.migrations import Migration, collect_migrations
from service.errors import ConfigurationError
from service.settings import Settings


def load_migrations(settings: Settings) -> list[Migration]:
    """Every migration of the migrations folder, parsed and checked before anything runs."""
    folder = settings.migrations_dir
    if not folder.is_dir():
        raise ConfigurationError("--migrations", f"{folder} is not a folder; create it or pass --migrations DIR")
    return collect_migrations((path.name, path.read_bytes()) for path in sorted(folder.glob("*.sql")))
