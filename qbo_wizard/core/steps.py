"""The nine steps. Their ids are stable: the CLI, profiles, tests and error knowledge use them."""

from __future__ import annotations

from typing import Literal, NamedTuple

StepId = Literal[
    "overview",
    "create-app",
    "questionnaire",
    "production-settings",
    "credentials",
    "connect",
    "map",
    "test",
    "troubleshoot",
]


# Records are NamedTuples, not dataclasses: `qbo-wizard explain` starts faster without the
# dataclasses module (and what it imports), and these records need nothing more.
class Step(NamedTuple):
    """One step of the wizard: its stable id, its number (1–9) and its short title."""

    id: StepId
    number: int
    title: str


STEPS: tuple[Step, ...] = (
    Step("overview", 1, "Before you start"),
    Step("create-app", 2, "Create the Intuit app"),
    Step("questionnaire", 3, "Assessment questionnaire"),
    Step("production-settings", 4, "Production settings"),
    Step("credentials", 5, "Enter the keys"),
    Step("connect", 6, "Connect to QuickBooks"),
    Step("map", 7, "Map your line items"),
    Step("test", 8, "Post a $1.00 test"),
    Step("troubleshoot", 9, "Troubleshoot"),
)

STEP_IDS: tuple[StepId, ...] = tuple(step.id for step in STEPS)
_BY_ID = {step.id: step for step in STEPS}


def step_by_id(step_id: str) -> Step:
    """The step with this id; KeyError for an unknown id."""
    return _BY_ID[step_id]  # type: ignore[index]


def is_step_id(value: object) -> bool:
    """True if `value` is one of the nine step ids."""
    return isinstance(value, str) and value in _BY_ID
