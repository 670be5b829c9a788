"""Ports: what the core needs from the world, as Protocols and small ABCs."""

from .clock import Clock, IdFactory
from .file_ingester import FileIngester
from .job_queue import JobQueue
from .language_model import AsyncLanguageModel, LanguageModel
from .repositories import (
    ApiKeyRepository,
    BucketRepository,
    EstimateRepository,
    RunRepository,
    SnapshotRepository,
    SourceRepository,
)
from .unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "ApiKeyRepository",
    "AsyncLanguageModel",
    "BucketRepository",
    "Clock",
    "EstimateRepository",
    "FileIngester",
    "IdFactory",
    "JobQueue",
    "LanguageModel",
    "RunRepository",
    "SnapshotRepository",
    "SourceRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
