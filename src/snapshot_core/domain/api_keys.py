"""API keys: a random secret shown once, kept only as its SHA-256, checked in constant time.

A key is ``snap.<key_id>.<secret>``. The key id is public (listed, used to revoke); the
secret is 256 random bits. SHA-256 is enough for a secret of that entropy: slow password
hashes (bcrypt, argon2) defend guessable passwords, and nobody can guess 2**256 values,
while every request pays for the hash, so a fast one keeps authentication cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pydantic import Field

from .models import FrozenModel, UtcDatetime
from .user_text import USER_ID_MAX_LENGTH, text_problem

__all__ = [
    "API_KEY_NAME_MAX_LENGTH",
    "API_KEY_PREFIX",
    "ApiKey",
    "NewApiKey",
    "format_token",
    "hash_secret",
    "new_secret",
    "parse_token",
    "plausible_key_id",
    "secret_matches",
]

API_KEY_PREFIX = "snap"
API_KEY_NAME_MAX_LENGTH = 200
_SECRET_BYTES = 32  # 256 bits


class ApiKey(FrozenModel):
    """A stored key: never the secret itself, only its hash."""

    key_id: str = Field(min_length=1, max_length=USER_ID_MAX_LENGTH)
    user_id: str = Field(min_length=1, max_length=USER_ID_MAX_LENGTH)
    name: str = Field(default="", max_length=API_KEY_NAME_MAX_LENGTH)
    secret_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Hex SHA-256 of the secret part of the key."""
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None = None
    """Set once, when revoked; a revoked key authenticates nobody."""

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class NewApiKey(FrozenModel):
    """What ``create_api_key`` returns: the stored record and the key, the only time it exists."""

    key: ApiKey
    token: str = Field(repr=False)  # never in a log line that prints the object
    """``snap.<key_id>.<secret>``: give it to the client, it cannot be shown again."""


def new_secret() -> str:
    return secrets.token_urlsafe(_SECRET_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def format_token(key_id: str, secret: str) -> str:
    return f"{API_KEY_PREFIX}.{key_id}.{secret}"


def parse_token(token: str) -> tuple[str, str] | None:
    """(key_id, secret) of a well-formed key; ``None`` otherwise. The secret is URL-safe
    base64 (no dots), so the last dot ends the key id whatever characters the id holds."""
    prefix, dot, rest = token.partition(".")
    key_id, dot2, secret = rest.rpartition(".")
    if prefix != API_KEY_PREFIX or not (dot and dot2 and key_id and secret):
        return None
    if not plausible_key_id(key_id):
        return None  # no key has such an id; never send it to storage
    return key_id, secret


def plausible_key_id(key_id: str) -> bool:
    """Whether a key could have this id (bounded, storable): else no lookup is made."""
    return 0 < len(key_id) <= USER_ID_MAX_LENGTH and text_problem(key_id) is None


def secret_matches(key: ApiKey, secret: str) -> bool:
    """Constant-time comparison of the hashes, so timing tells nothing about the secret."""
    return hmac.compare_digest(key.secret_sha256, hash_secret(secret))
