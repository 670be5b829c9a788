"""Runs are written before the call: `calling` and `abandoned` outcomes, no end time while
calling, and what the provider said (detail, retry-after, reported cost) or the kept reply.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_OUTCOMES = "outcome IN ('calling', 'succeeded', 'failed', 'abandoned')"
_OUTCOME_FIELDS = (
    "(outcome = 'succeeded' AND snapshot_id IS NOT NULL AND error_code IS NULL"
    " AND finished_at IS NOT NULL)"
    " OR (outcome = 'failed' AND snapshot_id IS NULL AND error_code IS NOT NULL"
    " AND finished_at IS NOT NULL)"
    " OR (outcome = 'calling' AND snapshot_id IS NULL AND error_code IS NULL"
    " AND finished_at IS NULL)"
    " OR (outcome = 'abandoned' AND snapshot_id IS NULL AND error_code IS NULL"
    " AND finished_at IS NOT NULL)"
)
_OLD_OUTCOMES = "outcome IN ('succeeded', 'failed')"
_OLD_OUTCOME_FIELDS = (
    "(outcome = 'succeeded' AND snapshot_id IS NOT NULL AND error_code IS NULL)"
    " OR (outcome = 'failed' AND snapshot_id IS NULL AND error_code IS NOT NULL)"
)


def upgrade() -> None:
    # batch mode: SQLite cannot alter a column or a CHECK in place, so the table is copied.
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint(op.f("ck_runs_outcome"), type_="check")
        batch.drop_constraint(op.f("ck_runs_outcome_fields"), type_="check")
        batch.alter_column("finished_at", existing_type=sa.DateTime(timezone=True), nullable=True)
        batch.add_column(sa.Column("detail", sa.Text(), nullable=True))
        batch.add_column(sa.Column("retry_after_seconds", sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("cost_reported", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("reply_json", sa.Text(), nullable=True))
        batch.create_check_constraint(op.f("ck_runs_outcome"), _OUTCOMES)
        batch.create_check_constraint(op.f("ck_runs_outcome_fields"), _OUTCOME_FIELDS)


def downgrade() -> None:
    # Unfinished attempts have no place in the old schema: they become failures.
    op.execute(
        "UPDATE runs SET outcome = 'failed', error_code = 'abandoned',"
        " finished_at = started_at WHERE outcome IN ('calling', 'abandoned')"
    )
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint(op.f("ck_runs_outcome"), type_="check")
        batch.drop_constraint(op.f("ck_runs_outcome_fields"), type_="check")
        for column in ("reply_json", "cost_reported", "retry_after_seconds", "detail"):
            batch.drop_column(column)
        batch.alter_column("finished_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_check_constraint(op.f("ck_runs_outcome"), _OLD_OUTCOMES)
        batch.create_check_constraint(op.f("ck_runs_outcome_fields"), _OLD_OUTCOME_FIELDS)
