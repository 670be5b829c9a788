"""Documents stored as JSON (buckets, snapshots) read back alike whichever statement reads them."""

from __future__ import annotations

import json
from decimal import Decimal

from snapshot_adapters.sql import SqlStore
from snapshot_adapters.sql.records import snapshot_text

from ...contract.samples import make_buckets, make_snapshot, make_source


def test_both_reads_of_a_buckets_document_give_the_same_values_in_the_same_form(
    sql_store: SqlStore,
) -> None:
    buckets = make_buckets("src-1")
    whole = buckets.weekly_volume[0].model_copy(update={"amount_total": Decimal("1500.00")})
    buckets = buckets.model_copy(update={"weekly_volume": (whole, *buckets.weekly_volume[1:])})
    with sql_store() as uow:
        uow.sources.add(make_source("src-1"))
        uow.buckets.save(buckets)
        uow.commit()
    with sql_store() as uow:
        alone = uow.buckets.get("src-1")
        found = uow.sources.get_with_buckets("src-1", "alice")
    assert alone is not None and found is not None
    assert alone == buckets and found[1] == buckets
    # The same Decimals in the same form (a whole amount's too): one reading of the text.
    assert repr(alone) == repr(found[1])


def test_a_snapshot_is_written_as_pydantic_writes_it() -> None:
    snapshot = make_snapshot()
    assert json.loads(snapshot_text(snapshot)) == snapshot.model_dump(mode="json")
    assert snapshot_text(snapshot) == snapshot.model_dump_json()


def test_a_snapshot_pydantic_cannot_write_is_written_as_the_column_would_have() -> None:
    """A lone surrogate: pydantic refuses to write it, so the text is json.dumps' (which the
    database then refuses, as it did before the document was written as text)."""
    snapshot = make_snapshot()
    insights = snapshot.insights.model_copy(update={"headline": "Won \ud800 more"})
    odd = snapshot.model_copy(update={"insights": insights})
    assert snapshot_text(odd) == json.dumps(odd.model_dump(mode="json"))
