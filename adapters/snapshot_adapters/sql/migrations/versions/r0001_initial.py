"""Initial schema: sources, estimates (with prepared bucketing keys), buckets, snapshots, runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _types() -> tuple[sa.types.TypeEngine[Any], sa.types.TypeEngine[Any], bool]:
    """(exact decimal, JSON document, is PostgreSQL): SQLite has no exact decimal, so amounts
    are stored there as order-preserving text keys (see snapshot_adapters.sql.types)."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.Numeric(), postgresql.JSONB(), True
    return sa.Text(), sa.JSON(), False


# PostgreSQL: the estimates -> sources reference as triggers. A FOREIGN KEY checks each row
# (about 6 us a row: 6 s of a 1,000,000-row COPY); one check per statement over the
# transition table costs a fraction of that and keeps the same guarantees: inserted or
# updated rows must name an existing source (locked FOR KEY SHARE, as a foreign key would),
# deleting a source deletes its estimates, and a referenced source_key cannot change.
_PG_ESTIMATES_REFERENCE = (
    """
    CREATE FUNCTION estimates_check_source() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM sources
            WHERE source_key IN (SELECT DISTINCT source_key FROM new_rows) FOR KEY SHARE;
        IF EXISTS (
            SELECT 1 FROM new_rows n
            WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.source_key = n.source_key)
        ) THEN
            RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
                MESSAGE = 'estimates reference a source that does not exist';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER estimates_source_on_insert AFTER INSERT ON estimates
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION estimates_check_source()
    """,
    """
    CREATE TRIGGER estimates_source_on_update AFTER UPDATE ON estimates
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION estimates_check_source()
    """,
    """
    CREATE FUNCTION sources_guard_estimates() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM estimates WHERE source_key = OLD.source_key;
            RETURN OLD;
        END IF;
        IF EXISTS (SELECT 1 FROM estimates WHERE source_key = OLD.source_key) THEN
            RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
                MESSAGE = 'source_key is referenced by estimates';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER sources_estimates_on_delete BEFORE DELETE ON sources
        FOR EACH ROW EXECUTE FUNCTION sources_guard_estimates()
    """,
    """
    CREATE TRIGGER sources_estimates_on_rekey BEFORE UPDATE OF source_key ON sources
        FOR EACH ROW WHEN (OLD.source_key IS DISTINCT FROM NEW.source_key)
        EXECUTE FUNCTION sources_guard_estimates()
    """,
)


