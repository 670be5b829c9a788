"""RunPolicy: the tunable rules of the flow (minimum, suppression, bands, lease)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .bucketing import DEFAULT_BAND_SCHEME, BandScheme

__all__ = ["RunPolicy"]


class RunPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    min_estimates: int = Field(default=25, ge=1)
    min_cell_count: int = Field(default=0, ge=0)
    band_scheme: BandScheme = DEFAULT_BAND_SCHEME
    max_weeks: int = Field(
        default=156, ge=1, description="longest span (in ISO weeks) a snapshot may cover"
    )
    lease_seconds: float = Field(
        default=300.0, gt=0, description="how long a claim lasts; keep it above the model timeout"
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
