"""Ports: what the core needs from the world, as Protocols and small ABCs."""

from typing import TYPE_CHECKING

from ..lazy_exports import export_lazily

if TYPE_CHECKING:
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
    from .run_observer import NO_OBSERVER, NoRunObserver, RunObserver
    from .unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "NO_OBSERVER",
    "ApiKeyRepository",
    "AsyncLanguageModel",
    "BucketRepository",
    "Clock",
    "EstimateRepository",
    "FileIngester",
    "IdFactory",
    "JobQueue",
    "LanguageModel",
    "NoRunObserver",
    "RunObserver",
    "RunRepository",
    "SnapshotRepository",
    "SourceRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
]

export_lazily(
    __name__,
    {
        ".clock": ("Clock", "IdFactory"),
        ".file_ingester": ("FileIngester",),
        ".job_queue": ("JobQueue",),
        ".language_model": ("AsyncLanguageModel", "LanguageModel"),
        ".repositories": (
            "ApiKeyRepository",
            "BucketRepository",
            "EstimateRepository",
            "RunRepository",
            "SnapshotRepository",
            "SourceRepository",
        ),
        ".run_observer": ("NO_OBSERVER", "NoRunObserver", "RunObserver"),
        ".unit_of_work": ("UnitOfWork", "UnitOfWorkFactory"),
    },
)
