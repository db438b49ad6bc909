"""Reading what the user types or pipes in, for the connection commands.

Secrets are read from a hidden prompt on a terminal, or one per line from standard input when
it is not a terminal (scripts), never from the command line, where other users of the
computer could see them in the process list. Prompts and guidance go to standard error, so
standard output carries only what scripts read (an authorize URL, a token, a result line).
"""

from __future__ import annotations

import getpass
import os
import platform
import sys
import webbrowser
from collections.abc import Callable
from typing import TypeVar

from qbo_wizard.core.connection.remote import running_over_ssh
from qbo_wizard.core.problems import WizardError

T = TypeVar("T")


class InputEnded(WizardError):
    """Standard input ended before the expected value arrived."""


def interactive() -> bool:
    """True when a person is typing (standard input is a terminal)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def say(text: str = "") -> None:
    """Guidance for the person at the terminal (standard error)."""
    print(text, file=sys.stderr, flush=True)


def read_line(prompt: str, what: str, *, hidden: bool = False) -> str:
    """One line: from a (hidden) prompt on a terminal, else the next line of standard input."""
    if interactive():
        if hidden:
            return getpass.getpass(prompt, stream=sys.stderr)
        sys.stderr.write(prompt)
        sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise InputEnded(
            f"Standard input ended before the {what} was given. When piping, put each value "
            "on its own line."
        )
    return line.rstrip("\r\n")


def ask_passphrase(where: str, new: bool) -> str | None:
    """The encrypted keyring's passphrase, typed hidden at the terminal (None with no terminal).

    A new keyring file asks twice, so a typing mistake cannot lock the secrets away.
    """
    if not interactive():
        return None
    if not new:
        return getpass.getpass(f"Passphrase of the encrypted keyring {where}: ", stream=sys.stderr)
    say(
        f"The encrypted keyring {where} is about to be created. Choose its passphrase: it is "
        "needed whenever qbo-wizard reads or saves a secret, and it cannot be recovered."
    )
    for _ in range(3):
        first = getpass.getpass("New passphrase: ", stream=sys.stderr)
        second = getpass.getpass("The same passphrase again: ", stream=sys.stderr)
        if first == second and first.strip():
            return first
        say("The two entries differ, or are empty. Please try again.")
    raise PassphraseNotChosen(
        "No passphrase was chosen for the encrypted keyring, so nothing was saved."
    )


class PassphraseNotChosen(WizardError):
    """The two entries of a new keyring passphrase never matched."""


def read_until_parsed(
    prompt: str, parse: Callable[[str], T], incomplete: Callable[[Exception], bool]
) -> T:
    """Read lines until `parse` accepts what was read so far.

    A long address may arrive over several lines (terminal wrapping); while `parse` fails with
    an error `incomplete` says more text could fix, reading goes on. It stops at the end of
    input, or at an empty line on a terminal, with the last error.
    """
    if interactive():
        sys.stderr.write(prompt)
        sys.stderr.flush()
    text = ""
    last: Exception | None = None
    while True:
        line = sys.stdin.readline()
        if not line or (not line.strip() and text.strip() and interactive()):
            if last is not None:
                raise last
            return parse(text)
        if not line.strip():
            continue
        text += line
        try:
            return parse(text)
        except Exception as error:
            if not incomplete(error):
                raise
            last = error


def can_open_browser() -> bool:
    """True when opening a browser here would show it to the person at this terminal."""
    if running_over_ssh() or not interactive():
        return False
    if platform.system() == "Linux":
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def open_browser(url: str) -> bool:
    """Try to open `url` in the user's browser; False if none could be opened."""
    try:
        return bool(webbrowser.open(url, new=2))
    except webbrowser.Error:
        return False
