"""Fixtures for the OpenAI adapter tests: a local Chat Completions server and the real use case."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the server helper sits beside this file

from openai_chat_server import ChatServer
from openai_test_data import API_KEY, SOURCE_NAME, USER, realistic_rows

from snapshot_adapters.fake import FixedClock, SequentialIds
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.openai import OpenAIChatModel
from snapshot_adapters.settings import Settings
from snapshot_core import Orchestrator


@dataclass
class Flow:
    """The real use case on memory storage, with one bucketed source ready to run."""

    orchestrator: Orchestrator
    store: MemoryStore
    source_id: str

    def run(self) -> str:
        return self.orchestrator.run_snapshot(source_id=self.source_id, user_id=USER)

    def status(self) -> str:
        return self.store.sources[self.source_id].status.value


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ambient OpenAI/snapshot settings, no proxies, no .env files from the repository."""
    import os

    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith(("OPENAI_", "SNAPSHOT_")) or upper.endswith("_PROXY"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    with ChatServer() as server:
        yield server


@pytest.fixture
def make_model(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., OpenAIChatModel]:
    """An OpenAIChatModel built from Settings read from the environment, as the container does."""

    def make(**env: str) -> OpenAIChatModel:
        values = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": chat_server.base_url, **env}
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        return OpenAIChatModel.from_settings(Settings())

    return make


@pytest.fixture
def make_flow() -> Callable[[Any], Flow]:
    def make(model: Any) -> Flow:
        store = MemoryStore()
        orchestrator = Orchestrator(
            uow_factory=store, model=model, clock=FixedClock(), ids=SequentialIds()
        )
        source_id = orchestrator.ingest_estimates(
            user_id=USER, rows=realistic_rows(), name=SOURCE_NAME
        )
        orchestrator.bucket_source(source_id=source_id, user_id=USER)
        return Flow(orchestrator, store, source_id)

    return make
