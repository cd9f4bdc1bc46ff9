"""What the endpoint keeps between requests: verified JWTs (time claims still checked) and composed statements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from service.localstack.keys import sign_jwt
from service.localstack.rest import RestConfig
from service.localstack.rest.auth import Identity, TokenCache, check_api_key, identify
from service.localstack.rest.errors import GatewayRejected, PostgrestError
from service.localstack.rest.schema_cache import Call, Function, Parameter, Volatility
from service.localstack.rest.statements import RenderedQuery, function_call, preamble

SECRET = "a-jwt-secret-of-at-least-thirty-two-characters"
NOW = 1_700_000_000.0
LEEWAY = 30


class Clock:
    """A settable clock for `TokenCache` and PyJWT alike."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def config() -> RestConfig:
    return RestConfig(
        database_url="postgresql://authenticator@/postgres",
        jwt_secret=SECRET,
        api_keys={"sb_secret_k": "service_role"},
        jwt_leeway_s=LEEWAY,
    )


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """Time as both the cache and PyJWT see it (PyJWT reads `datetime.now`)."""
    import datetime as real_datetime

    clock = Clock()

    class FrozenDatetime(real_datetime.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return real_datetime.datetime.fromtimestamp(clock.now, tz)

    monkeypatch.setattr(jwt.api_jwt, "datetime", FrozenDatetime)
    yield clock


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token PyJWT decodes (signature checked) from now on."""
    seen: list[str] = []
    original = jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return original(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    return seen


def signed(**claims: Any) -> str:
    return sign_jwt(SECRET, claims)


def bearer(token: str) -> str:
    return f"Bearer {token}"


def test_a_repeated_jwt_is_verified_once(config: RestConfig, clock: Clock, decodes: list[str]) -> None:
    """The second request with the same token reuses its identity, claims included."""
    tokens = TokenCache(clock=clock)
    token = signed(role="authenticated", sub="u1", iat=int(NOW) - 5, exp=int(NOW) + 3600)
    first = identify(bearer(token), config, tokens)
    second = identify(bearer(token), config, tokens)
    assert first == second == Identity(
        "authenticated", {"role": "authenticated", "sub": "u1", "iat": int(NOW) - 5, "exp": int(NOW) + 3600}
    )
    assert decodes == [token]


def test_a_cached_jwt_expires_exactly_when_pyjwt_says(config: RestConfig, clock: Clock, decodes: list[str]) -> None:
    """Accepted until `exp + leeway` (exclusive), then refused with PostgREST's `JWT expired`, cache or not."""
    tokens = TokenCache(clock=clock)
    exp = int(NOW) + 60
    token = signed(role="authenticated", exp=exp)
    identify(bearer(token), config, tokens)
    clock.now = exp + LEEWAY - 0.001
    assert identify(bearer(token), config, tokens).role == "authenticated"
    assert len(decodes) == 1
    clock.now = exp + LEEWAY
    with pytest.raises(PostgrestError) as raised:
        identify(bearer(token), config, tokens)
    assert (raised.value.status, raised.value.code, raised.value.message) == (401, "PGRST303", "JWT expired")
    with pytest.raises(PostgrestError, match="JWT expired"):  # still refused: never served from the cache again
        identify(bearer(token), config, tokens)
    assert len(decodes) == 3


def test_a_cached_jwt_is_refused_before_its_nbf(config: RestConfig, clock: Clock) -> None:
    """A clock moved back before `nbf - leeway` sends the token to PyJWT again, which refuses it."""
    tokens = TokenCache(clock=clock)
    token = signed(role="authenticated", nbf=int(NOW))
    identify(bearer(token), config, tokens)
    clock.now = NOW - LEEWAY - 1
    with pytest.raises(PostgrestError, match="JWT not yet valid"):
        identify(bearer(token), config, tokens)


def test_refused_tokens_are_not_remembered(config: RestConfig, clock: Clock, decodes: list[str]) -> None:
    """A wrong signature fails every time (and is decoded every time); nothing is cached."""
    tokens = TokenCache(clock=clock)
    forged = sign_jwt("another-secret-of-at-least-thirty-two-chars", {"role": "service_role"})
    for _ in range(2):
        with pytest.raises(PostgrestError, match="No suitable key or wrong key type"):
            identify(bearer(forged), config, tokens)
        with pytest.raises(GatewayRejected, match="Invalid API key"):
            check_api_key(forged, config, tokens)
    assert len(tokens) == 0
    assert len(decodes) == 4


def test_the_gateway_check_remembers_a_verified_signature(
    config: RestConfig, clock: Clock, decodes: list[str]
) -> None:
    """An `apikey` JWT is verified once (signature only: an expired one passes, as on the platform)."""
    tokens = TokenCache(clock=clock)
    expired = signed(role="anon", exp=int(NOW) - 3600)
    check_api_key(expired, config, tokens)
    check_api_key(expired, config, tokens)
    assert decodes == [expired]
    with pytest.raises(PostgrestError, match="JWT expired"):  # its signature is known; its claims are not
        identify(bearer(expired), config, tokens)


def test_configured_keys_bypass_the_cache(config: RestConfig, decodes: list[str]) -> None:
    """`sb_secret_...` keys are not JWTs: mapped to their role, never decoded or cached."""
    tokens = TokenCache()
    check_api_key("sb_secret_k", config, tokens)
    assert identify(bearer("sb_secret_k"), config, tokens) == Identity("service_role", {"role": "service_role"})
    assert (decodes, len(tokens)) == ([], 0)


def test_the_token_cache_keeps_the_most_recently_used(config: RestConfig, clock: Clock) -> None:
    """Bounded: the least recently used token goes first."""
    tokens = TokenCache(size=2, clock=clock)
    first, second, third = (signed(role="authenticated", sub=str(n)) for n in range(3))
    identify(bearer(first), config, tokens)
    identify(bearer(second), config, tokens)
    identify(bearer(first), config, tokens)  # first is now the most recent
    identify(bearer(third), config, tokens)
    assert len(tokens) == 2
    assert tokens.identity(first) is not None
    assert tokens.identity(second) is None


EXEC_SQL = Function(
    schema="public",
    name="exec_sql",
    parameters=(Parameter("sql", "pg_catalog", "text"),),
    defaults_count=0,
    volatility=Volatility.VOLATILE,
    returns_set=False,
    returns_void=True,
    returns_composite=False,
)
ADD = Function(
    schema="public",
    name="add",
    parameters=(Parameter("a", "pg_catalog", "int4"), Parameter("b", "pg_catalog", "int4")),
    defaults_count=1,
    volatility=Volatility.IMMUTABLE,
    returns_set=False,
    returns_void=False,
    returns_composite=False,
)
WHOLE_BODY = Function(
    schema="public",
    name="takes_json",
    parameters=(Parameter("", "pg_catalog", "jsonb"),),
    defaults_count=0,
    volatility=Volatility.VOLATILE,
    returns_set=True,
    returns_void=False,
    returns_composite=False,
)


def text_of(query: Any) -> str:
    return str(query.as_bytes(None), "utf-8")


@pytest.mark.parametrize(
    ("call", "arguments", "expected_text", "expected_parameters"),
    [
        (
            Call(EXEC_SQL),
            {"sql": "select 1"},
            (
                'select "public"."exec_sql"("sql" := _args."sql")'
                ' from pg_catalog.json_to_record(%s::json) as _args("sql" "pg_catalog"."text")'
            ),
            ['{"sql": "select 1"}'],
        ),
        (
            Call(ADD),
            {"b": 2, "a": 1},
            (
                'select pg_catalog.to_json("public"."add"("a" := _args."a", "b" := _args."b"))::text'
                ' from pg_catalog.json_to_record(%s::json) as _args("a" "pg_catalog"."int4", "b" "pg_catalog"."int4")'
            ),
            ['{"a": 1, "b": 2}'],
        ),
        (
            Call(ADD),
            {"a": 1},
            (
                'select pg_catalog.to_json("public"."add"("a" := _args."a"))::text'
                ' from pg_catalog.json_to_record(%s::json) as _args("a" "pg_catalog"."int4")'
            ),
            ['{"a": 1}'],
        ),
        (
            Call(WHOLE_BODY, whole_body=True),
            {"x": [1]},
            (
                'select coalesce(pg_catalog.json_agg(_result._value), \'[]\')::text'
                ' from "public"."takes_json"(%s::"pg_catalog"."jsonb") as _result(_value)'
            ),
            ['{"x": [1]}'],
        ),
    ],
)
def test_call_statements_are_composed_once_per_function_and_argument_names(
    call: Call, arguments: dict[str, Any], expected_text: str, expected_parameters: list[str]
) -> None:
    """The same text every time (one cached object); the values stay bound parameters of each call."""
    statement = function_call(call, arguments)
    assert text_of(statement.query) == expected_text
    assert statement.parameters == expected_parameters
    again = function_call(call, {name: f"other {value}" for name, value in arguments.items()})
    assert again.query is statement.query
    assert again.parameters != statement.parameters


def test_the_preamble_text_depends_only_on_the_number_of_settings() -> None:
    settings = [("role", "anon"), ("request.method", "GET")]
    statement = preamble(settings)
    assert text_of(statement.query) == (
        "select pg_catalog.set_config(%s, %s, true), pg_catalog.set_config(%s, %s, true)"
    )
    assert statement.parameters == ["role", "anon", "request.method", "GET"]
    assert preamble([("role", "service_role"), ("x", "y")]).query is statement.query
    assert preamble([*settings, ("z", "1")]).query is not statement.query


def test_a_rendered_query_is_rendered_once_per_encoding() -> None:
    """`as_bytes` composes on first use only; the cached text is what psycopg would have produced."""
    from psycopg import sql

    renders: list[object] = []

    class Counting(sql.SQL):
        def as_bytes(self, context: Any = None) -> bytes:
            renders.append(context)
            return super().as_bytes(context)

    query = RenderedQuery(Counting("select ") + sql.Identifier("a\"b"))
    assert query.as_bytes(None) == b'select "a""b"'
    assert query.as_bytes(None) == b'select "a""b"'
    assert len(renders) == 1


def test_token_cache_identities_are_the_uncached_ones(config: RestConfig, clock: Clock) -> None:
    """With or without the cache, `identify` answers the same (a claimless role falls back to anon)."""
    token = signed(sub="u2", exp=int(NOW) + 10)
    tokens = TokenCache(clock=clock)
    uncached = identify(bearer(token), config)
    assert identify(bearer(token), config, tokens) == uncached
    assert identify(bearer(token), config, tokens) == uncached
    assert uncached.role == "anon"