def upgrade() -> None:
    decimal, document, pg = _types()
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "sources",
        # The rowid alias on SQLite; an identity column on PostgreSQL.
        sa.Column(
            "source_key",
            sa.BigInteger() if pg else sa.Integer(),
            *([sa.Identity()] if pg else []),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("estimate_count", sa.BigInteger(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("lease_expires_at", timestamp, nullable=True),
        sa.PrimaryKeyConstraint("source_key", name=op.f("pk_sources")),
        sa.UniqueConstraint("source_id", name=op.f("uq_sources_source_id")),
        sa.CheckConstraint(
            "status IN ('uploaded', 'bucketed', 'generating', 'snapshot_generated')",
            name=op.f("ck_sources_status"),
        ),
        sa.CheckConstraint("estimate_count >= 0", name=op.f("ck_sources_estimate_count")),
        sa.CheckConstraint("attempt >= 0", name=op.f("ck_sources_attempt")),
        sa.CheckConstraint(
            "status <> 'generating' OR lease_expires_at IS NOT NULL",
            name=op.f("ck_sources_claim_lease"),
        ),
    )
    op.create_index("ix_sources_user_id_created_at", "sources", ["user_id", "created_at"])

    estimate_checks: list[sa.Constraint] = [
        sa.CheckConstraint("seq >= 1", name=op.f("ck_estimates_seq")),
        sa.CheckConstraint("amount_scaled >= 0", name=op.f("ck_estimates_amount_scaled")),
        sa.CheckConstraint(
            "week_key BETWEEN 101 AND 999953 AND week_key % 100 BETWEEN 1 AND 53",
            name=op.f("ck_estimates_week_key"),
        ),
        sa.CheckConstraint("latency_days >= 0", name=op.f("ck_estimates_latency_days")),
        sa.CheckConstraint(
            "(decided_at IS NULL) = (latency_days IS NULL)",
            name=op.f("ck_estimates_decided_latency"),
        ),
    ]
    if pg:
        estimate_checks.append(sa.CheckConstraint("amount >= 0", name=op.f("ck_estimates_amount")))
    else:
        estimate_checks.append(
            sa.ForeignKeyConstraint(
                ["source_key"],
                ["sources.source_key"],
                name=op.f("fk_estimates_source_key"),
                ondelete="CASCADE",
            )
        )
    # Estimate timestamps on SQLite: integer microseconds since the epoch (types.UtcMicroseconds).
    instant = timestamp if pg else sa.BigInteger()
    op.create_table(
        "estimates",
        sa.Column("source_key", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("estimate_id", sa.Text(), nullable=True),
        sa.Column("amount", decimal, nullable=False),
        sa.Column("amount_scaled", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", instant, nullable=False),
        sa.Column("decided_at", instant, nullable=True),
        sa.Column("week_key", sa.Integer(), nullable=False),
        sa.Column("latency_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("source_key", "seq", name=op.f("pk_estimates")),
        *estimate_checks,
        sqlite_with_rowid=False,  # SQLite: rows stored in the primary key's B-tree
    )
    if pg:
        for statement in _PG_ESTIMATES_REFERENCE:
            op.execute(statement)

    op.create_table(
        "buckets",
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("estimate_count", sa.BigInteger(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("body", document, nullable=False),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_buckets")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.source_id"],
            name=op.f("fk_buckets_source_id"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("estimate_count >= 0", name=op.f("ck_buckets_estimate_count")),
    )

    op.create_table(
        "snapshots",
        sa.Column("snapshot_id", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("generated_at", timestamp, nullable=False),
        sa.Column("body", document, nullable=False),
        sa.PrimaryKeyConstraint("snapshot_id", name=op.f("pk_snapshots")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.source_id"],
            name=op.f("fk_snapshots_source_id"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_snapshots_source_id", "snapshots", ["source_id"])
    op.create_index("ix_snapshots_user_id", "snapshots", ["user_id"])

    op.create_table(
        "runs",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", timestamp, nullable=False),
        sa.Column("finished_at", timestamp, nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("error_code", sa.Text(), nullable=True),
        sa.Column("snapshot_id", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cached_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", decimal, nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("request_sha256", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_runs")),
        sa.UniqueConstraint("run_id", name=op.f("uq_runs_run_id")),
        sa.UniqueConstraint("source_id", "attempt", name=op.f("uq_runs_source_id_attempt")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.source_id"], name=op.f("fk_runs_source_id"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshots.snapshot_id"],
            name=op.f("fk_runs_snapshot_id"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.CheckConstraint("outcome IN ('succeeded', 'failed')", name=op.f("ck_runs_outcome")),
        sa.CheckConstraint("attempt >= 0", name=op.f("ck_runs_attempt")),
        sa.CheckConstraint(
            "prompt_tokens >= 0 AND completion_tokens >= 0 AND cached_tokens >= 0",
            name=op.f("ck_runs_tokens"),
        ),
        sa.CheckConstraint("latency_ms >= 0", name=op.f("ck_runs_latency_ms")),
        sa.CheckConstraint(
            "(outcome = 'succeeded' AND snapshot_id IS NOT NULL AND error_code IS NULL)"
            " OR (outcome = 'failed' AND snapshot_id IS NULL AND error_code IS NOT NULL)",
            name=op.f("ck_runs_outcome_fields"),
        ),
    )
    op.create_index("ix_runs_user_id", "runs", ["user_id"])


def downgrade() -> None:
    for table in ("runs", "snapshots", "buckets", "estimates", "sources"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS estimates_check_source()")
        op.execute("DROP FUNCTION IF EXISTS sources_guard_estimates()")
