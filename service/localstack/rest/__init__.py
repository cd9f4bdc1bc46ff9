"""A local PostgREST-compatible endpoint (Supabase's `/rest/v1`) over the embedded PostgreSQL.

For development and tests: `supabase.create_client(server.url, key)` works
against it. It implements the subset supabase-py and this service use (rpc,
table reads with counts, the gateway's API keys, JWT roles, v13 schema cache,
PostgREST's error bodies and statuses) and fault injection for reliability tests.

    config = RestConfig(database_url=..., jwt_secret=..., api_keys={service_key: "service_role"})
    with LocalRestServer(config) as server:
        ...

Importing this package is cheap: starlette, uvicorn and psycopg load only
when an app or a server is created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.localstack.rest.config import RestConfig
from service.localstack.rest.faults import Fault, FaultInjectingApp, FaultKind, Faults
from service.localstack.rest.generation import SchemaGeneration

if TYPE_CHECKING:
    from service.localstack.rest.app import create_app
    from service.localstack.rest.server import LocalRestServer

__all__ = [
    "Fault",
    "FaultInjectingApp",
    "FaultKind",
    "Faults",
    "LocalRestServer",
    "RestConfig",
    "SchemaGeneration",
    "create_app",
]


def __getattr__(name: str) -> Any:
    """Load `create_app` and `LocalRestServer` (and their dependencies) on first use."""
    if name == "create_app":
        from service.localstack.rest.app import create_app

        return create_app
    if name == "LocalRestServer":
        from service.localstack.rest.server import LocalRestServer

        return LocalRestServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
