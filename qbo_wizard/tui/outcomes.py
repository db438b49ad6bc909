"""What a step screen (or the status home) dismisses with: typed, frozen results.

The wizard's one orchestrating worker (`WizardApp.run_wizard`) branches on these, so the flow
reads as plain code and a screen never decides where the user goes next on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from qbo_wizard.core.steps import StepId


@dataclass(frozen=True)
class GoNext:
    """Save and open the following step."""


@dataclass(frozen=True)
class GoBack:
    """Open the previous step."""


@dataclass(frozen=True)
class JumpTo:
    """Open a step by its id (from the step list, a number key or the status home)."""

    step_id: StepId
    line_id: str | None = None
    """For step 7: the mapping line to select and explain (e.g. the one a test post failed on);
    the flow hands it over as `WizardSession.highlight_line`, other steps ignore it."""


@dataclass(frozen=True)
class OpenStatus:
    """Show the status home of a configured profile."""


@dataclass(frozen=True)
class Reconnect:
    """The authorizing user's password changed: keep keys and mapping, redo step 6.

    Chosen on the status home, or from a step that found the connection refused (steps 8, 9).
    """


@dataclass(frozen=True)
class NewApp:
    """The app's creator was deleted: disconnect and redo steps 2–6 with a new app."""


@dataclass(frozen=True)
class QuitWizard:
    """Save and leave; the next run resumes where the user was."""


StepOutcome = GoNext | GoBack | JumpTo | OpenStatus | Reconnect | QuitWizard
HomeChoice = Reconnect | NewApp | JumpTo | QuitWizard
