"""One snapshot per screen at a fixed size (120×40, and a few at 80×24).

Update after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the report before committing. Cursor blink is off so the pictures are stable.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from qbo_wizard.core.health import status
from qbo_wizard.core.health.area_status import AreaStatus, StatusOptions
from qbo_wizard.core.profile import Profile, save_profile
from qbo_wizard.core.steps import STEP_IDS
from qbo_wizard.tui.screenshots import settle

from .conftest import wizard

WIDE = (120, 40)
NARROW = (80, 24)


def at_step(step_id: str, **settings: Any) -> Profile:
    profile = Profile(name="acme", current_step=step_id, **settings)
    profile.step_states.update({"overview": "done", "create-app": "needs-attention"})
    profile.checklists["create-app"] = ["sign-in", "new-app"]
    return profile


@pytest.mark.parametrize("step_id", STEP_IDS)
def test_each_step_screen(step_id: str, snap_compare: Any) -> None:
    hint = "ABcd…wxYZ" if step_id == "connect" else None
    app = wizard(at_step(step_id, client_id_hint=hint))
    assert snap_compare(app, terminal_size=WIDE, run_before=settle)


@pytest.mark.parametrize("step_id", ["overview", "create-app", "connect"])
def test_narrow_terminal(step_id: str, snap_compare: Any) -> None:
    app = wizard(at_step(step_id, client_id_hint="ABcd…wxYZ"))
    assert snap_compare(app, terminal_size=NARROW, run_before=settle)


def test_go_to_step_dialog(snap_compare: Any) -> None:
    async def open_dialog(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)

    assert snap_compare(
        wizard(at_step("questionnaire")), terminal_size=WIDE, run_before=open_dialog
    )


# Deterministic checks for the status home's picture (the real ones read the clock and the
# network; their behaviour is covered in tests/core/test_status.py and test_status_home.py).
def fixed_keys(profile: Profile, options: StatusOptions) -> AreaStatus:
    return AreaStatus("credentials", "ok", "Development keys saved (client ID ABcd…wxYZ).")


def fixed_connection(profile: Profile, options: StatusOptions) -> AreaStatus:
    realm = options.realm("9341452962835018")
    why = f"QuickBooks no longer accepts the connection to Bluewater (realm {realm}): reconnect."
    return AreaStatus("connection", "problem", why, "connect")


def fixed_expiry(profile: Profile, options: StatusOptions) -> AreaStatus:
    return AreaStatus("token-expiry", "ok", "Good until 01 Jun 2026 (92 days).")


def fixed_mapping(profile: Profile, options: StatusOptions) -> AreaStatus:
    return AreaStatus("mapping", "ok", "Saved in mapping.yaml.")


def fixed_test(profile: Profile, options: StatusOptions) -> AreaStatus:
    return AreaStatus("last-test", "ok", "Passed on 01 Feb 2026.")


@pytest.fixture
def fixed_status(monkeypatch: pytest.MonkeyPatch) -> Profile:
    rows = {
        "credentials": fixed_keys,
        "connection": fixed_connection,
        "token-expiry": fixed_expiry,
        "mapping": fixed_mapping,
        "last-test": fixed_test,
    }
    monkeypatch.setattr(status, "STATUS_CHECKS", rows)
    profile = Profile(
        name="acme", realm_id="9341452962835018", company_name="Bluewater Freight Brokers LLC"
    )
    save_profile(profile)
    return profile


@pytest.mark.parametrize(("presenter", "size"), [(False, WIDE), (True, WIDE), (False, NARROW)])
def test_status_home(
    fixed_status: Profile, presenter: bool, size: tuple[int, int], snap_compare: Any
) -> None:
    app = wizard(fixed_status, presenter=presenter)
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_new_app_confirmation(fixed_status: Profile, snap_compare: Any) -> None:
    async def ask(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(wizard(fixed_status), terminal_size=WIDE, run_before=ask)
