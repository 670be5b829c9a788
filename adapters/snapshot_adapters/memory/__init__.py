"""In-memory storage backend: thread-safe, transactional, shipped for embedding and tests."""

from .store import MemoryStore, MemoryUnitOfWork

__all__ = ["MemoryStore", "MemoryUnitOfWork"]
