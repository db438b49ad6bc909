"""The one exception type users see: a plain-words message plus the exit code it maps to."""

from __future__ import annotations

from pathlib import Path

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
