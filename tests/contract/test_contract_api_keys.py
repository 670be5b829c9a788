"""Contract: API keys are stored as hashes, listed per user, revoked once, on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from snapshot_adapters.fake import FixedClock, SequentialIds
from snapshot_core.domain import ApiKey, InvalidApiKeyError, InvalidKeyIdError, InvalidRequestError
from snapshot_core.domain.api_keys import hash_secret
from snapshot_core.ports import UnitOfWorkFactory
from snapshot_core.use_cases import authenticate, create_api_key, list_api_keys, revoke_api_key

from .samples import T0


def make_key(key_id: str = "key-1", user_id: str = "alice", **changes: object) -> ApiKey:
    values: dict[str, object] = {
        "key_id": key_id,
        "user_id": user_id,
        "name": "laptop",
        "secret_sha256": hash_secret(f"secret of {key_id}"),
        "created_at": T0,
    }
    return ApiKey.model_validate({**values, **changes})


def add(store: UnitOfWorkFactory, *keys: ApiKey) -> None:
    with store() as uow:
        for key in keys:
            uow.api_keys.add(key)
        uow.commit()


def test_a_key_round_trips_by_its_id_whoever_asks(store: UnitOfWorkFactory) -> None:
    key = make_key()
    add(store, key)
    with store() as uow:
        assert uow.api_keys.get("key-1") == key
        assert uow.api_keys.get("key-404") is None


def test_a_key_added_but_not_committed_is_not_stored(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        uow.api_keys.add(make_key())
    with store() as uow:
        assert uow.api_keys.get("key-1") is None


def test_keys_are_listed_oldest_first_per_user_or_all(store: UnitOfWorkFactory) -> None:
    late = make_key("key-b", created_at=T0 + timedelta(hours=1))
    early = make_key("key-c", created_at=T0 - timedelta(hours=1))
    tie_a, tie_b = make_key("key-a2"), make_key("key-a1")
    other = make_key("key-x", user_id="bob")
    add(store, late, early, tie_a, tie_b, other)
    with store() as uow:
        assert [k.key_id for k in uow.api_keys.list("alice")] == [
            "key-c",
            "key-a1",
            "key-a2",
            "key-b",
        ]
        assert uow.api_keys.list("bob") == [other]
        assert uow.api_keys.list("nobody") == []
        assert len(uow.api_keys.list()) == 5


def test_revoking_sets_the_time_once_and_a_missing_key_is_none(store: UnitOfWorkFactory) -> None:
    add(store, make_key())
    first, later = T0 + timedelta(days=1), T0 + timedelta(days=2)
    with store() as uow:
        revoked = uow.api_keys.revoke("key-1", first)
        assert uow.api_keys.revoke("key-404", first) is None
        uow.commit()
    assert revoked is not None and revoked.revoked_at == first
    with store() as uow:
        again = uow.api_keys.revoke("key-1", later)
        uow.commit()
    assert again is not None and again.revoked_at == first
    with store() as uow:
        stored = uow.api_keys.get("key-1")
    assert stored is not None and stored.revoked_at == first and stored.revoked


def test_the_key_use_cases_authenticate_until_revoked_and_store_no_secret(
    store: UnitOfWorkFactory,
) -> None:
    clock, ids = FixedClock(T0), SequentialIds()
    made = create_api_key(uow_factory=store, clock=clock, ids=ids, user_id="alice", name="ci")
    assert authenticate(uow_factory=store, token=made.token) == "alice"
    assert made.token not in repr(made) and made.token not in str(made)
    (listed,) = list_api_keys(uow_factory=store, user_id="alice")
    secret = made.token.rpartition(".")[2]
    assert secret not in listed.model_dump_json()
    assert listed == made.key and listed.secret_sha256 == hash_secret(secret)

    revoke_api_key(uow_factory=store, clock=clock, key_id=made.key.key_id)
    with pytest.raises(InvalidApiKeyError):
        authenticate(uow_factory=store, token=made.token)
    with pytest.raises(InvalidKeyIdError):
        revoke_api_key(uow_factory=store, clock=clock, key_id="no-such-key")


@pytest.mark.parametrize(
    "token",
    ["", "snap", "snap..", "Bearer x", "snap.key-1.wrong", "other.key-1.x", "snap.\x00.x"],
)
def test_a_malformed_unknown_or_wrong_key_authenticates_nobody(
    store: UnitOfWorkFactory, token: str
) -> None:
    add(store, make_key())
    with pytest.raises(InvalidApiKeyError):
        authenticate(uow_factory=store, token=token)


@pytest.mark.parametrize("name", ["a\x00b", "n" * 201], ids=["nul", "201-chars"])
def test_a_key_name_no_backend_can_store_is_refused_before_storage(
    store: UnitOfWorkFactory, name: str
) -> None:
    with pytest.raises(InvalidRequestError, match="name"):
        create_api_key(
            uow_factory=store, clock=FixedClock(T0), ids=SequentialIds(), user_id="u", name=name
        )
    assert list_api_keys(uow_factory=store, user_id=None) == []
