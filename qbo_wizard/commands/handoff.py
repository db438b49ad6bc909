"""`qbo-wizard handoff`: seal the connection for a hosted integration's vendor.

    qbo-wizard handoff --profile P [--recipient age1…]… [--output FILE]
    qbo-wizard handoff open --identity KEY_FILE FILE

The first seals the profile's connection (keys, company, tokens, expiry times) with age to the
vendor's public key: to a new file (0600, never replacing one) with `--output`, else as
ASCII-armoured text on standard output, for a support ticket. Exit code 0 means it was sealed,
delivered and recorded: this computer then no longer uses the connection (one holder of a
refresh token Intuit rotates). `--recipient` (repeatable) overrides the integration's key.

`open` is the vendor's side: it prints the connection as one JSON object. It holds live secrets,
so it goes into a pipe or a file, never onto a terminal unless `--reveal` asks for that.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qbo_wizard.commands.terminal import say
from qbo_wizard.core.problems import UsageError


class ConnectionOnScreen(UsageError):
    """Standard output is a terminal: the opened connection would be shown to anyone watching."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Who to seal to and where the sealed copy goes; or `open` for the vendor's side."""
    parser.add_argument(
        "--recipient",
        action="append",
        default=[],
        metavar="AGE1…",
        help="seal to this age public key instead of the integration's (repeat for several)",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        type=Path,
        help="write the sealed file here (a new file, never replacing one); "
        "without it, armoured text goes to standard output",
    )
    parser.add_argument(
        "--vendor",
        metavar="NAME",
        help="who receives it, as the profile will record it (default: the integration's vendor)",
    )
    actions = parser.add_subparsers(
        dest="handoff_action", metavar="open", title="the vendor's side"
    )
    opener = actions.add_parser(
        "open",
        help="open a hand-off with your age identity and print the connection as JSON",
        description="Open a hand-off with your age identity and print the connection as JSON.",
    )
    opener.add_argument(
        "--identity",
        metavar="KEY_FILE",
        type=Path,
        required=True,
        help="the age identity file (from `age-keygen -o KEY_FILE`) whose key it was sealed to",
    )
    opener.add_argument("file", metavar="FILE", help="the hand-off file, or - for pasted text")
    opener.add_argument(
        "--reveal",
        action="store_true",
        help="print the connection even when the output is a terminal",
    )


def run(args: argparse.Namespace) -> int:
    """Seal and record, or open."""
    if args.handoff_action == "open":
        return _open(args)
    return _seal(args)


def _seal(args: argparse.Namespace) -> int:
    from qbo_wizard.core.handoff.record import ONE_HOLDER_WHY
    from qbo_wizard.core.handoff.sealed import hand_off, plan_for, short_key, write_new_file
    from qbo_wizard.core.profile_store import profile_store

    profile = profile_store(args.profile).read()
    plan = plan_for(profile, args.recipient, args.vendor)
    output: Path | None = args.output

    written: list[Path] = []

    def deliver(sealed: bytes) -> str:
        if output is not None:
            write_new_file(output, sealed)
            written.append(output)
            return str(output.resolve())
        sys.stdout.write(sealed.decode("ascii"))
        sys.stdout.flush()
        return "text"

    try:
        result = hand_off(args.profile, plan, deliver, armored=output is None)
    except BaseException:
        for path in written:  # not recorded: a copy nobody should use is not left behind
            path.unlink(missing_ok=True)
        raise
    keys = ", ".join(short_key(key) for key in plan.recipients)
    where = f"Wrote {output}" if output is not None else "Printed the armoured text above"
    say(
        f"qbo-wizard: {where}: the connection of profile {args.profile!r}, sealed to {keys} "
        f"for {plan.vendor}{f' ({plan.contact})' if plan.contact else ''}. Only their age "
        "identity opens it, so it is safe to attach to a ticket or an email."
    )
    say(
        f"qbo-wizard: Recorded as {result.record.holder_sentence()}. This computer no longer "
        f"uses or refreshes the connection: {ONE_HOLDER_WHY}"
    )
    if not result.local_copy_removed:
        say(
            "qbo-wizard: The keyring would not remove this computer's copy of the tokens; "
            "qbo-wizard will not use it, and `qbo-wizard logout --keep-keys` removes it later."
        )
    return 0


def _on_a_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _open(args: argparse.Namespace) -> int:
    import json

    from qbo_wizard.core.handoff.sealed import HandoffProblem, open_handoff

    if _on_a_terminal() and (getattr(args, "presenter", False) or not args.reveal):
        raise ConnectionOnScreen(
            "Not printed: the output is a terminal, and the connection holds live secrets that "
            "anyone who sees them could use. Send it to your systems instead, for example "
            f"`qbo-wizard handoff open --identity {args.identity} {args.file} | your-import`, "
            "or add --reveal to show it here anyway (never in --presenter mode)."
        )
    if args.file == "-":
        ciphertext = sys.stdin.buffer.read()
    else:
        try:
            ciphertext = Path(args.file).read_bytes()
        except OSError as exc:
            raise HandoffProblem(
                f"{args.file} could not be read ({exc.strerror or type(exc).__name__})."
            ) from None
    connection = open_handoff(ciphertext, args.identity)
    print(json.dumps(connection, indent=2), flush=True)
    return 0
