"""The nine steps. Their ids are stable: the CLI, profiles, tests and error knowledge use them."""

from __future__ import annotations

import re
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


def step_ref(step_id: str, *, capital: bool = False) -> str:
    """How copy names a step: `step_ref("map")` is "step 7" ("Step 7" with `capital`)."""
    return f"{'Step' if capital else 'step'} {step_by_id(step_id).number}"


def steps_ref(first_id: str, last_id: str, joiner: str = "to", *, capital: bool = False) -> str:
    """How copy names two steps or a run of them: "steps 2 to 6", "steps 3 and 4", "steps 2–6"."""
    word = "Steps" if capital else "steps"
    between = joiner if joiner == "–" else f" {joiner} "
    return f"{word} {step_by_id(first_id).number}{between}{step_by_id(last_id).number}"


# `{{step:map}}` → "step 7", `{{Step:map}}` → "Step 7", `{{steps:questionnaire and
# production-settings}}` → "steps 3 and 4", `{{steps:create-app to connect}}` → "steps 2 to 6".
_STEP_REFERENCE = re.compile(
    r"\{\{\s*(step|Step|steps|Steps):\s*([a-z-]+)(?:\s+(and|to)\s+([a-z-]+))?\s*\}\}"
)


def render_step_refs(text: str) -> str:
    """`text` with every `{{step:<id>}}`-style placeholder written out from the step table.

    Copy names steps by id, so renumbering the steps renumbers every sentence that points at
    one. Raises `KeyError` naming the unknown id for a placeholder that names no step.
    """

    def write_out(match: re.Match[str]) -> str:
        word, first, joiner, last = match.groups()
        capital = word[0] == "S"
        if word.lower() == "step" or last is None:
            return step_ref(first, capital=capital)
        return steps_ref(first, last, joiner, capital=capital)

    return _STEP_REFERENCE.sub(write_out, text)
