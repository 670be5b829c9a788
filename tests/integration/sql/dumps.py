"""Whole-database dumps of an SQLite file, to compare what two ways of writing it stored."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["dump"]


def dump(path: Path) -> dict[str, Any]:
    """Every table's schema and rows (each value with its SQLite type), in a stable order;
    the journal mode. A missing file dumps as nothing."""
    if not path.exists():
        return {}
    # A read-only folder: nothing can change the file, and no -wal or -shm can be made.
    read_only = "" if os.access(path.parent, os.W_OK) else "?immutable=1"
    db = sqlite3.connect(f"file:{path}{read_only}", uri=True)
    found: dict[str, Any] = {}
    try:
        found["journal_mode"] = db.execute("PRAGMA journal_mode").fetchone()
        for name, schema in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall():
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{name}")')]
            typed = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
            rows = db.execute(f'SELECT {typed} FROM "{name}"').fetchall()
            # The schema up to the order of its clauses: Alembic's batch migrations write a
            # new file's constraints in an order that changes from process to process.
            clauses = sorted(schema.replace("\n", " ").split(", "))
            found[name] = (clauses, sorted(rows, key=repr))
    finally:
        db.close()
    return found
