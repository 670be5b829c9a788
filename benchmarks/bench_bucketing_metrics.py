"""Bucketing with metrics against the counts-only tally query, side by side in one run.

    .venv/bin/python benchmarks/bench_bucketing_metrics.py --backend sqlite --rows 300000
    .venv/bin/python benchmarks/bench_bucketing_metrics.py --backend postgres --rows 300000

Ingests N estimates with outcomes (the token benchmark's 16-week source, repeated), then times
three rounds of: the tally query without its metric columns (what bucketing ran before
issue 11), and the whole tally with metrics (outcome sums, medians, stale pipeline). PostgreSQL
uses a throw-away database on 127.0.0.1:5432 (trust), dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime

import psycopg

from bench_tokens import sixteen_weeks_with_outcomes
from snapshot_adapters.sql import create_sql_store, upgrade_database
from snapshot_adapters.sql.estimates import SqlEstimates
from snapshot_adapters.sql.tally import tally, tally_query
from snapshot_core.domain import DEFAULT_BAND_SCHEME, Source

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def measure(url: str, count: int) -> None:
    base = sixteen_weeks_with_outcomes()
    rows = [base[i % len(base)].model_copy(update={"estimate_id": None}) for i in range(count)]
    upgrade_database(url)
    store = create_sql_store(url)
    with store() as uow:
        uow.sources.add(Source(source_id="bench", user_id="u", created_at=datetime.now(UTC)))
        uow.estimates.add_many("bench", iter(rows))
        uow.commit()
    for _ in range(3):
        with store() as uow:
            key = SqlEstimates(uow)._key("bench")
            assert key is not None
            query = tally_query(key, DEFAULT_BAND_SCHEME, uow.dialect, metrics=False)
            start = time.perf_counter()
            list(uow.execute(query))
            counts_only = time.perf_counter() - start
            start = time.perf_counter()
            tally(uow, key, DEFAULT_BAND_SCHEME)
            full = time.perf_counter() - start
        print(
            f"{uow.dialect} n={count}: counts-only query {counts_only:.3f} s, "
            f"tally with metrics {full:.3f} s, ratio {full / counts_only:.2f}"
        )
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    if args.backend == "sqlite":
        measure(f"sqlite:///{tempfile.mkdtemp()}/bench.db", args.rows)
        return
    name = f"bench_metrics_{random.randrange(10**9)}"
    with psycopg.connect(SERVER, autocommit=True) as server:
        server.execute(f"CREATE DATABASE {name}")
    try:
        measure(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", args.rows)
    finally:
        with psycopg.connect(SERVER, autocommit=True) as server:
            server.execute(f"DROP DATABASE {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
