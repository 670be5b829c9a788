"""API keys: create (the key is returned once), list, revoke, and authenticate a request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ..domain import (
    ApiKey,
    InvalidApiKeyError,
    InvalidKeyIdError,
    InvalidRequestError,
    NewApiKey,
    check_user_id,
)
from ..domain.api_keys import (
    API_KEY_NAME_MAX_LENGTH,
    format_token,
    hash_secret,
    new_secret,
    parse_token,
    plausible_key_id,
    secret_matches,
)
from ..domain.user_text import text_problem
from ..ports import Clock, IdFactory, UnitOfWorkFactory

__all__ = ["authenticate", "create_api_key", "list_api_keys", "revoke_api_key"]


def create_api_key(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, ids: IdFactory, user_id: str, name: str = ""
) -> NewApiKey:
    """A new key for ``user_id``; only its hash is stored, so ``.token`` is shown once."""
    check_user_id(user_id)
    problem = text_problem(name) or (
        f"is longer than {API_KEY_NAME_MAX_LENGTH} characters"
        if len(name) > API_KEY_NAME_MAX_LENGTH
        else None
    )
    if problem:
        raise InvalidRequestError([f"name {problem}"])
    secret = new_secret()
    key = ApiKey(
        key_id=ids.new_id("api_key"),
        user_id=user_id,
        name=name,
        secret_sha256=hash_secret(secret),
        created_at=clock.now(),
    )
    with uow_factory() as uow:
        uow.api_keys.add(key)
        uow.commit()
    return NewApiKey(key=key, token=format_token(key.key_id, secret))


def list_api_keys(*, uow_factory: UnitOfWorkFactory, user_id: str | None) -> Sequence[ApiKey]:
    """One user's keys, or every user's with ``user_id=None`` (an operator's view)."""
    if user_id is not None:
        check_user_id(user_id)
    with uow_factory() as uow:
        return list(uow.api_keys.list(user_id))


def revoke_api_key(*, uow_factory: UnitOfWorkFactory, clock: Clock, key_id: str) -> ApiKey:
    """Revoke the key from now on (revoking twice keeps the first time); ``InvalidKeyIdError``
    when there is no such key."""
    if not plausible_key_id(key_id):
        raise InvalidKeyIdError()
    with uow_factory() as uow:
        key = uow.api_keys.revoke(key_id, clock.now())
        uow.commit()
    if key is None:
        raise InvalidKeyIdError()
    return key


def authenticate(*, uow_factory: UnitOfWorkFactory, token: str) -> str:
    """The user id the key belongs to; ``InvalidApiKeyError`` for a malformed, unknown or
    revoked key, alike, so the answer tells nothing about which keys exist."""
    parsed = parse_token(token)
    if parsed is None:
        raise InvalidApiKeyError()
    key_id, secret = parsed
    with uow_factory() as uow:
        key = uow.api_keys.get(key_id)
    # Hash even when the id is unknown, so both cases take the same time.
    matches = secret_matches(key or _NO_KEY, secret)
    if key is None or key.revoked or not matches:
        raise InvalidApiKeyError()
    return key.user_id


_NO_KEY = ApiKey(
    key_id="-",
    user_id="-",
    secret_sha256="0" * 64,
    created_at=datetime(1970, 1, 1, tzinfo=UTC),
)
