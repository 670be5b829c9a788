"""The domain: models, rules and errors, with no I/O."""

from .agent_input import (
    AgentInput,
    AgentInputInsight,
    AgentInputMoney,
    AgentInputOutcomes,
    AgentInputWeeks,
    BandLabel,
    WeekLabel,
    build_agent_input,
)
from .api_keys import ApiKey, NewApiKey
from .bucketing import (
    DEFAULT_BAND_SCHEME,
    PENDING,
    BandScheme,
    BucketTallies,
    build_buckets,
    confidence_level,
    iso_week_label,
    latency_days,
    tally_estimates,
    week_label,
    weeks_between,
)
from .citations import Citation, check_findings, read_citations, ungrounded_citations
from .errors import *  # noqa: F403 - the catalogue is the public error API
from .errors import __all__ as _errors_all
from .facts import FactKind, GroundingNumber
from .grounding import numbers_in, numbers_in_values, ungrounded_numbers
from .insights import CATALOGUE as INSIGHT_CATALOGUE
from .insights import Insight, InsightKind, rank_insights, template_narrative
from .jobs import Job, JobState
from .metrics import MetricTallies, tally_metrics
from .models import (
    BAND_LABEL_PATTERN,
    BandCount,
    ConfidenceLevel,
    EstimateBuckets,
    EstimateRow,
    FrozenModel,
    MoneySummary,
    OutcomeSummary,
    PriceBandCount,
    Source,
    SourceStatus,
    WeekCount,
    as_utc,
)
from .narrative import NARRATIVE_SCHEMA_NAME, Finding, SnapshotNarrative, narrative_json_schema
from .policy import LEASE_SAFETY_MARGIN_SECONDS, RunPolicy
from .redaction import redact_text, redact_url, url_secrets
from .runs import (
    RUN_DETAIL_MAX_CHARS,
    CallFacts,
    ModelReply,
    RunOutcome,
    SnapshotRun,
    TokenUsage,
)
from .seen_ids import SeenIds
from .snapshot import (
    SCHEMA_VERSION,
    NarrativeSource,
    SnapshotMeta,
    SnapshotResult,
    assemble_snapshot,
)
from .stats import RunStats, percentile, summarize_runs
from .suppression import suppress_buckets, suppress_small_cells
from .user_text import (
    ESTIMATE_ID_MAX_LENGTH,
    USER_ID_MAX_LENGTH,
    check_user_id,
    storable,
    text_problem,
)

__all__ = [
    "ApiKey",
    "NewApiKey",
    "BAND_LABEL_PATTERN",
    "DEFAULT_BAND_SCHEME",
    "LEASE_SAFETY_MARGIN_SECONDS",
    "ESTIMATE_ID_MAX_LENGTH",
    "NARRATIVE_SCHEMA_NAME",
    "PENDING",
    "SCHEMA_VERSION",
    "USER_ID_MAX_LENGTH",
    "AgentInput",
    "INSIGHT_CATALOGUE",
    "AgentInputInsight",
    "AgentInputMoney",
    "AgentInputOutcomes",
    "AgentInputWeeks",
    "BandLabel",
    "Citation",
    "FactKind",
    "GroundingNumber",
    "Insight",
    "InsightKind",
    "Job",
    "JobState",
    "MetricTallies",
    "MoneySummary",
    "NarrativeSource",
    "OutcomeSummary",
    "PriceBandCount",
    "check_findings",
    "rank_insights",
    "read_citations",
    "tally_metrics",
    "template_narrative",
    "ungrounded_citations",
    "BandCount",
    "BandScheme",
    "BucketTallies",
    "CallFacts",
    "ConfidenceLevel",
    "EstimateBuckets",
    "EstimateRow",
    "Finding",
    "FrozenModel",
    "ModelReply",
    "RUN_DETAIL_MAX_CHARS",
    "RunOutcome",
    "RunPolicy",
    "RunStats",
    "SeenIds",
    "SnapshotMeta",
    "SnapshotNarrative",
    "SnapshotResult",
    "SnapshotRun",
    "Source",
    "SourceStatus",
    "TokenUsage",
    "WeekCount",
    "WeekLabel",
    "as_utc",
    "assemble_snapshot",
    "build_agent_input",
    "build_buckets",
    "check_user_id",
    "confidence_level",
    "iso_week_label",
    "latency_days",
    "narrative_json_schema",
    "numbers_in",
    "numbers_in_values",
    "percentile",
    "redact_text",
    "redact_url",
    "summarize_runs",
    "storable",
    "suppress_buckets",
    "suppress_small_cells",
    "tally_estimates",
    "text_problem",
    "ungrounded_numbers",
    "url_secrets",
    "week_label",
    "weeks_between",
    *_errors_all,
]
