"""The problem responses a route declares in /openapi.json (the handler makes them)."""

from __future__ import annotations

from typing import Any

from .problems import PROBLEM_JSON
from .schemas import ProblemOut

__all__ = ["problems"]


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status answered as problem+json. Every route may also
    answer 500 (an unexpected fault), 503 (storage unavailable) and 422 (a bad request)."""
    schema = {"$ref": "#/components/schemas/ProblemOut"}
    return {
        status: {"model": ProblemOut, "content": {PROBLEM_JSON: {"schema": schema}}}
        for status in sorted({*statuses, 422, 500, 503})
    }
