"""The two resources: `/rest/v1/rpc/{function}` and `/rest/v1/{table}`, each one transaction.

Order of checks, as on Supabase: the gateway's `apikey`, PostgREST's JWT,
the profile header (schema), the schema cache, then the database.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
from psycopg_pool import PoolTimeout
from starlette.requests import Request
from starlette.responses import Response

from service.localstack.rest.auth import Identity, TokenCache, check_api_key, identify
from service.localstack.rest.errors import RestError, invalid_body, invalid_schema, pool_timeout, unsupported_method
from service.localstack.rest.read_request import RESERVED_PARAMETERS, parse_read_query
from service.localstack.rest.responses import error_response, json_response, no_content, page_response
from service.localstack.rest.runtime import RestRuntime
from service.localstack.rest.schema_cache import SchemaCache
from service.localstack.rest.sqlstate import from_database_error
from service.localstack.rest.statements import Statement, function_call, read_relation, search_path
from service.localstack.rest.transaction import RequestContext, run_in_transaction

API_PREFIX = "/rest/v1"
COUNT_PREFERENCES = ("count=exact", "count=planned", "count=estimated")  # all counted exactly here


class RestEndpoints:
    """Request handlers bound to the running endpoint's pool and schema cache."""

    def __init__(self, runtime: RestRuntime) -> None:
        self.runtime = runtime
        self.config = runtime.config
        self.tokens = TokenCache()

    async def call_function(self, request: Request) -> Response:
        """`POST` (JSON body) or `GET`/`HEAD` (query string) `/rpc/{function}`."""
        try:
            identity = self._identify(request)
            is_post = request.method == "POST"
            schema = self._schema(request, "content-profile" if is_post else "accept-profile")
            arguments = await _json_arguments(request) if is_post else _query_arguments(request)
            cache = await self.runtime.schema_cache()
            call = cache.find_function(schema, request.path_params["function"], frozenset(arguments), json_body=is_post)
            # GET is always read-only; POST follows the function's volatility.
            read_only = not is_post or call.function.read_only
            row = await self._run(request, identity, schema, cache, function_call(call, arguments), read_only=read_only)
        except RestError as error:
            return error_response(error)
        if call.function.returns_void:
            return no_content()
        result = row[0] if row is not None else None
        return json_response(result if result is not None else "null")

    async def read_relation(self, request: Request) -> Response:
        """`GET`/`HEAD` `/{table}?select=...&limit=...&offset=...`, with `Prefer: count=exact`."""
        try:
            identity = self._identify(request)
            schema = self._schema(request, "accept-profile")
            query = parse_read_query(request.query_params.multi_items(), max_rows=self.config.max_rows)
            count_exact = any(preference in request.headers.get("prefer", "") for preference in COUNT_PREFERENCES)
            cache = await self.runtime.schema_cache()
            relation = cache.find_relation(schema, request.path_params["relation"])
            statement = read_relation(relation, query, count_exact=count_exact)
            row = await self._run(request, identity, schema, cache, statement, read_only=True)
            if row is None:  # an aggregate query always returns one row
                raise RuntimeError("the read query returned no row")
            total, page_rows, body = row
            assert page_rows is not None and body is not None  # count() and coalesce() are never NULL
            return page_response(
                body, offset=query.offset, page_rows=int(page_rows), total=None if total is None else int(total)
            )
        except RestError as error:
            return error_response(error)

    async def unsupported(self, request: Request) -> Response:
        """Writes to tables are not served locally (after the gateway and JWT checks, like PostgREST)."""
        try:
            self._identify(request)
            raise unsupported_method(request.method)
        except RestError as error:
            return error_response(error)

    def _identify(self, request: Request) -> Identity:
        check_api_key(request.headers.get("apikey") or request.query_params.get("apikey"), self.config, self.tokens)
        return identify(request.headers.get("authorization"), self.config, self.tokens)

    def _schema(self, request: Request, header: str) -> str:
        """The schema named by `Accept-Profile`/`Content-Profile`, the first exposed one by default."""
        profile = request.headers.get(header)
        if profile is None:
            return self.config.exposed_schemas[0]
        if profile not in self.config.exposed_schemas:
            raise invalid_schema(profile, self.config.exposed_schemas)
        return profile

    async def _run(
        self,
        request: Request,
        identity: Identity,
        schema: str,
        cache: SchemaCache,
        statement: Statement,
        *,
        read_only: bool,
    ) -> tuple[str | None, ...] | None:
        context = RequestContext(
            role=identity.role,
            claims=identity.claims,
            method=request.method,
            path=request.url.path.removeprefix(API_PREFIX),
            headers=dict(request.headers.items()),
            cookies=dict(request.cookies),
            search_path=search_path([schema, *self.config.extra_search_path]),
            role_settings=cache.settings_of(identity.role),
        )
        try:
            return await run_in_transaction(
                self.runtime.pool, context, statement, read_only=read_only, timeout_s=self.config.pool_timeout_s
            )
        except PoolTimeout:
            raise pool_timeout(self.config.pool_timeout_s) from None
        except psycopg.Error as error:
            raise from_database_error(error, anonymous=identity.role == self.config.anon_role) from None


async def _json_arguments(request: Request) -> dict[str, Any]:
    """The POST body as named arguments: a JSON object (an empty body is `{}`)."""
    body = await request.body()
    if not body.strip():
        return {}
    try:
        arguments = json.loads(body)
    except ValueError as error:
        raise invalid_body(str(error)) from None
    if not isinstance(arguments, dict):
        raise invalid_body("the body must be a JSON object of named arguments")
    return arguments


def _query_arguments(request: Request) -> dict[str, Any]:
    """GET/HEAD arguments: every query parameter except PostgREST's own (the last value wins)."""
    return {name: value for name, value in request.query_params.multi_items() if name not in RESERVED_PARAMETERS}
