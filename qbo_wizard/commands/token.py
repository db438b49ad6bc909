"""`qbo-wizard token`: print a valid access token for the profile's company, and nothing else.

Integrations in any language can run it instead of refreshing tokens themselves: it refreshes
only when needed, one process at a time, and saves Intuit's new refresh token to the keyring
before printing. Warnings (for example the connection nearing its 5-year limit) go to
standard error; exit code 4 means the connection must be made again.

A live access token lets anyone who sees it use the company's books for up to an hour, so it is
printed only into a pipe or a variable (`TOKEN=$(qbo-wizard token)`), never onto a terminal
unless `--reveal` asks for that, and never in presenter (screen-share) mode.
"""

from __future__ import annotations

import argparse
import sys

from qbo_wizard.commands.terminal import say
from qbo_wizard.core.connection.tokens import (
    ACCESS_TOKEN_LIFETIME_SECONDS,
    DEFAULT_VALID_FOR_SECONDS,
    LONGEST_VALID_FOR_SECONDS,
    TokenKeeper,
    expiry_warnings,
)
from qbo_wizard.core.problems import UsageError


class BadValidFor(UsageError):
    """`--valid-for` outside what an access token can offer."""


class TokenOnScreen(UsageError):
    """Standard output is a terminal: printing the token would show it to anyone watching."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """How long the printed token must stay valid; whether it may appear on a terminal."""
    parser.add_argument(
        "--valid-for",
        type=float,
        default=DEFAULT_VALID_FOR_SECONDS,
        metavar="SECONDS",
        help="the token must stay valid at least this long; refreshes sooner if needed "
        f"(default {DEFAULT_VALID_FOR_SECONDS:.0f}, at most {LONGEST_VALID_FOR_SECONDS:.0f})",
    )
    parser.add_argument(
        "--reveal",
        action="store_true",
        help="print the token even when the output is a terminal (never in --presenter mode)",
    )


def _on_a_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _check_where_it_goes(args: argparse.Namespace) -> None:
    if not _on_a_terminal():
        return
    capture = f"TOKEN=$(qbo-wizard token --profile {args.profile})"
    if getattr(args, "presenter", False):
        raise TokenOnScreen(
            "Presenter mode never shows an access token on screen: anyone watching could use "
            f"it for up to an hour. A script can still capture it: {capture}"
        )
    if not args.reveal:
        raise TokenOnScreen(
            "Not printed: the output is a terminal, and an access token on screen can be used "
            "by anyone who sees it for up to an hour. Scripts capture it instead, for example "
            f"{capture} (it is printed when the output is a pipe or a variable). To show it "
            "here anyway, add --reveal."
        )


def _valid_for(requested: float) -> float:
    if not 0 <= requested <= ACCESS_TOKEN_LIFETIME_SECONDS:
        raise BadValidFor(
            f"--valid-for must be between 0 and {LONGEST_VALID_FOR_SECONDS:.0f} seconds "
            "(an access token lasts one hour, and asking for more than "
            f"{LONGEST_VALID_FOR_SECONDS:.0f} would refresh it on every call)."
        )
    if requested > LONGEST_VALID_FOR_SECONDS:
        say(
            f"qbo-wizard: --valid-for {requested:.0f} would refresh the connection on every "
            f"call (Intuit asks apps not to refresh early), so {LONGEST_VALID_FOR_SECONDS:.0f} "
            "seconds is used instead."
        )
        return LONGEST_VALID_FOR_SECONDS
    return requested


def run(args: argparse.Namespace) -> int:
    """Print the access token on standard output."""
    valid_for = _valid_for(args.valid_for)
    _check_where_it_goes(args)
    keeper = TokenKeeper(args.profile)
    tokens = keeper.tokens(valid_for)
    for warning in [*keeper.warnings, *expiry_warnings(tokens, keeper.clock())]:
        say(f"qbo-wizard: {warning}")
    print(tokens.access_token, flush=True)
    return 0
