"""SqlApiKeys: API keys as rows (the secret's hash only), revoked by a conditional update."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from snapshot_core.domain import ApiKey

from .schema import api_keys

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["SqlApiKeys"]


class SqlApiKeys:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, key: ApiKey) -> None:
        self._uow.execute(insert(api_keys).values(**key.model_dump()))

    def get(self, key_id: str) -> ApiKey | None:
        row = self._uow.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
        return None if row is None else ApiKey.model_validate(dict(row._mapping))

    def list(self, user_id: str | None = None) -> Sequence[ApiKey]:
        query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.key_id)
        if user_id is not None:
            query = query.where(api_keys.c.user_id == user_id)
        return [ApiKey.model_validate(dict(row._mapping)) for row in self._uow.execute(query)]

    def revoke(self, key_id: str, now: datetime) -> ApiKey | None:
        # Conditional, so the first revocation's time stands when two race.
        self._uow.execute(
            update(api_keys)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return self.get(key_id)
