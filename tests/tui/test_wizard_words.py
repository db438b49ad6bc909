"""Inside the wizard, the health checks speak in the wizard's words: steps, not command-line
options or Python class names."""

from __future__ import annotations

import re

from qbo_wizard.core.profile import Profile, save_profile
from qbo_wizard.tui.screens.troubleshoot import CheckRow
from qbo_wizard.tui.screenshots import settle

from .conftest import StepHost

COMMAND_LINE = re.compile(r"--[a-z]|qbo_wizard\.|qbo-wizard [a-z]")


async def test_step_9_rows_have_no_command_line_words() -> None:
    save_profile(Profile(name="acme", current_step="troubleshoot"))
    app = StepHost(Profile(name="acme", current_step="troubleshoot"), "troubleshoot")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = {row.result.id: row.render_text() for row in app.screen.query(CheckRow)}
        assert rows["keyring"].startswith("✓ Keyring  Reachable: in-memory keyring")
        assert "Next: step 5 · Enter the keys." in rows["keys"]
        for check_id, text in rows.items():
            assert not COMMAND_LINE.search(text), (check_id, text)
