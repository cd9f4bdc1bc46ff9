"""`RestRuntime`: what the running endpoint shares between requests (pool, schema cache, reload listener)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import psycopg
import structlog
from psycopg_pool import AsyncConnectionPool

from service.localstack.rest.config import RestConfig
from service.localstack.rest.generation import SchemaGeneration
from service.localstack.rest.listener import listen_for_reloads
from service.localstack.rest.schema_cache import SchemaCache
from service.localstack.rest.schema_loader import load_schema_cache

log = structlog.get_logger(__name__)

LISTEN_TIMEOUT_S = 10.0


class RestRuntime:
    """Opened by the app's lifespan: the authenticator pool, the current schema cache, the LISTEN task."""

    def __init__(self, config: RestConfig, generation: SchemaGeneration) -> None:
        self.config = config
        self.generation = generation
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] | None = None
        self._cache: SchemaCache | None = None
        self._cache_ready = asyncio.Event()
        self._reload_lock = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None

    @property
    def pool(self) -> AsyncConnectionPool[psycopg.AsyncConnection[Any]]:
        """The pool of `authenticator` connections (autocommit: each request runs its own BEGIN/COMMIT)."""
        if self._pool is None:
            raise RuntimeError("the endpoint is not started")
        return self._pool

    async def start(self) -> None:
        """Open the pool, start listening for reloads, then load the schema cache.

        One direct connection first: a wrong URL or a role that cannot log in
        fails at once instead of after the pool's retries.
        """
        probe = await psycopg.AsyncConnection.connect(self.config.database_url, autocommit=True)
        await probe.close()
        self._pool = AsyncConnectionPool(
            self.config.database_url,
            min_size=1,
            max_size=self.config.pool_max_size,
            kwargs={"autocommit": True, "prepare_threshold": None},
            open=False,
            name="omnia-local-rest",
        )
        await self._pool.open(wait=True, timeout=self.config.pool_timeout_s)
        listening = asyncio.Event()
        self._listener = asyncio.create_task(
            listen_for_reloads(self.config.database_url, self.config.listen_channel, self.reload_schema, listening),
            name="omnia-local-rest-listener",
        )
        await asyncio.wait_for(listening.wait(), LISTEN_TIMEOUT_S)
        await self.reload_schema(raise_errors=True)

    async def stop(self) -> None:
        """Stop listening and close the pool (idempotent)."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def schema_cache(self) -> SchemaCache:
        """The current schema cache; waits while a reload is running, as PostgREST's requests do."""
        await self._cache_ready.wait()
        assert self._cache is not None  # set before _cache_ready
        return self._cache

    async def reload_schema(self, *, raise_errors: bool = False) -> None:
        """Load the schema cache again; on failure the previous one stays in use."""
        async with self._reload_lock:
            self._cache_ready.clear()
            try:
                async with self.pool.connection(timeout=self.config.pool_timeout_s) as connection:
                    self._cache = await load_schema_cache(connection, self.config.exposed_schemas)
            except Exception as error:
                self.generation.fail(error)
                log.warning("schema_cache.reload_failed", error=str(error).strip() or type(error).__name__)
                if raise_errors:
                    raise
            else:
                generation = self.generation.advance()
                log.debug("schema_cache.reloaded", generation=generation, relations=len(self._cache.relations))
            finally:
                if self._cache is not None:
                    self._cache_ready.set()
