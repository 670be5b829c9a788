"""Revision 0004 (estimate outcomes): a database holding estimates upgrades in place, and the
rows stored before it read as outcome unknown, with every other aggregate unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from snapshot_adapters.sql import create_sql_store, upgrade_database
from snapshot_adapters.sql.migrate import alembic_config
from snapshot_core.domain import DEFAULT_BAND_SCHEME, tally_estimates

from ...contract.databases import require_postgres, temporary_postgres_database
from ...contract.samples import make_source, rows


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own (this test moves its schema down and up)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        upgrade_database(url)
        yield url
        return
    require_postgres()
    with temporary_postgres_database("snapshot_outcome") as postgres:  # migrated to head
        yield postgres.render_as_string(hide_password=False)


def _migrate(url: str, target: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        if target == "head":
            command.upgrade(alembic_config(connection), target)
        else:
            command.downgrade(alembic_config(connection), target)
    engine.dispose()


def test_estimates_stored_before_outcomes_read_as_unknown_after_upgrading(fresh_url: str) -> None:
    sample = [row.model_copy(update={"outcome": "won"}) for row in rows(30, seed=11)]
    store = create_sql_store(fresh_url)
    with store() as uow:
        uow.sources.add(make_source("src-1"))
        uow.estimates.add_many("src-1", sample)
        uow.commit()
    store.dispose()

    _migrate(fresh_url, "0001")  # as a database was before outcomes: the column is gone
    _migrate(fresh_url, "head")

    store = create_sql_store(fresh_url)
    with store() as uow:
        assert uow.estimates.outcome_counts("src-1") == {None: 30}
        unknown = [row.model_copy(update={"outcome": None}) for row in sample]
        assert uow.estimates.tally("src-1", DEFAULT_BAND_SCHEME) == tally_estimates(unknown)
        uow.estimates.add_many("src-1", sample[:4])  # and new rows keep theirs
        uow.commit()
    with store() as uow:
        assert uow.estimates.outcome_counts("src-1") == {None: 30, "won": 4}
    store.dispose()
