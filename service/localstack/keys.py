"""Keys of the local stack: a JWT secret and Supabase-style API keys, kept under the state dir."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

KEYS_FILE = "dev-keys.json"


@dataclass(frozen=True)
class DevKeys:
    """The local project's JWT secret and its publishable (anon) and secret (service) keys."""

    jwt_secret: str
    anon_key: str
    service_key: str

    @property
    def roles_by_key(self) -> Mapping[str, str]:
        """Key string -> database role, as Supabase's gateway maps them."""
        return {self.anon_key: "anon", self.service_key: "service_role"}


def generate_keys() -> DevKeys:
    """New random keys in Supabase's formats (the JWT secret is 40 characters, PostgREST v13 wants 32+)."""
    return DevKeys(
        jwt_secret=secrets.token_urlsafe(30),
        anon_key=f"sb_publishable_{secrets.token_urlsafe(16)}",
        service_key=f"sb_secret_{secrets.token_urlsafe(24)}",
    )


def load_or_create_keys(state_dir: Path) -> DevKeys:
    """The keys stored in `state_dir`, created (readable by the owner only) on first use."""
    path = state_dir / KEYS_FILE
    if path.exists():
        return DevKeys(**json.loads(path.read_text(encoding="utf-8")))
    keys = generate_keys()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(asdict(keys), file)
    return keys


def sign_jwt(secret: str, claims: Mapping[str, Any]) -> str:
    """An HS256 JWT with these claims, as Supabase Auth issues them."""
    import jwt

    return jwt.encode(dict(claims), secret, algorithm="HS256")
