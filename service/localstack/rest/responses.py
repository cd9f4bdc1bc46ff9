"""HTTP responses as PostgREST shapes them: JSON bodies, Content-Range and its status, errors."""

from __future__ import annotations

import json

from starlette.responses import Response

from service.localstack.rest.errors import RestError, range_not_satisfiable

JSON_MEDIA_TYPE = "application/json; charset=utf-8"


def json_response(body: str, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """`body` (JSON text straight from PostgreSQL) as `application/json; charset=utf-8`."""
    return Response(body.encode(), status_code=status, headers=headers, media_type=JSON_MEDIA_TYPE)


def no_content() -> Response:
    """204 with no body and no Content-Type: what a void function answers (PostgREST >= v10)."""
    return Response(status_code=204)


def error_response(error: RestError) -> Response:
    """The error's compact JSON body with its status and headers (`Proxy-Status`, `WWW-Authenticate`...)."""
    body = json.dumps(error.body(), separators=(",", ":"), ensure_ascii=False)
    return json_response(body, status=error.status, headers=dict(error.headers))


def page_response(body: str, *, offset: int, page_rows: int, total: int | None) -> Response:
    """A table read with `Content-Range: first-last/total` and PostgREST's status rule.

    The total is `*` unless counted (`Prefer: count=exact`). Status: 416 when
    the offset lies past the total, 206 when the page holds fewer rows than the
    total, else 200 (`src/PostgREST/RangeQuery.hs`).
    """
    last = offset + page_rows - 1
    shown_total = "*" if total is None else str(total)
    content_range = f"{offset}-{last}/{shown_total}" if page_rows > 0 else f"*/{shown_total}"
    status = 200
    if total is not None:
        if offset > total:
            raise range_not_satisfiable(offset, total)
        if 1 + last - offset < total:
            status = 206
    return json_response(body, status=status, headers={"Content-Range": content_range})
