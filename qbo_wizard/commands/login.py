"""`qbo-wizard login`: connect the profile to a QuickBooks company.

Methods (default: chosen for you):
- `loopback`: development keys with a browser on this computer;
- `paste-url`: prints the sign-in URL on its own line of standard output, then reads the
  address the browser landed on (from a prompt, or standard input when it is not a terminal);
- `paste-tokens`: reads a refresh token, then a realm ID, from the OAuth Playground.

Success prints the company name and ID and exits 0.
"""

from __future__ import annotations

import argparse
import sys

from qbo_wizard.commands.terminal import (
    can_open_browser,
    interactive,
    open_browser,
    read_line,
    read_until_parsed,
    say,
)
from qbo_wizard.core.connection.callback import (
    LOOPBACK_TIMEOUT_SECONDS,
    CallbackProblem,
    parse_redirect,
)
from qbo_wizard.core.connection.credentials import load_credentials, vault_for
from qbo_wizard.core.connection.environments import (
    PLAYGROUND_REDIRECT_URI,
    PLAYGROUND_URL,
    check_key_set,
    describe,
    normalise_simulator_url,
)
from qbo_wizard.core.connection.oauth import (
    METHODS,
    Authorization,
    ConnectProblem,
    MethodNotAllowed,
    PendingConnection,
    choose_method,
    connect_with_tokens,
    finish_with_code,
    open_loopback,
    save_connection,
    start_authorization,
    wait_for_loopback,
)
from qbo_wizard.core.connection.tokens import expiry_warnings
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.profile_store import profile_store


class ProfileMismatch(MethodNotAllowed):
    """`--simulator` / `--key-set` disagree with the keys saved for the profile."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options for choosing and steering the connect method."""
    parser.add_argument(
        "--method",
        choices=("auto", *METHODS),
        default="auto",
        help="how to connect (default: loopback for development keys on this computer, "
        "paste-url for production keys or over SSH)",
    )
    parser.add_argument("--key-set", metavar="SET", help="must match the saved keys' key set")
    parser.add_argument(
        "--simulator", metavar="URL", help="must match the simulator the keys were saved for"
    )
    parser.add_argument(
        "--port", type=int, metavar="N", help="loopback port (default: the registered one)"
    )
    parser.add_argument(
        "--redirect-uri",
        metavar="URL",
        help=f"paste-url: the registered HTTPS page to land on (default {PLAYGROUND_REDIRECT_URI})",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="loopback: print the URL, do not open it"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=LOOPBACK_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="loopback: how long to wait for the browser (default 600)",
    )
    parser.add_argument(
        "--allow-company-change",
        action="store_true",
        help="accept a different company from the one this profile was set up for",
    )


def _check_target(args: argparse.Namespace, profile: Profile) -> None:
    if args.key_set and check_key_set(args.key_set) != profile.key_set:
        raise ProfileMismatch(
            f"The keys saved for profile {profile.name!r} are {profile.key_set} keys. To use "
            f"{args.key_set} keys, run `qbo-wizard credentials --profile {profile.name} "
            f"--key-set {args.key_set}` first."
        )
    if args.simulator and (
        profile.environment != "simulator"
        or normalise_simulator_url(args.simulator) != profile.simulator_url
    ):
        raise ProfileMismatch(
            f"Profile {profile.name!r} is set up for {describe(profile)}. To use the simulator "
            f"at {args.simulator}, run `qbo-wizard credentials --profile {profile.name} "
            f"--simulator {args.simulator}` first."
        )


def _print_url(authorization: Authorization) -> None:
    print(authorization.url, flush=True)


def _loopback(args: argparse.Namespace, authorization: Authorization) -> PendingConnection:
    listener = open_loopback(authorization, timeout=args.timeout)
    say(f"Waiting for Intuit's page to come back to {authorization.redirect_uri} …")
    _print_url(authorization)
    if not args.no_browser and can_open_browser() and open_browser(authorization.url):
        say("Your browser should now show Intuit's sign-in page. Approve the connection there.")
    else:
        say(
            "Open the address above in a browser on this computer, sign in as a QuickBooks "
            "admin, and approve the connection. (Ctrl+C stops waiting.)"
        )
    return wait_for_loopback(authorization, listener)


def _paste_url(authorization: Authorization) -> PendingConnection:
    say(
        "Open the address above in any browser, sign in as a QuickBooks admin, pick the "
        "company and approve. The browser then lands on a page whose address contains "
        "'code=': copy that whole address from the address bar and paste it here."
    )
    _print_url(authorization)
    result = read_until_parsed(
        "Address: ",
        lambda text: parse_redirect(text, authorization.state),
        lambda error: isinstance(error, CallbackProblem) and error.incomplete,
    )
    say("Exchanging the sign-in code…")
    return finish_with_code(authorization, result)


def _paste_tokens(profile: Profile) -> PendingConnection:
    if interactive():
        say(
            f"In the OAuth Playground ({PLAYGROUND_URL}) pick this app, tick "
            "com.intuit.quickbooks.accounting, click 'Get authorization code', then 'Get "
            "tokens'. Copy the refresh token and the realm ID. Typing the token is hidden."
        )
    refresh_token = read_line("Refresh token: ", "refresh token", hidden=True)
    realm_id = read_line("Realm ID (company ID): ", "realm ID")
    say("Checking the tokens…")
    return connect_with_tokens(profile.name, refresh_token, realm_id)


def _confirm_company_change(args: argparse.Namespace, pending: PendingConnection) -> bool:
    change = pending.company_change()
    if change is None or args.allow_company_change:
        return True
    if not interactive():
        raise change
    say(str(change))
    answer = read_line(
        f"To switch this profile to {pending.company.name}, type its company ID "
        f"({pending.company.realm_id}); anything else keeps the old company: ",
        "confirmation",
    )
    if answer.strip() != pending.company.realm_id:
        kept = change.saved_name or change.saved_realm
        raise ConnectProblem(
            f"Kept this profile on {kept}; nothing was saved. To connect it again, run "
            "`qbo-wizard login` and pick that company on Intuit's page."
        )
    return True


def run(args: argparse.Namespace) -> int:
    """Connect, prove the connection with CompanyInfo, store it, and say which company."""
    vault_for(args.profile)
    profile = profile_store(args.profile).read()
    load_credentials(args.profile)  # no keys yet: say which command to run first
    _check_target(args, profile)
    method = choose_method(profile) if args.method == "auto" else args.method
    if method == "paste-tokens":
        pending = _paste_tokens(profile)
    else:
        authorization = start_authorization(
            args.profile, method, redirect_uri=args.redirect_uri, port=args.port
        )
        pending = (
            _loopback(args, authorization) if method == "loopback" else _paste_url(authorization)
        )
    allowed = _confirm_company_change(args, pending)
    saved = save_connection(pending, allow_company_change=allowed)
    print(f"Connected to {saved.company_name} (company ID {saved.realm_id}).", flush=True)
    for warning in expiry_warnings(pending.tokens, pending.tokens.issued_at):
        say(f"Note: {warning}")
    _say_if_handoff_due(saved)
    sys.stdout.flush()
    return 0


def _say_if_handoff_due(profile: Profile) -> None:
    """A hosted integration's vendor needs this new connection handed to them: say how."""
    from qbo_wizard.core.handoff.sealed import handoff_due

    plan = handoff_due(profile)
    if plan is not None:
        say(
            f"Note: {plan.vendor}'s systems use this connection, and this computer holds it "
            f"now. Hand it to them with `qbo-wizard handoff --profile {profile.name}`; until "
            "then their integration cannot reach QuickBooks."
        )
