"""AgentInput: what the model sees (model), the facts it may cite (facts), and how it is built
from shown buckets and the selected insights (build)."""

from .build import build_agent_input
from .facts import input_facts
from .model import (
    AgentInput,
    AgentInputInsight,
    AgentInputMoney,
    AgentInputOutcomes,
    AgentInputWeeks,
    BandLabel,
    WeekLabel,
)

__all__ = [
    "AgentInput",
    "AgentInputInsight",
    "AgentInputMoney",
    "AgentInputOutcomes",
    "AgentInputWeeks",
    "BandLabel",
    "WeekLabel",
    "build_agent_input",
    "input_facts",
]
