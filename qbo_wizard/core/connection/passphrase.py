"""Where the encrypted-file keyring's passphrase comes from, in this order.

1. The file named by `QBO_WIZARD_KEYRING_PASSPHRASE_FILE` (systemd's `LoadCredential=` lays one
   out under `$CREDENTIALS_DIRECTORY`; in a unit, `%d/NAME`). One trailing line break is
   ignored.
2. `QBO_WIZARD_KEYRING_PASSPHRASE`.
3. A person, through the prompt the front end registered with `set_passphrase_prompt` (hidden
   typing on the command line when there is a terminal; a masked dialog in the wizard).

With none of these, `PassphraseUnavailable` says how to provide one. The passphrase is only
ever handed to the keyring backend in memory; nothing here writes it anywhere. This module
imports nothing heavy, so the command line can register its prompt at start-up for free.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from qbo_wizard.core.problems import WizardError

PASSPHRASE_FILE_ENV_VAR = "QBO_WIZARD_KEYRING_PASSPHRASE_FILE"  # noqa: S105  # a variable's name
PASSPHRASE_ENV_VAR = "QBO_WIZARD_KEYRING_PASSPHRASE"  # noqa: S105  # a variable's name

#: Asks a person for the passphrase: (the keyring file, whether it is new) → the passphrase,
#: or None when nobody can be asked.
PassphrasePrompt = Callable[[str, bool], "str | None"]
_prompt: PassphrasePrompt | None = None


class PassphraseUnavailable(WizardError):
    """No passphrase could be found or asked for; the message says how to give one."""


def set_passphrase_prompt(prompt: PassphrasePrompt | None) -> None:
    """Register how this program asks a person for the passphrase (None: it cannot)."""
    global _prompt
    _prompt = prompt


def _read_file(path_text: str) -> str:
    path = Path(path_text).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise PassphraseUnavailable(
            f"{PASSPHRASE_FILE_ENV_VAR} names {path}, which cannot be read ({reason}). Put the "
            "encrypted keyring's passphrase in that file (readable only by you: chmod 600), or "
            "point the variable at the right file."
        ) from None
    return text.removesuffix("\n").removesuffix("\r")


def obtain_passphrase(where: str, new: bool) -> str:
    """The passphrase for the encrypted keyring file `where` (`new`: it does not exist yet)."""
    from_file = os.environ.get(PASSPHRASE_FILE_ENV_VAR, "").strip()
    if from_file:
        passphrase = _read_file(from_file)
        source = f"the file named by {PASSPHRASE_FILE_ENV_VAR}"
    elif os.environ.get(PASSPHRASE_ENV_VAR):
        passphrase = os.environ[PASSPHRASE_ENV_VAR]
        source = PASSPHRASE_ENV_VAR
    elif _prompt is not None and (asked := _prompt(where, new)) is not None:
        passphrase = asked
        source = "what was typed"
    else:
        raise PassphraseUnavailable(
            f"The encrypted keyring ({where}) needs its passphrase, and there is no terminal to "
            "ask on. Put the passphrase in a file only this user can read (chmod 600) and set "
            f"{PASSPHRASE_FILE_ENV_VAR} to that file (in a systemd unit: LoadCredential= and "
            f"Environment={PASSPHRASE_FILE_ENV_VAR}=%d/NAME), or set {PASSPHRASE_ENV_VAR}."
        )
    if not passphrase.strip():
        raise PassphraseUnavailable(
            f"The encrypted keyring's passphrase from {source} is empty; it needs one."
        )
    return passphrase
