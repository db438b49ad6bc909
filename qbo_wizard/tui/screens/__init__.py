"""One screen per step, plus the status home and small dialogs.

`step_screen` is the seam between the flow and the screens: each step id maps to the class
that shows it. A step that gets a richer screen changes only its row in `STEP_SCREENS`.
"""

from __future__ import annotations

from qbo_wizard.core.steps import StepId
from qbo_wizard.tui.screens.base import StepScreen
from qbo_wizard.tui.screens.checklist import ChecklistStepScreen
from qbo_wizard.tui.screens.connect import ConnectScreen
from qbo_wizard.tui.screens.credentials import CredentialsScreen
from qbo_wizard.tui.screens.mapping import MappingScreen
from qbo_wizard.tui.screens.test_step import TestStepScreen
from qbo_wizard.tui.screens.troubleshoot import TroubleshootScreen
from qbo_wizard.tui.session import WizardSession

STEP_SCREENS: dict[StepId, type[StepScreen]] = {
    "overview": ChecklistStepScreen,
    "create-app": ChecklistStepScreen,
    "questionnaire": ChecklistStepScreen,
    "production-settings": ChecklistStepScreen,
    "credentials": CredentialsScreen,
    "connect": ConnectScreen,
    "map": MappingScreen,
    "test": TestStepScreen,
    "troubleshoot": TroubleshootScreen,
}


def step_screen(step_id: StepId, session: WizardSession) -> StepScreen:
    """A fresh screen for one step."""
    return STEP_SCREENS[step_id](step_id, session)
