"""Offline backends: the deterministic fake model, its misbehaving variants, a fixed clock, ids."""

from .clock import FixedClock, SequentialIds
from .estimates import banded_estimates, synthetic_estimates
from .misbehaving import (
    MISBEHAVING_MODELS,
    ApiErrorModel,
    InvalidJsonModel,
    RefusingModel,
    SchemaViolatingModel,
    TimingOutModel,
    TruncatingModel,
    UngroundedModel,
)
from .model import FAKE_MODEL_NAME, FakeModel, fake_narrative

__all__ = [
    "FAKE_MODEL_NAME",
    "MISBEHAVING_MODELS",
    "ApiErrorModel",
    "FakeModel",
    "FixedClock",
    "InvalidJsonModel",
    "RefusingModel",
    "SchemaViolatingModel",
    "SequentialIds",
    "TimingOutModel",
    "TruncatingModel",
    "UngroundedModel",
    "banded_estimates",
    "fake_narrative",
    "synthetic_estimates",
]
