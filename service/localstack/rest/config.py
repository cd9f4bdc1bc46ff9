"""`RestConfig`: everything the local PostgREST-compatible endpoint needs, read once and passed down."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from service.settings import redact_url

SchemaCacheMode = Literal["v13"]
"""Which PostgREST release the schema cache imitates (v13: tables missing from it give PGRST205)."""

MIN_JWT_SECRET_LENGTH = 32  # PostgREST v13 refuses shorter HS256 secrets


@dataclass(frozen=True, repr=False)
class RestConfig:
    """How the endpoint reaches PostgreSQL and decides who a request is.

    `database_url` must log in as the `authenticator` role (LOGIN NOINHERIT,
    granted anon, authenticated and service_role); every request switches to
    its own role inside its transaction. `api_keys` maps configured key strings
    (`sb_secret_...`, `sb_publishable_...`) to the role each acts as, as
    Supabase's gateway does.
    """

    database_url: str
    jwt_secret: str
    api_keys: Mapping[str, str]
    exposed_schemas: tuple[str, ...] = ("public", "graphql_public")
    extra_search_path: tuple[str, ...] = ("public", "extensions")
    schema_cache_mode: SchemaCacheMode = "v13"
    anon_role: str = "anon"
    max_rows: int | None = 1000
    pool_max_size: int = 8
    pool_timeout_s: float = 10.0
    jwt_leeway_s: int = 30
    listen_channel: str = "pgrst"

    def __post_init__(self) -> None:
        if len(self.jwt_secret) < MIN_JWT_SECRET_LENGTH:
            raise ValueError(
                f"jwt_secret has {len(self.jwt_secret)} characters; "
                f"PostgREST v13 needs at least {MIN_JWT_SECRET_LENGTH}"
            )
        if not self.exposed_schemas:
            raise ValueError("exposed_schemas is empty; expose at least one schema (usually 'public')")
        if self.pool_max_size < 1:
            raise ValueError(f"pool_max_size must be at least 1, not {self.pool_max_size}")
        if self.schema_cache_mode != "v13":
            raise ValueError(f"schema_cache_mode {self.schema_cache_mode!r} is not supported; use 'v13'")
        # A read-only copy: the frozen config must not change behind the running app.
        object.__setattr__(self, "api_keys", MappingProxyType(dict(self.api_keys)))

    def __repr__(self) -> str:
        return (
            f"RestConfig(database_url={redact_url(self.database_url)!r}, jwt_secret='***', "
            f"api_keys=<{len(self.api_keys)} keys>, exposed_schemas={self.exposed_schemas!r}, "
            f"schema_cache_mode={self.schema_cache_mode!r}, pool_max_size={self.pool_max_size})"
        )
