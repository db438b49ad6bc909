"""`qbo-wizard credentials`: enter the app's client ID and secret, check them live, store them.

On a terminal both are asked for with hidden prompts; otherwise they are read from standard
input, client ID first, then the secret, one per line. Exit 0 once stored.
"""

from __future__ import annotations

import argparse

from qbo_wizard.commands.terminal import interactive, read_line, say
from qbo_wizard.core.connection.credentials import (
    CheckedCredentials,
    CredentialProblem,
    check_shape,
    store_credentials,
    summary,
    vault_for,
)
from qbo_wizard.core.connection.environments import check_key_set, simulator_info
from qbo_wizard.core.profile import KeySet, profile_exists
from qbo_wizard.core.profile_store import profile_store

_ATTEMPTS_ON_A_TERMINAL = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options: which key set, and an optional simulator to target."""
    parser.add_argument(
        "--key-set",
        metavar="SET",
        help="development (sandbox companies) or production (real companies); "
        "default: the profile's current key set, or development for a new profile",
    )
    parser.add_argument(
        "--simulator",
        metavar="URL",
        help="use a running practice QuickBooks (its root URL) instead of Intuit",
    )


def _key_set(args: argparse.Namespace) -> KeySet:
    if args.key_set:
        return check_key_set(args.key_set)
    if profile_exists(args.profile):
        return profile_store(args.profile).read().key_set
    return "development"


def _ask(key_set: KeySet) -> CheckedCredentials:
    tab = "Production" if key_set == "production" else "Development"
    if interactive():
        say(
            f"Open your app in the Intuit Developer portal → Keys and credentials → {tab}, turn "
            "on 'Show credentials', and copy each value. Typing is hidden."
        )
    attempts = _ATTEMPTS_ON_A_TERMINAL if interactive() else 1
    for attempt in range(1, attempts + 1):
        client_id = read_line("Client ID: ", "client ID", hidden=True)
        client_secret = read_line("Client secret: ", "client secret", hidden=True)
        try:
            return check_shape(client_id, client_secret)
        except CredentialProblem as problem:
            if attempt == attempts:
                raise
            say(f"{problem} Please enter both again.")
    raise AssertionError("unreachable")


def run(args: argparse.Namespace) -> int:
    """Ask for, check, and store the keys."""
    vault_for(args.profile)  # no keyring: stop now, before anything is asked or written
    key_set = _key_set(args)
    if args.simulator:
        simulator_info(args.simulator)  # unreachable simulator: say so before asking
    checked = _ask(key_set)
    for warning in checked.warnings:
        say(f"Note: {warning}")
    say("Checking the keys…")
    try:
        profile = store_credentials(args.profile, key_set, checked.credentials, args.simulator)
    except CredentialProblem as problem:
        if problem.other_key_set is None:
            raise
        # The core says "switch to … keys"; on the command line that is an option.
        raise CredentialProblem(
            f"{problem} To enter them as {problem.other_key_set} keys, run this again with "
            f"--key-set {problem.other_key_set}.",
            problem.field,
            other_key_set=problem.other_key_set,
        ) from None
    print(summary(profile))
    return 0
