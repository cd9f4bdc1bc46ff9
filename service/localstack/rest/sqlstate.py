"""PostgreSQL errors as PostgREST answers them: SQLSTATE -> HTTP status, diagnostics -> error body.

The status table is PostgREST's `pgErrorStatus` (`src/PostgREST/Error.hs`),
identical in v12 and v13 except that v13 answers 401 to `role ... does not exist`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.localstack.rest.errors import PostgrestError, database_unavailable

if TYPE_CHECKING:
    import psycopg

# Exact codes first, then two-character classes; anything unlisted is the client's fault (400).
_EXACT_STATUS = {
    "P0001": 400,  # RAISE EXCEPTION's default
    "42883": 404,  # undefined_function
    "42P01": 404,  # undefined_table
    "23505": 409,  # unique_violation
    "23503": 409,  # foreign_key_violation
    "25006": 405,  # read_only_sql_transaction
    "53400": 500,  # configuration_limit_exceeded
    "57P01": 503,  # admin_shutdown
}
_CLASS_STATUS = {
    "08": 503,  # connection exception
    "09": 500,  # triggered action exception
    "0L": 403,  # invalid grantor
    "0P": 403,  # invalid role specification
    "25": 500,  # invalid transaction state (25001: CREATE INDEX CONCURRENTLY in a transaction)
    "28": 403,  # invalid authorization specification
    "2D": 500,  # invalid transaction termination
    "38": 500,  # external routine exception
    "39": 500,  # external routine invocation exception
    "3B": 500,  # savepoint exception
    "40": 500,  # transaction rollback
    "53": 503,  # insufficient resources
    "54": 500,  # program limit exceeded
    "55": 500,  # object not in prerequisite state
    "57": 500,  # operator intervention (57014: statement timeout)
    "58": 500,  # system error
    "P0": 500,  # other PL/pgSQL errors
    "XX": 500,  # internal error
}


def http_status(sqlstate: str, message: str, *, anonymous: bool) -> int:
    """The HTTP status PostgREST v13 answers a database error with.

    `anonymous` is whether the request ran as the anonymous role: lacking a
    privilege is then 401 (log in), otherwise 403 (you may not).
    """
    if sqlstate == "42501":
        return 401 if anonymous else 403
    if sqlstate == "22023" and message.startswith("role ") and message.endswith("does not exist"):
        return 401
    if sqlstate in _EXACT_STATUS:
        return _EXACT_STATUS[sqlstate]
    if sqlstate.startswith("PT") and sqlstate[2:].isdigit():
        return int(sqlstate[2:])
    return _CLASS_STATUS.get(sqlstate[:2], 400)


def from_database_error(error: psycopg.Error, *, anonymous: bool) -> PostgrestError:
    """`error` as PostgREST's body: SQLSTATE, primary message, DETAIL and HINT.

    An error without a SQLSTATE is a lost or refused connection: 503 PGRST001.
    """
    sqlstate = error.sqlstate
    if sqlstate is None:
        return database_unavailable(str(error).strip() or type(error).__name__)
    diagnostics = error.diag
    message = diagnostics.message_primary or str(error)
    status = http_status(sqlstate, message, anonymous=anonymous)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 and sqlstate == "42501" else None
    return PostgrestError(
        status,
        sqlstate,
        message,
        details=diagnostics.message_detail,
        hint=diagnostics.message_hint,
        headers=headers,
    )
