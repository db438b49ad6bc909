"""The `qbo-wizard` command.

Sub-commands live in `qbo_wizard.commands.<module>` and are imported only when chosen, so a
command that needs no screen (explain, token, doctor, …) never imports Textual and starts fast.
With no sub-command the wizard's terminal UI opens.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Protocol

from qbo_wizard import __version__
from qbo_wizard.core.paths import DEFAULT_PROFILE
from qbo_wizard.core.problems import (
    DEBUG_ENV_VAR,
    EXIT_INTERRUPTED,
    EXIT_PROBLEM,
    EXIT_USAGE,
    WizardError,
    unexpected_error_message,
)
from qbo_wizard.core.steps import step_ref


class CommandModule(Protocol):
    """What each `qbo_wizard.commands.*` module provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


# name -> (module under qbo_wizard.commands, one-line help shown by --help)
COMMANDS: dict[str, tuple[str, str]] = {
    "credentials": ("credentials", "Enter and check the app's client ID and secret."),
    "login": ("login", "Connect the profile to a QuickBooks company."),
    "token": ("token", "Print a valid access token for integrations (refreshes safely)."),
    "logout": ("logout", "Disconnect at Intuit and remove the profile's secrets."),
    "handoff": (
        "handoff",
        "Seal the connection for a hosted integration's vendor (age); `handoff open` opens one.",
    ),
    "mapping": (
        "mapping",
        f"Check, show, export or import how your line items map to QuickBooks ({step_ref('map')}).",
    ),
    "test": (
        "dollar_test",
        "Post a $1.00 test invoice and carrier bill, then void and delete them "
        f"({step_ref('test')}).",
    ),
    "doctor": ("doctor", "Check the profile's health: keyring, keys, connection, expiry, mapping."),
    "diagnostics": (
        "diagnostics",
        "Make a support bundle (versions, settings, recent errors, health) with no secrets in it.",
    ),
    "explain": ("explain", "Explain a QuickBooks or Intuit error: what it means, how to fix it."),
    "serve": ("serve", "Open the wizard in a browser tab on this computer (localhost only)."),
    "profiles": ("profiles", "List the profiles on this computer and where they are kept."),
    "simulator": (
        "simulator",
        "Run the practice QuickBooks (a local Intuit OAuth server and Accounting API).",
    ),
}

DESCRIPTION = (
    "Connect an integration to QuickBooks Online, step by step. "
    "Run with no sub-command to open the wizard."
)
EPILOG = (
    "Exit codes: 0 ok, 1 a problem was found, 2 wrong usage, 4 reconnect required, "
    "130 stopped with Ctrl+C, 141 the output was closed early (for example by `| head`)."
)
EXIT_OUTPUT_CLOSED = 141  # what a shell reports for a program stopped by SIGPIPE


def _add_profile_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=default,
        help=f"which saved setup to use (default: {DEFAULT_PROFILE})",
    )


def build_parser(chosen: str | None) -> argparse.ArgumentParser:
    """The argument parser; only the chosen sub-command's module is imported and described."""
    parser = argparse.ArgumentParser(prog="qbo-wizard", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"qbo-wizard {__version__}")
    _add_profile_option(parser, DEFAULT_PROFILE)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="rehearse every step on a built-in practice QuickBooks (no Intuit account needed)",
    )
    parser.add_argument(
        "--presenter",
        action="store_true",
        help="screen-share mode: shorten company IDs and never reveal a secret",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, (module_name, summary) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=summary, description=summary)
        # A sub-command's --profile overrides the top-level one only when given.
        _add_profile_option(sub, argparse.SUPPRESS)
        if name == chosen:
            _load(module_name).add_arguments(sub)
    return parser


def _load(module_name: str) -> CommandModule:
    module: CommandModule = importlib.import_module(f"qbo_wizard.commands.{module_name}")
    return module


def _chosen_command(argv: Sequence[str]) -> str | None:
    for word in argv:
        if word in COMMANDS:
            return word
        if word == "--":
            return None
    return None


def _ask_passphrase(where: str, new: bool) -> str | None:
    """The terminal's passphrase prompt, imported only when a command needs it (its terminal
    and browser modules cost every command ~5 ms at start otherwise)."""
    from qbo_wizard.commands.terminal import ask_passphrase

    return ask_passphrase(where, new)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the chosen sub-command (or the UI), return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    chosen = _chosen_command(arguments)
    parser = build_parser(chosen)
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # argparse exits 0 for --help/--version and 2 for usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.command is None:
            from qbo_wizard.commands import wizard

            code = wizard.run(args)
        else:
            from qbo_wizard.core.connection.passphrase import set_passphrase_prompt

            set_passphrase_prompt(_ask_passphrase)  # the encrypted keyring's, when there is one
            code = _load(COMMANDS[args.command][0]).run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's final flush
        return code
    except WizardError as error:
        print(f"qbo-wizard: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(
            "\nqbo-wizard: stopped. Everything saved before this point is kept; "
            "run the same command again to carry on.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OUTPUT_CLOSED
    except Exception as unexpected:
        _report_unexpected(unexpected, args)
        return EXIT_PROBLEM


def _silence_stdout() -> None:
    """Whoever read the output went away (`| head -1`): drop what is left, quietly."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _report_unexpected(error: Exception, args: argparse.Namespace) -> None:
    """A last resort: name the error's type only, since its message may hold private details."""
    kind = type(error).__name__
    command = f"qbo-wizard {args.command}" if args.command else "qbo-wizard"
    with contextlib.suppress(Exception):
        from qbo_wizard.core.health.errorlog import record_failure
        from qbo_wizard.core.profile import profile_exists

        if profile_exists(args.profile):  # never create a profile just to log this
            record_failure(
                args.profile,
                source="unexpected",
                code=kind,
                message=f"{command} stopped on an unexpected {kind}",
            )
    with contextlib.suppress(BrokenPipeError):
        print(
            unexpected_error_message(kind, command),
            file=sys.stderr,
        )
        if os.environ.get(DEBUG_ENV_VAR) == "1":
            import traceback

            from qbo_wizard.core.redact import redact_text

            details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            print(redact_text(details), file=sys.stderr)


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())
