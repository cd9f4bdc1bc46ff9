"""Every error the local endpoint answers with, as data; `responses` turns them into HTTP.

    RestError                 an error answered over HTTP (status + extra headers)
     ├── GatewayRejected      Supabase's API gateway: 401 {"message", "hint"}, no PostgREST code
     └── PostgrestError       PostgREST: {"code", "details", "hint", "message"} + Proxy-Status

The constructors below reproduce PostgREST v13's codes and messages
(`src/PostgREST/Error.hs`) for the cases the endpoint implements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

GATEWAY_NO_KEY_HINT = "No `apikey` request header or url param was found."
GATEWAY_INVALID_KEY_HINT = "Double check your Supabase `anon` or `service_role` API key."


class RestError(Exception):
    """An error the endpoint answers with `status`, a JSON body and `headers`."""

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers: Mapping[str, str] = dict(headers or {})

    def body(self) -> dict[str, str | None]:
        """The JSON body, keys in the order the real service sends them."""
        return {"message": self.message}


class GatewayRejected(RestError):
    """The API gateway refused the request before PostgREST saw it (missing or unknown `apikey`)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(401, message)
        self.hint = hint

    def body(self) -> dict[str, str | None]:
        """`{"message", "hint"}`: the gateway sends no `code`, so clients see `code=None`."""
        return {"message": self.message, "hint": self.hint}


class PostgrestError(RestError):
    """A PostgREST error: `code` is a PGRST code or a SQLSTATE, always a string."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: str | None = None,
        hint: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, message, headers={**(headers or {}), "Proxy-Status": f"PostgREST; error={code}"})
        self.code = code
        self.details = details
        self.hint = hint

    def body(self) -> dict[str, str | None]:
        """`{"code", "details", "hint", "message"}` (aeson's alphabetical order)."""
        return {"code": self.code, "details": self.details, "hint": self.hint, "message": self.message}


def no_api_key() -> GatewayRejected:
    """401: neither an `apikey` header nor an `apikey` query parameter was sent."""
    return GatewayRejected("No API key found in request", GATEWAY_NO_KEY_HINT)


def invalid_api_key() -> GatewayRejected:
    """401: the `apikey` is neither a configured key nor a JWT signed with the project's secret."""
    return GatewayRejected("Invalid API key", GATEWAY_INVALID_KEY_HINT)


def jwt_invalid(message: str) -> PostgrestError:
    """401 PGRST301: the token could not be decoded or its signature does not verify."""
    return _jwt_error("PGRST301", message)


def jwt_claims_invalid(message: str) -> PostgrestError:
    """401 PGRST303: the token verified but a claim refuses it (`JWT expired`, ...)."""
    return _jwt_error("PGRST303", message)


def _jwt_error(code: str, message: str) -> PostgrestError:
    challenge = f'Bearer error="invalid_token", error_description="{message}"'
    return PostgrestError(401, code, message, headers={"WWW-Authenticate": challenge})


def invalid_schema(schema: str, exposed: Iterable[str]) -> PostgrestError:
    """406 PGRST106: `Accept-Profile`/`Content-Profile` names a schema that is not exposed."""
    return PostgrestError(
        406,
        "PGRST106",
        f"Invalid schema: {schema}",
        hint=f"Only the following schemas are exposed: {', '.join(exposed)}",
    )


def table_not_found(schema: str, table: str, suggestion: str | None) -> PostgrestError:
    """404 PGRST205: the table is not in the schema cache (v13), with the closest name as hint."""
    return PostgrestError(
        404,
        "PGRST205",
        f"Could not find the table '{schema}.{table}' in the schema cache",
        hint=f"Perhaps you meant the table '{schema}.{suggestion}'" if suggestion else None,
    )


def function_not_found(
    schema: str, function: str, argument_names: Iterable[str], *, json_body: bool, suggestion: str | None
) -> PostgrestError:
    """404 PGRST202: no function with this name takes exactly these named arguments.

    `json_body` is true for POST calls, which could also have matched a function
    with a single unnamed json/jsonb parameter; `suggestion` is what follows
    `schema.` in the hint (`name` or `name(params)`).
    """
    qualified = f"{schema}.{function}"
    names = sorted(argument_names)
    listed = ", ".join(names)
    if names:
        in_message = f"({listed})"
        in_details = f" with parameter{'s' if len(names) > 1 else ''} {listed}"
    else:
        in_message = in_details = " without parameters"
    if json_body:
        in_details += " or with a single unnamed json/jsonb parameter"
    return PostgrestError(
        404,
        "PGRST202",
        f"Could not find the function {qualified}{in_message} in the schema cache",
        details=f"Searched for the function {qualified}{in_details}, but no matches were found in the schema cache.",
        hint=f"Perhaps you meant to call the function {schema}.{suggestion}" if suggestion else None,
    )


def ambiguous_function(schema: str, function: str, signatures: Iterable[str]) -> PostgrestError:
    """300 PGRST203: several overloads take the same named arguments."""
    candidates = ", ".join(f"{schema}.{function}({signature})" for signature in signatures)
    return PostgrestError(
        300,
        "PGRST203",
        f"Could not choose the best candidate function between: {candidates}",
        hint=(
            "Try renaming the parameters or the function itself in the database so function overloading can be resolved"
        ),
    )


def invalid_body(reason: str) -> PostgrestError:
    """400 PGRST102: the request body is not a JSON object."""
    return PostgrestError(400, "PGRST102", "Empty or invalid json", details=reason)


def invalid_query_parameter(message: str, details: str) -> PostgrestError:
    """400 PGRST100: a query parameter (`select`, `limit`, a filter...) could not be parsed."""
    return PostgrestError(400, "PGRST100", message, details=details)


def aggregates_disabled() -> PostgrestError:
    """400 PGRST123: `select=count()` and friends, with `db-aggregates-enabled` off (Supabase's default)."""
    return PostgrestError(400, "PGRST123", "Use of aggregate functions is not allowed")


def range_not_satisfiable(offset: int, total: int) -> PostgrestError:
    """416 PGRST103: the offset lies past the last row, with `Prefer: count=exact`."""
    return PostgrestError(
        416,
        "PGRST103",
        "Requested range not satisfiable",
        details=f"An offset of {offset} was requested, but there are only {total} rows.",
        headers={"Content-Range": f"*/{total}"},
    )


def unsupported_method(method: str) -> PostgrestError:
    """405 PGRST117: the local endpoint only reads tables and calls functions."""
    return PostgrestError(
        405,
        "PGRST117",
        f"Unsupported HTTP method: {method}",
        hint="The local endpoint serves GET/HEAD on tables and GET/HEAD/POST on /rpc; write through an rpc",
    )


def database_unavailable(reason: str) -> PostgrestError:
    """503 PGRST001: the connection to PostgreSQL failed (clients retry GET requests)."""
    return PostgrestError(503, "PGRST001", "Database client error. Retrying the connection.", details=reason)


def pool_timeout(seconds: float) -> PostgrestError:
    """504 PGRST003: no pooled connection became free in time."""
    return PostgrestError(
        504, "PGRST003", "Timed out acquiring connection from connection pool.", details=f"waited {seconds:g} s"
    )
