"""The `qbo-wizard` command.

Sub-commands live in `qbo_wizard.commands.<module>` and are imported only when chosen, so a
command that needs no screen (explain, token, doctor, …) never imports Textual and starts fast.
With no sub-command the wizard's terminal UI opens.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol

from qbo_wizard import __version__
from qbo_wizard.core.paths import DEFAULT_PROFILE
from qbo_wizard.core.problems import EXIT_INTERRUPTED, EXIT_USAGE, WizardError


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
    "mapping": (
        "mapping",
        "Check, show, export or import how your line items map to QuickBooks (step 7).",
    ),
    "test": (
        "testpost",
        "Post a $1.00 test invoice and carrier bill, then void and delete them (step 8).",
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
    "130 stopped with Ctrl+C."
)


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

            return wizard.run(args)
        return _load(COMMANDS[args.command][0]).run(args)
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


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())
