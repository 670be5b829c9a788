"""RunPolicy: the tunable rules of the flow (minimum, suppression, bands, lease)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .bucketing import DEFAULT_BAND_SCHEME, BandScheme

__all__ = ["LEASE_SAFETY_MARGIN_SECONDS", "RunPolicy"]

LEASE_SAFETY_MARGIN_SECONDS = 10.0
"""How much longer than the model's total deadline a claim's lease lasts, at least.

It covers what happens between the claim's commit and the start of the call (re-validating
the payload, a worker thread or event loop getting to it, a pause of the process) and the
wall-clock difference between two machines sharing one database (NTP keeps it far below
a second). Ten seconds is generous for both and small beside a 60 s call.
"""


class RunPolicy(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    min_estimates: int = Field(default=25, ge=1)
    min_cell_count: int = Field(default=0, ge=0)
    band_scheme: BandScheme = DEFAULT_BAND_SCHEME
    max_weeks: int = Field(
        default=156, ge=1, description="longest span (in ISO weeks) a snapshot may cover"
    )
    lease_seconds: float = Field(
        default=300.0, gt=0, description="how long a claim lasts at least; see lease_for"
    )

    save_wait_seconds: float = Field(
        default=30.0,
        ge=0,
        description="how long the save after a paid call retries a transient storage failure",
    )

    def lease_for(self, deadline_seconds: float) -> float:
        """The lease of a claim whose model call may take ``deadline_seconds`` in all:
        ``lease_seconds``, or the deadline plus the save's wait plus
        ``LEASE_SAFETY_MARGIN_SECONDS`` if longer, so a second attempt can never claim the
        source while the first call may still run or its reply is still being saved."""
        return max(
            self.lease_seconds,
            deadline_seconds + self.save_wait_seconds + LEASE_SAFETY_MARGIN_SECONDS,
        )

    currency: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code the amounts are in"
    )
    max_insights: int = Field(
        default=4, ge=0, le=8, description="how many ranked insights go to the model"
    )
    narrative_fallback: Literal["none", "template"] = Field(
        default="none",
        description="template: when the model call fails, save the core's template narrative",
    )
