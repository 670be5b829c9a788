"""The tables as SQLAlchemy Core sees them, for queries. Alembic migrations create them.

Kept in step with ``migrations/versions`` by a test that compares the two (autogenerate).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from .types import ExactDecimal, JsonDocument, UtcDateTime, UtcMicroseconds

__all__ = [
    "SOURCE_COLUMNS",
    "api_keys",
    "buckets",
    "estimates",
    "metadata",
    "runs",
    "snapshots",
    "sources",
]

metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

Document = JsonDocument()

# Estimates refer to their source by a small integer key rather than the (UUID) source_id:
# a million-row source then scans about a fifth fewer bytes when it is bucketed.
SourceKey = BigInteger().with_variant(Integer(), "sqlite")  # SQLite: the rowid alias

sources = Table(
    "sources",
    metadata,
    Column("source_key", SourceKey, primary_key=True, autoincrement=True),
    Column("source_id", Text, nullable=False, unique=True),
    Column("user_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("estimate_count", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("lease_expires_at", UtcDateTime, nullable=True),
    CheckConstraint(
        "status IN ('uploaded', 'bucketed', 'generating', 'snapshot_generated')", name="status"
    ),
    CheckConstraint("estimate_count >= 0", name="estimate_count"),
    CheckConstraint("attempt >= 0", name="attempt"),
    # A claim is the (attempt, lease) on the row itself, so a source has at most one; a
    # generating source always has a lease, so a dead worker's claim always expires.
    CheckConstraint("status <> 'generating' OR lease_expires_at IS NOT NULL", name="claim_lease"),
    Index("ix_sources_user_id_created_at", "user_id", "created_at"),
)

# On PostgreSQL the reference to sources is enforced by statement-level triggers instead of
# a FOREIGN KEY (see the initial migration): a per-row check triples the time of a bulk COPY.
estimates = Table(
    "estimates",
    metadata,
    Column(
        "source_key",
        BigInteger,
        ForeignKey("sources.source_key", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("seq", Integer, nullable=False),
    Column("estimate_id", Text, nullable=True),
    Column("amount", ExactDecimal, nullable=False),
    Column("amount_scaled", BigInteger, nullable=False),  # see encodings.scaled_amount
    Column("sent_at", UtcMicroseconds, nullable=False),
    Column("decided_at", UtcMicroseconds, nullable=True),
    # Prepared at ingest so bucketing is a plain GROUP BY: ISO year * 100 + ISO week of
    # sent_at (UTC), and whole days from sending to decision (NULL while pending).
    Column("week_key", Integer, nullable=False),
    Column("latency_days", Integer, nullable=True),
    # encodings.OUTCOME_CODES: 1 won, 2 lost, 3 pending; NULL not known (rows older than it).
    Column("outcome", SmallInteger, nullable=True),
    PrimaryKeyConstraint("source_key", "seq"),
    CheckConstraint("seq >= 1", name="seq"),
    CheckConstraint("amount_scaled >= 0", name="amount_scaled"),
    CheckConstraint(
        "week_key BETWEEN 101 AND 999953 AND week_key % 100 BETWEEN 1 AND 53", name="week_key"
    ),
    CheckConstraint("latency_days >= 0", name="latency_days"),
    CheckConstraint("outcome BETWEEN 1 AND 3", name="outcome"),
    CheckConstraint("(decided_at IS NULL) = (latency_days IS NULL)", name="decided_latency"),
    # SQLite: the rows live in the primary key's own B-tree, in (source_key, seq) order,
    # instead of a rowid table plus a separate key index: one tree to fill at ingest, and
    # the tally reads a source's rows in one contiguous run.
    sqlite_with_rowid=False,
)

buckets = Table(
    "buckets",
    metadata,
    Column(
        "source_id",
        Text,
        ForeignKey("sources.source_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("estimate_count", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("body", Document, nullable=False),
    CheckConstraint("estimate_count >= 0", name="estimate_count"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("snapshot_id", Text, primary_key=True),
    Column("source_id", Text, ForeignKey("sources.source_id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Text, nullable=False),
    Column("generated_at", UtcDateTime, nullable=False),
    Column("body", Document, nullable=False),
    Index("ix_snapshots_source_id", "source_id"),
    Index("ix_snapshots_user_id", "user_id"),
)

RUN_OUTCOMES = "outcome IN ('calling', 'succeeded', 'failed', 'abandoned')"
RUN_OUTCOME_FIELDS = (
    "(outcome = 'succeeded' AND snapshot_id IS NOT NULL AND error_code IS NULL"
    " AND finished_at IS NOT NULL)"
    " OR (outcome = 'failed' AND snapshot_id IS NULL AND error_code IS NOT NULL"
    " AND finished_at IS NOT NULL)"
    " OR (outcome = 'calling' AND snapshot_id IS NULL AND error_code IS NULL"
    " AND finished_at IS NULL)"
    " OR (outcome = 'abandoned' AND snapshot_id IS NULL AND error_code IS NULL"
    " AND finished_at IS NOT NULL)"
)

runs = Table(
    "runs",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Text, nullable=False, unique=True),
    Column("source_id", Text, ForeignKey("sources.source_id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Text, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),  # NULL while calling
    Column("outcome", Text, nullable=False),
    Column("error_code", Text, nullable=True),
    Column(
        "snapshot_id",
        Text,
        # Deferred, so a unit of work may add the run before or after its snapshot.
        ForeignKey("snapshots.snapshot_id", deferrable=True, initially="DEFERRED"),
        nullable=True,
    ),
    Column("model", Text, nullable=True),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("cached_tokens", Integer, nullable=False),
    Column("cost_usd", ExactDecimal, nullable=True),
    Column("latency_ms", Float, nullable=False),
    Column("request_sha256", Text, nullable=True),
    Column("detail", Text, nullable=True),
    Column("retry_after_seconds", Float, nullable=True),
    Column("cost_reported", Boolean, nullable=False, server_default=false()),
    Column("reply_json", Text, nullable=True),
    # Kept by jobs (revision 0006); NULL for runs outside jobs and for older runs.
    Column("queue_delay_ms", Float, nullable=True),
    Column("limiter_wait_ms", Float, nullable=True),
    CheckConstraint(RUN_OUTCOMES, name="outcome"),
    CheckConstraint("attempt >= 0", name="attempt"),
    CheckConstraint(
        "prompt_tokens >= 0 AND completion_tokens >= 0 AND cached_tokens >= 0", name="tokens"
    ),
    CheckConstraint("latency_ms >= 0", name="latency_ms"),
    CheckConstraint("queue_delay_ms >= 0", name="queue_delay_ms"),
    CheckConstraint("limiter_wait_ms >= 0", name="limiter_wait_ms"),
    # A succeeded run names its snapshot; a failed one names its error; one still calling
    # (or abandoned so) has neither, and only a calling one lacks its end time.
    CheckConstraint(RUN_OUTCOME_FIELDS, name="outcome_fields"),
    # One run record per claim attempt.
    UniqueConstraint("source_id", "attempt"),
    Index("ix_runs_user_id", "user_id"),
)

# API keys of the web service: the secret's SHA-256 only, never the secret (domain.api_keys).
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", Text, primary_key=True),
    Column("user_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("secret_sha256", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    CheckConstraint("length(secret_sha256) = 64", name="secret_sha256"),
    Index("ix_api_keys_user_id", "user_id"),
)

# The columns that make a domain Source (everything but the storage key).
SOURCE_COLUMNS = tuple(column for column in sources.c if column.name != "source_key")
