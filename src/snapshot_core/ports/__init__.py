"""Ports: what the core needs from the world, as Protocols and small ABCs."""

from .clock import Clock, IdFactory
from .file_ingester import FileIngester
from .language_model import AsyncLanguageModel, LanguageModel
from .repositories import (
    BucketRepository,
    EstimateRepository,
    RunRepository,
    SnapshotRepository,
    SourceRepository,
)
from .unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AsyncLanguageModel",
    "BucketRepository",
    "Clock",
    "EstimateRepository",
    "FileIngester",
    "IdFactory",
    "LanguageModel",
    "RunRepository",
    "SnapshotRepository",
    "SourceRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
