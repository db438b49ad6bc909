"""`qbo-wizard logout`: disconnect the app at Intuit, then remove the profile's secrets.

The secrets are removed from this computer even when Intuit cannot be reached; the message
then says so and the exit code is 1, so the app can still be disconnected inside QuickBooks.
"""

from __future__ import annotations

import argparse

from qbo_wizard.core.connection.oauth import disconnect
from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Whether to keep the app keys for a later `login`."""
    parser.add_argument(
        "--keep-keys",
        action="store_true",
        help="remove only the connection; keep the client ID and secret for a later login",
    )


def run(args: argparse.Namespace) -> int:
    """Revoke, wipe, report."""
    report = disconnect(args.profile, forget_keys=not args.keep_keys)
    print(report.summary(), flush=True)
    if report.had_connection and not report.revoked:
        return EXIT_PROBLEM
    return EXIT_OK
