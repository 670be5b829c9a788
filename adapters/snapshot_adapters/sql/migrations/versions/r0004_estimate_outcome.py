"""Estimates gain an outcome (won, lost, pending) as a small integer; NULL means not known.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01

Existing rows keep NULL: an older source's outcomes were never recorded, so they read as
unknown rather than as pending. The codes are ``snapshot_adapters.sql.encodings.OUTCOME_CODES``.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One statement that both dialects take as written: SQLite's ALTER TABLE cannot add a
    # table constraint afterwards, but it accepts a named column constraint here.
    op.execute(
        "ALTER TABLE estimates ADD COLUMN outcome SMALLINT"
        " CONSTRAINT ck_estimates_outcome CHECK (outcome BETWEEN 1 AND 3)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE estimates DROP COLUMN outcome")
