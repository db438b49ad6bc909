"""One screen per step, plus the status home and small dialogs.

`step_screen` is the seam between the flow and the screens: each step id maps to the class
that shows it, named as `module:Class` so that a step's module (and the widgets only it uses)
is imported when the step is first opened, not before the first screen can be drawn. A step
that gets a richer screen changes only its row in `STEP_SCREENS`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from qbo_wizard.core.steps import StepId

if TYPE_CHECKING:
    from qbo_wizard.tui.screens.base import StepScreen
    from qbo_wizard.tui.session import WizardSession

STEP_SCREENS: dict[StepId, str] = {
    "overview": "checklist:ChecklistStepScreen",
    "create-app": "checklist:ChecklistStepScreen",
    "questionnaire": "checklist:ChecklistStepScreen",
    "production-settings": "checklist:ChecklistStepScreen",
    "credentials": "credentials:CredentialsScreen",
    "connect": "connect:ConnectScreen",
    "map": "mapping:MappingScreen",
    "test": "dollar_test:DollarCheckScreen",
    "troubleshoot": "troubleshoot:TroubleshootScreen",
}
"""Step id -> `module:Class` of its screen, the module relative to this package."""


def step_screen_class(step_id: StepId) -> type[StepScreen]:
    """The screen class that shows one step (its module is imported on first use)."""
    from qbo_wizard.tui.screens.base import StepScreen

    module_name, _, class_name = STEP_SCREENS[step_id].partition(":")
    screen_class = getattr(import_module(f"{__name__}.{module_name}"), class_name)
    if not (isinstance(screen_class, type) and issubclass(screen_class, StepScreen)):
        raise TypeError(f"{STEP_SCREENS[step_id]} is not a step screen")
    return screen_class


def step_screen(step_id: StepId, session: WizardSession) -> StepScreen:
    """A fresh screen for one step."""
    return step_screen_class(step_id)(step_id, session)
