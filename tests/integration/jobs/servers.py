"""Redis and RabbitMQ for the job tests: skip locally when absent, fail when CI is set."""

from __future__ import annotations

import os
import socket

import pytest

__all__ = ["RABBITMQ_URL", "REDIS_URL", "require_rabbitmq", "require_redis"]

REDIS_URL = os.environ.get("SNAPSHOT_TEST_REDIS_URL", "redis://127.0.0.1:6379")
RABBITMQ_URL = os.environ.get("SNAPSHOT_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _require(name: str, host: str, port: int, variable: str) -> None:
    if _reachable(host, port):
        return
    reason = f"no {name} at {host}:{port}"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the job tests, but {reason} (.ci/run starts one)", pytrace=False)
    pytest.skip(f"{reason}; set {variable} or start one to run these")


def require_redis() -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    _require("Redis", parts.hostname or "127.0.0.1", parts.port or 6379, "SNAPSHOT_TEST_REDIS_URL")


def require_rabbitmq() -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(RABBITMQ_URL)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5672
    _require("RabbitMQ", host, port, "SNAPSHOT_TEST_RABBITMQ_URL")
