"""Fixtures of the job tests: servers required (skip locally, fail under CI), a fresh world."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ...contract.databases import require_postgres, temporary_postgres_database
from .servers import RABBITMQ_URL, require_rabbitmq, require_redis
from .world import JobWorld, job_world


@pytest.fixture
def database_url() -> Iterator[str]:
    require_postgres()
    with temporary_postgres_database("snapshot_jobs") as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def redis_world(database_url: str, tmp_path: Path) -> Iterator[JobWorld]:
    require_redis()
    with job_world(database_url, None, tmp_path) as world:
        yield world


@pytest.fixture
def rabbitmq_world(database_url: str, tmp_path: Path) -> Iterator[JobWorld]:
    require_redis()
    require_rabbitmq()
    with job_world(database_url, RABBITMQ_URL, tmp_path) as world:
        yield world
