"""Who a request is: the gateway's `apikey` check, then PostgREST's `Authorization: Bearer` rules.

Supabase's gateway refuses a request without a known `apikey` before
PostgREST sees it. PostgREST itself reads only `Authorization: Bearer`: no
token is the anonymous role with claims `{}`; a JWT (HS256, 30 s clock skew)
gives its `role` claim. Configured key strings (`sb_secret_...`) are not JWTs;
the gateway maps them to their role, and so does this module.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
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


@dataclass(frozen=True)
class Identity:
    """The database role a request runs as and the claims it carries (`role` included)."""

    role: str
    claims: Mapping[str, Any]


def check_api_key(api_key: str | None, config: RestConfig) -> None:
    """Refuse the request as the gateway would, unless `api_key` is a configured key or a JWT signed with the secret.

    Only the signature is checked here: an expired token passes the gateway and
    is refused by PostgREST's rules (`JWT expired`), as on the platform.
    """
    if api_key is None or api_key == "":
        raise no_api_key()
    if _configured_role(api_key, config) is not None:
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


def identify(authorization: str | None, config: RestConfig) -> Identity:
    """The identity PostgREST derives from the `Authorization` header (raises PGRST301/PGRST303)."""
    token = _bearer_token(authorization)
    if token is None:
        return Identity(config.anon_role, {"role": config.anon_role})
    configured = _configured_role(token, config)
    if configured is not None:
        return Identity(configured, {"role": configured})
    claims = decode_jwt(token, config)
    role = claims.get("role")
    if not isinstance(role, str) or role == "":
        role = config.anon_role
    return Identity(role, {**claims, "role": role})


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
