"""The one exception type users see: a plain-words message plus the exit code it maps to."""

from __future__ import annotations

# Exit codes shared by every sub-command (documented in the README).
EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_RECONNECT = 4
EXIT_INTERRUPTED = 130


class WizardError(Exception):
    """Something the user can act on; `str(error)` is the whole message, with no secrets."""

    exit_code: int = EXIT_PROBLEM


class UsageError(WizardError):
    """The command was asked for something it cannot do as given (exit code 2)."""

    exit_code = EXIT_USAGE
