"""The one exception type users see: a plain-words message plus the exit code it maps to."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

# Exit codes shared by every sub-command (documented in the README).
EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_RECONNECT = 4
EXIT_INTERRUPTED = 130


# A NamedTuple, not a dataclass: every command imports this module, and the dataclasses module
# (with `inspect`, which it imports) costs a UI-free command like `explain` ~10 ms at start.
class Fix(NamedTuple):
    """One way to put something right, said twice: as the command to run, and as what to do
    in the wizard (which step, which key). A message holds it in place of either wording."""

    command: str
    in_wizard: str


def say(*parts: str | Fix, in_wizard: bool = False) -> str:
    """The message made of `parts`, each `Fix` worded for the command line or for the wizard."""
    words = []
    for part in parts:
        if isinstance(part, Fix):
            words.append(part.in_wizard if in_wizard else part.command)
        else:
            words.append(str(part))
    return "".join(words)


class WizardError(Exception):
    """Something the user can act on; `str(error)` is the whole message, with no secrets.

    A message may be given in parts, some of them `Fix`es: `str(error)` names the commands
    (what the command line prints) and `in_wizard()` says the same in the wizard's words.
    """

    exit_code: int = EXIT_PROBLEM

    def __init__(self, *parts: str | Fix) -> None:
        self.parts = parts
        super().__init__(say(*parts))

    def in_wizard(self) -> str:
        """The message as a screen shows it: steps and keys, never a command-line option."""
        if not self.parts:
            return str(self)
        return say(*self.parts, in_wizard=True)


class UsageError(WizardError):
    """The command was asked for something it cannot do as given (exit code 2)."""

    exit_code = EXIT_USAGE


DEBUG_ENV_VAR = "QBO_WIZARD_DEBUG"


def unexpected_error_message(kind: str, what: str) -> str:
    """What to say when `what` stopped on an error nobody planned for, naming only its type.

    The error's own text and its traceback's local values may hold a key or a token, so
    neither is shown unless the user asks for them with QBO_WIZARD_DEBUG=1.
    """
    return (
        f"qbo-wizard: something unexpected went wrong ({kind}), so {what} stopped. "
        "Nothing more is shown because the details could contain private data. Anything "
        "saved before this point is kept. `qbo-wizard diagnostics` gathers what support "
        "needs (never a secret); `qbo-wizard explain` explains a QuickBooks error message. "
        f"To see the details yourself, run the command again with {DEBUG_ENV_VAR}=1."
    )


_FIX_BY_HAND = (
    "The file was left as it is; fix it in a text editor, or move it aside to start that "
    "part again."
)


class ConfigFileError(WizardError):
    """A wizard file exists but cannot be used as it is (or could not be written)."""

    def __init__(
        self, path: Path, problem: str, line: int | None = None, *, advice: str = _FIX_BY_HAND
    ) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        self.advice = advice
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}. {advice}")
