"""Runs made by jobs keep their waits: queue delay and time spent waiting for the budget (ms).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Existing rows keep NULL: an older run's waits were never recorded, so they read as unknown
(as do runs made outside jobs, by `snapshot run`).
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = ("queue_delay_ms", "limiter_wait_ms")


def upgrade() -> None:
    # Named column constraints, which SQLite's ALTER TABLE accepts (a table constraint it
    # cannot add afterwards); the names are those the metadata's naming convention gives.
    for name in _COLUMNS:
        op.execute(
            f"ALTER TABLE runs ADD COLUMN {name} FLOAT"
            f" CONSTRAINT ck_runs_{name} CHECK ({name} >= 0)"
        )


def downgrade() -> None:
    for name in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE runs DROP COLUMN {name}")
