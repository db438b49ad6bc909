"""Where the user is in the nine steps, and the paths that bring a broken connection back.

Pure functions over `Profile`; saving is the caller's job. The wizard's screens use them, and so
can any other front end, so "done", "needs attention" and "resume here" mean the same everywhere.
"""

from __future__ import annotations

from typing import Literal, cast

from qbo_wizard.core.profile import Profile
from qbo_wizard.core.step_content import load_step_content
from qbo_wizard.core.steps import STEP_IDS, StepId

Journey = Literal["setup", "reconnect", "new-app"]
"""Why the user is walking the steps: first setup, reconnect after a password change, or a new
app after the app's creator was deleted."""

JOURNEYS: tuple[Journey, ...] = ("setup", "reconnect", "new-app")
_JOURNEY_KEY = "journey"

# Steps redone with a new app (the app's creator was deleted): create it again, the production
# paperwork for the new app, its keys, and the connection.
NEW_APP_STEPS: tuple[StepId, ...] = (
    "create-app",
    "questionnaire",
    "production-settings",
    "credentials",
    "connect",
)


def next_step(step_id: str) -> StepId | None:
    """The step after `step_id`, or None after the last."""
    index = STEP_IDS.index(cast(StepId, step_id))
    return STEP_IDS[index + 1] if index + 1 < len(STEP_IDS) else None


def previous_step(step_id: str) -> StepId | None:
    """The step before `step_id`, or None before the first."""
    index = STEP_IDS.index(cast(StepId, step_id))
    return STEP_IDS[index - 1] if index > 0 else None


def ticked_items(profile: Profile, step_id: str) -> set[str]:
    """The ids of the checklist items the user has ticked on one step."""
    return set(profile.checklists.get(step_id, []))


def set_ticked(
    profile: Profile, step_id: str, item_id: str, ticked: bool, order: tuple[str, ...]
) -> None:
    """Tick or untick one checklist item; the saved list follows the checklist's `order`."""
    chosen = ticked_items(profile, step_id)
    if ticked:
        chosen.add(item_id)
    else:
        chosen.discard(item_id)
    known = [item for item in order if item in chosen]
    leftovers = sorted(chosen - set(order))  # ticks of items a newer copy no longer has
    profile.checklists[step_id] = known + leftovers


def checklist_state(ticked: int, total: int, *, needed: bool) -> str:
    """The state a checklist step is left in.

    Args:
        ticked: How many of its items are ticked.
        total: How many items it has.
        needed: False when the profile's key set does not need the step (e.g. the production
            questionnaire while using development keys).

    Returns:
        `done` when every item is ticked, `not-started` when nothing is ticked on a step that
        is not needed yet, otherwise `needs-attention`.
    """
    if ticked >= total:
        return "done"
    if ticked == 0 and not needed:
        return "not-started"
    return "needs-attention"


def enter_step(profile: Profile, step_id: StepId) -> None:
    """Remember `step_id` as where the user is, so a re-run opens there."""
    profile.current_step = step_id


def is_configured(profile: Profile) -> bool:
    """True once the profile has been connected to a company at least once."""
    return profile.realm_id is not None


def journey(profile: Profile) -> Journey:
    """The path the user chose (kept in profile.yaml as `journey`)."""
    value = profile.extra.get(_JOURNEY_KEY)
    return cast(Journey, value) if value in JOURNEYS else "setup"


def set_journey(profile: Profile, value: Journey) -> None:
    """Record the chosen path; `setup` is the default and is not written out."""
    if value == "setup":
        profile.extra.pop(_JOURNEY_KEY, None)
    else:
        profile.extra[_JOURNEY_KEY] = value


def begin_reconnect(profile: Profile) -> StepId:
    """Start the password-change path: keys and mapping stay, step 6 is redone.

    Returns:
        The step to open (`connect`).
    """
    set_journey(profile, "reconnect")
    record_step_state(profile, "connect", "needs-attention")
    enter_step(profile, "connect")
    return "connect"


def begin_new_app(profile: Profile) -> StepId:
    """Start the deleted-creator path: steps 2–6 are redone for a new app; the mapping stays.

    The old app's checklist ticks are cleared (they described the old app). Disconnecting the
    old app's tokens is the caller's job, since it needs the keyring and the network.

    Returns:
        The step to open (`create-app`).
    """
    set_journey(profile, "new-app")
    for step_id in NEW_APP_STEPS:
        profile.checklists.pop(step_id, None)
        needed = load_step_content(step_id).applies_to(profile.key_set)
        record_step_state(profile, step_id, "needs-attention" if needed else "not-started")
    enter_step(profile, "create-app")
    return "create-app"


def finish_journey(profile: Profile) -> None:
    """The chosen path is complete: back to the ordinary setup path."""
    set_journey(profile, "setup")


# Every change to a step's state goes through the functions below, so what "done" means for
# each step is decided here and nowhere else.


def record_step_state(profile: Profile, step_id: StepId, state: str) -> None:
    """Record the state a step was left in (`done`, `needs-attention` or `not-started`)."""
    profile.step_states[step_id] = state


def record_keys_saved(profile: Profile, *, connection_forgotten: bool) -> None:
    """The app's keys are stored; a connection that belonged to other keys must be made again."""
    if connection_forgotten and profile.step_states.get("connect") == "done":
        record_step_state(profile, "connect", "not-started")
    record_step_state(profile, "credentials", "done")


def record_connected(profile: Profile) -> None:
    """The connection to a company is made and stored."""
    record_step_state(profile, "connect", "done")


def record_disconnected(profile: Profile, *, keys_forgotten: bool) -> None:
    """The connection is gone; with `keys_forgotten` the app's keys are gone too."""
    record_step_state(profile, "connect", "not-started")
    if keys_forgotten:
        record_step_state(profile, "credentials", "not-started")


def record_mapping_saved(profile: Profile, *, complete: bool) -> None:
    """The mapping is saved: done when every line is mapped, otherwise it needs a look."""
    record_step_state(profile, "map", "done" if complete else "needs-attention")


def record_dollar_test(profile: Profile, *, passed: bool) -> None:
    """The $1.00 check ran: done when it passed, otherwise it needs a look."""
    record_step_state(profile, "test", "done" if passed else "needs-attention")
