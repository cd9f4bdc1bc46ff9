"""`create_app(config)`: the local PostgREST-compatible endpoint as a Starlette app.

The lifespan opens a pool of `authenticator` connections, starts listening on
`pgrst` and loads the schema cache; nothing happens before it runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from service.localstack.rest.config import RestConfig
from service.localstack.rest.endpoints import API_PREFIX, RestEndpoints
from service.localstack.rest.generation import SchemaGeneration
from service.localstack.rest.runtime import RestRuntime

WRITE_METHODS = ["POST", "PATCH", "PUT", "DELETE"]


def create_app(config: RestConfig, *, schema_generation: SchemaGeneration | None = None) -> Starlette:
    """A Starlette app serving `/rest/v1/rpc/{function}` and `/rest/v1/{table}` from `config.database_url`.

    `schema_generation` is bumped after every schema cache load (pass one to
    wait for reloads from another thread); a start-up failure is recorded on it
    too, then raised.
    """
    runtime = RestRuntime(config, schema_generation or SchemaGeneration())
    endpoints = RestEndpoints(runtime)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            await runtime.start()
        except BaseException as error:
            runtime.generation.fail(error)
            await runtime.stop()
            raise
        try:
            yield
        finally:
            await runtime.stop()

    routes = [
        Route(f"{API_PREFIX}/rpc/{{function}}", endpoints.call_function, methods=["GET", "HEAD", "POST"]),
        Route(f"{API_PREFIX}/{{relation}}", endpoints.read_relation, methods=["GET", "HEAD"]),
        Route(f"{API_PREFIX}/{{relation}}", endpoints.unsupported, methods=WRITE_METHODS),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
