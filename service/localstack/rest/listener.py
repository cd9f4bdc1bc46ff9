"""PostgREST's schema-reload channel: `LISTEN pgrst`, reload on `NOTIFY pgrst, 'reload schema'` (or '')."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
import structlog
from psycopg import sql

log = structlog.get_logger(__name__)

RELOAD_PAYLOADS = frozenset({"reload schema", ""})  # an empty payload reloads everything in PostgREST
RETRY_DELAY_S = 1.0


async def listen_for_reloads(
    conninfo: str,
    channel: str,
    reload: Callable[[], Awaitable[None]],
    listening: asyncio.Event,
) -> None:
    """Call `reload` for every reload notification on `channel`, until cancelled.

    `listening` is set once the first LISTEN is in place (notifications sent
    after that are never missed). A lost connection is re-established every
    second, then the cache is reloaded, since notifications may have been lost.
    """
    connected_before = False
    while True:
        try:
            connection = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
        except psycopg.OperationalError as error:
            log.warning("schema_listener.connect_failed", error=str(error).strip())
            await asyncio.sleep(RETRY_DELAY_S)
            continue
        try:
            await connection.execute(sql.SQL("listen {}").format(sql.Identifier(channel)))
            listening.set()
            if connected_before:
                log.info("schema_listener.reconnected", channel=channel)
                await reload()
            connected_before = True
            await _deliver(connection, reload)
        except psycopg.OperationalError as error:
            log.warning("schema_listener.disconnected", error=str(error).strip())
            await asyncio.sleep(RETRY_DELAY_S)
        finally:
            await connection.close()


async def _deliver(connection: psycopg.AsyncConnection[Any], reload: Callable[[], Awaitable[None]]) -> None:
    async for notification in connection.notifies():
        if notification.payload in RELOAD_PAYLOADS:
            await reload()
