"""Inside the wizard, the health checks speak in the wizard's words: steps, not command-line
options or Python class names."""

from __future__ import annotations

import re
from pathlib import Path

import qbo_wizard
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


def test_the_wizards_texts_name_no_command_line_options() -> None:
    """Every sentence the screens take from the content files speaks in the wizard's words."""
    content = Path(qbo_wizard.__file__).parent / "content"
    for path in sorted(content.rglob("*.yaml")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            assert not re.search(r"(?<![\w-])--[a-z]", line), (path.name, number, line)
