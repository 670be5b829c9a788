"""In-memory backends: thread-safe, transactional storage and an in-process job queue."""

from .jobs import InProcessJobQueue
from .store import MemoryStore, MemoryUnitOfWork

__all__ = ["InProcessJobQueue", "MemoryStore", "MemoryUnitOfWork"]
