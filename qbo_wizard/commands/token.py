"""`qbo-wizard token`: print a valid access token for the profile's company, and nothing else.

Integrations in any language can run it instead of refreshing tokens themselves: it refreshes
only when needed, one process at a time, and saves Intuit's new refresh token to the keyring
before printing. Warnings (for example the connection nearing its 5-year limit) go to
standard error; exit code 4 means the connection must be made again.
"""

from __future__ import annotations

import argparse

from qbo_wizard.commands.terminal import say
from qbo_wizard.core.problems import EXIT_USAGE, WizardError
from qbo_wizard.core.tokens import (
    ACCESS_TOKEN_LIFETIME_SECONDS,
    DEFAULT_VALID_FOR_SECONDS,
    TokenKeeper,
    expiry_warnings,
)


class BadValidFor(WizardError):
    """`--valid-for` outside what an access token can offer."""

    exit_code = EXIT_USAGE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """How long the printed token must stay valid."""
    parser.add_argument(
        "--valid-for",
        type=float,
        default=DEFAULT_VALID_FOR_SECONDS,
        metavar="SECONDS",
        help="the token must stay valid at least this long; refreshes sooner if needed "
        f"(default {DEFAULT_VALID_FOR_SECONDS:.0f}, at most "
        f"{ACCESS_TOKEN_LIFETIME_SECONDS:.0f})",
    )


def run(args: argparse.Namespace) -> int:
    """Print the access token on standard output."""
    if not 0 <= args.valid_for <= ACCESS_TOKEN_LIFETIME_SECONDS:
        raise BadValidFor(
            f"--valid-for must be between 0 and {ACCESS_TOKEN_LIFETIME_SECONDS:.0f} seconds "
            "(an access token lasts one hour)."
        )
    keeper = TokenKeeper(args.profile)
    tokens = keeper.tokens(args.valid_for)
    for warning in expiry_warnings(tokens, keeper.clock()):
        say(f"qbo-wizard: {warning}")
    print(tokens.access_token, flush=True)
    return 0
