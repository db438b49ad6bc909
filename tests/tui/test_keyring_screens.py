"""Step 5 on a machine without a usable keyring, and with the encrypted-file keyring: the screen
never says "saved" for keys that were not kept, and the passphrase is asked in a masked dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.core
import pytest
from keyring.backends import fail
from textual.widgets import TextArea

from qbo_wizard.core.connection.keyring_entries import CLIENT_SECRET
from qbo_wizard.core.connection.passphrase import set_passphrase_prompt
from qbo_wizard.core.connection.vault import ENCRYPTED_FILE_BACKEND, Vault
from qbo_wizard.core.profile import load_profile
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screens.passphrase import PassphraseScreen
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.secret_input import SecretInput
from qbo_wizard.tui.widgets.status_line import StatusLine

from .conftest import demo_wizard

PASSPHRASE = "tui passphrase canary 42"


def status(screen: Any) -> str:
    """The step's status line (asked of the step screen: a dialog may be on top of it)."""
    return str(screen.query_one("#keys-status", StatusLine).render())


async def until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    """Let the app run until `condition` holds (a worker thread is waiting on the screen)."""
    for _ in range(3600):  # up to three minutes: key derivation is slow on a busy machine
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
def no_prompt_left_behind() -> Iterator[None]:
    yield
    set_passphrase_prompt(None)


async def test_no_keyring_stops_step_5_with_the_ways_forward(
    simulator: SimulatorServer, no_prompt_left_behind: None
) -> None:
    keyring.set_keyring(fail.Keyring())
    app = demo_wizard(simulator)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = status(app.screen)
        assert shown.startswith("✗ No usable keyring was found on this computer")
        assert "saved in the keyring" not in shown
        recipes = "\n".join(box.text for box in app.screen.query(".recipe").results(TextArea))
        assert "dbus-run-session -- bash" in recipes
        assert f"export PYTHON_KEYRING_BACKEND={ENCRYPTED_FILE_BACKEND}" in recipes
    assert load_profile("acme").step_state("credentials") != "done"


async def test_encrypted_file_passphrase_is_asked_masked_and_never_kept(
    simulator: SimulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_prompt_left_behind: None,
) -> None:
    data_home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", ENCRYPTED_FILE_BACKEND)
    monkeypatch.delenv("QBO_WIZARD_KEYRING_PASSPHRASE", raising=False)
    monkeypatch.delenv("QBO_WIZARD_KEYRING_PASSPHRASE_FILE", raising=False)
    keyring.set_keyring(keyring.core.load_keyring(ENCRYPTED_FILE_BACKEND))
    secret = simulator.info["keys"]["development"]["client_secret"]
    app = demo_wizard(simulator)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        step = app.screen

        # Cancelling leaves the keyring closed, and says so.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, PassphraseScreen), "the dialog")
        await pilot.press("escape")
        await until(pilot, lambda: status(step).startswith("✗"), "the refusal")
        assert "No passphrase was given" in status(step)
        assert load_profile("acme").step_state("credentials") != "done"

        # A new keyring file needs the same passphrase twice.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, PassphraseScreen), "the dialog again")
        dialog = app.screen
        dialog.query_one("#passphrase", SecretInput).value = PASSPHRASE
        dialog.query_one("#passphrase-again", SecretInput).value = PASSPHRASE + "x"
        await pilot.click("#passphrase-ok")
        await pilot.pause()
        assert app.screen is dialog
        assert "The two entries differ" in str(dialog.query_one("#passphrase-problem").render())
        # The retyped entry is emptied and has the cursor, ready to be typed again.
        again = dialog.query_one("#passphrase-again", SecretInput)
        assert app.focused is again
        assert again.value == ""
        # Retyped, it is confirmed with Enter in its field, as a person does. (A second click on
        # OK right after the first would be ignored: Textual drops clicks on a button during its
        # 0.2 s press effect, far quicker than anyone retypes a passphrase.)
        again.value = PASSPHRASE
        await pilot.pause()
        shown_masked = app.export_screenshot()
        await pilot.press("enter")
        await until(pilot, lambda: status(step).startswith("✓"), "the keys saved")
        assert "saved in the keyring: encrypted file" in " ".join(status(step).split())

    assert PASSPHRASE not in shown_masked
    assert Vault("acme").get(CLIENT_SECRET) == secret
    keyring_file = data_home / "python_keyring" / "cryptfile_pass.cfg"
    assert keyring_file.exists()
    for path in [*tmp_path.rglob("*")]:
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
            assert PASSPHRASE.encode() not in path.read_bytes(), path
