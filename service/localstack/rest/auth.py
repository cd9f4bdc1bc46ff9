"""Who a request is: the gateway's `apikey` check, then PostgREST's `Authorization: Bearer` rules.

Supabase's gateway refuses a request without a known `apikey` before
PostgREST sees it. PostgREST itself reads only `Authorization: Bearer`: no
token is the anonymous role with claims `{}`; a JWT (HS256, 30 s clock skew)
gives its `role` claim. Configured key strings (`sb_secret_...`) are not JWTs;
the gateway maps them to their role, and so does this module.
"""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from service.localstack.rest.config import RestConfig
from service.localstack.rest.errors import (
    invalid_api_key,
    jwt_claims_invalid,
    jwt_invalid,
    no_api_key,
)

BEARER_PREFIX = "bearer "
TOKEN_CACHE_SIZE = 256  # distinct JWTs remembered (a client usually sends one or two)


@dataclass(frozen=True)
class Identity:
    """The database role a request runs as and the claims it carries (`role` included)."""

    role: str
    claims: Mapping[str, Any]


@dataclass(frozen=True)
class _Verified:
    """A JWT whose signature verified; `identity` is set once its claims passed PostgREST's checks too.

    `starts` is the later of its `iat` and `nbf`, `expires` its `exp` (None when absent).
    """

    identity: Identity | None
    starts: int | None = None
    expires: int | None = None
    leeway_s: float = 0


class TokenCache:
    """JWTs already verified with this endpoint's secret, least recently used first out.

    A repeated token skips the HMAC and the JSON decoding. Its time claims are
    still checked on every request, as PyJWT checks them; once they fail
    (expired, or not yet valid) the token is decoded again, so it is refused
    exactly as it would be without the cache (`JWT expired`...).
    """

    def __init__(self, size: int = TOKEN_CACHE_SIZE, clock: Callable[[], float] = time.time) -> None:
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[str, _Verified] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def signature_verified(self, token: str) -> bool:
        """Whether `token`'s signature verified before (it cannot change)."""
        return self._get(token) is not None

    def identity(self, token: str) -> Identity | None:
        """The identity of `token` if it verified before and its time claims hold now."""
        entry = self._get(token)
        if entry is None or entry.identity is None:
            return None
        # PyJWT (`api_jwt.py`): `iat`/`nbf` > now + leeway is premature, `exp` <= now - leeway expired.
        now = self.clock()
        if entry.starts is not None and entry.starts > now + entry.leeway_s:
            return None
        if entry.expires is not None and entry.expires <= now - entry.leeway_s:
            return None
        return entry.identity

    def remember_signature(self, token: str) -> None:
        """Record that `token`'s signature verified (the gateway's check; claims not checked)."""
        if token not in self._entries:
            self._put(token, _Verified(None))

    def remember_identity(self, token: str, identity: Identity, claims: Mapping[str, Any], leeway_s: float) -> None:
        """Record `token`'s identity, decoded from `claims` (which PyJWT accepted with `leeway_s`)."""
        try:  # read as PyJWT reads them; a claim it would refuse keeps the token out of the cache
            starts = max((int(claims[name]) for name in ("iat", "nbf") if name in claims), default=None)
            expires = int(claims["exp"]) if "exp" in claims else None
        except (ValueError, TypeError, OverflowError):
            return
        self._put(token, _Verified(identity, starts, expires, leeway_s))

    def _get(self, token: str) -> _Verified | None:
        entry = self._entries.get(token)
        if entry is not None:
            self._entries.move_to_end(token)
        return entry

    def _put(self, token: str, entry: _Verified) -> None:
        self._entries[token] = entry
        self._entries.move_to_end(token)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


def check_api_key(api_key: str | None, config: RestConfig, tokens: TokenCache | None = None) -> None:
    """Refuse the request as the gateway would, unless `api_key` is a configured key or a JWT signed with the secret.

    Only the signature is checked here: an expired token passes the gateway and
    is refused by PostgREST's rules (`JWT expired`), as on the platform.
    `tokens` remembers signatures already verified.
    """
    if api_key is None or api_key == "":
        raise no_api_key()
    if _configured_role(api_key, config) is not None:
        return
    if tokens is not None and tokens.signature_verified(api_key):
        return
    import jwt

    try:
        jwt.decode(
            api_key,
            config.jwt_secret,
            algorithms=["HS256"],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
    except jwt.InvalidTokenError:
        raise invalid_api_key() from None
    if tokens is not None:
        tokens.remember_signature(api_key)


def identify(authorization: str | None, config: RestConfig, tokens: TokenCache | None = None) -> Identity:
    """The identity PostgREST derives from the `Authorization` header (raises PGRST301/PGRST303).

    With `tokens`, a JWT verified before is not decoded again while its time claims hold.
    """
    token = _bearer_token(authorization)
    if token is None:
        return Identity(config.anon_role, {"role": config.anon_role})
    configured = _configured_role(token, config)
    if configured is not None:
        return Identity(configured, {"role": configured})
    if tokens is not None:
        cached = tokens.identity(token)
        if cached is not None:
            return cached
    claims = decode_jwt(token, config)
    role = claims.get("role")
    if not isinstance(role, str) or role == "":
        role = config.anon_role
    identity = Identity(role, {**claims, "role": role})
    if tokens is not None:
        tokens.remember_identity(token, identity, claims, config.jwt_leeway_s)
    return identity


def decode_jwt(token: str, config: RestConfig) -> dict[str, Any]:
    """The verified claims of an HS256 `token`, with PostgREST v13's error for each failure."""
    import jwt

    if token == "":
        raise jwt_invalid("Empty JWT is sent in Authorization header")
    parts = token.count(".") + 1
    if parts != 3:
        raise jwt_invalid(f"Expected 3 parts in JWT; got {parts}")
    try:
        claims = jwt.decode(
            token,
            config.jwt_secret,
            algorithms=["HS256"],
            leeway=config.jwt_leeway_s,
            options={"verify_aud": False},
        )
    except jwt.ExpiredSignatureError:
        raise jwt_claims_invalid("JWT expired") from None
    except jwt.ImmatureSignatureError as error:
        message = "JWT issued at future" if "iat" in str(error) else "JWT not yet valid"
        raise jwt_claims_invalid(message) from None
    except jwt.InvalidSignatureError:
        raise jwt_invalid("No suitable key or wrong key type") from None
    except jwt.InvalidAlgorithmError:
        raise jwt_invalid("Wrong or unsupported encoding algorithm") from None
    except jwt.DecodeError:
        raise jwt_invalid("JWT cryptographic operation failed") from None
    except jwt.InvalidTokenError:
        raise jwt_claims_invalid("Parsing claims failed") from None
    if not isinstance(claims, dict):
        raise jwt_claims_invalid("Parsing claims failed")
    return claims


def _bearer_token(authorization: str | None) -> str | None:
    """The token of `Authorization: Bearer <token>`; None without one (other schemes are ignored)."""
    if authorization is None or not authorization.lower().startswith(BEARER_PREFIX):
        return None
    return authorization[len(BEARER_PREFIX) :].strip()


def _configured_role(key: str, config: RestConfig) -> str | None:
    """The role of a configured key string, compared in constant time."""
    candidate = key.encode()
    for configured_key, role in config.api_keys.items():
        if hmac.compare_digest(configured_key.encode(), candidate):
            return role
    return None
