"""`qbo-wizard serve`: the same wizard in a browser tab, on this computer only.

textual-serve starts one wizard process per browser tab, running as the user on their real
profile and keyring, so the server admits only the person who started it: it listens on
127.0.0.1 only, prints one address carrying a fresh per-launch secret, and checks the Host and
the WebSocket's Origin of every request (see `qbo_wizard.web.guard`). Served in a browser, the
wizard starts in presenter mode (short company IDs, no reveal) and connects by pasting the
address the browser lands on.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from qbo_wizard.core.problems import EXIT_OK

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
HIGHEST_PORT = 65535
TITLE = "qbo-wizard · setup wizard"


def port_number(text: str) -> int:
    """A port from the command line: a whole number from 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= HIGHEST_PORT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port: use a whole number from 1 to {HIGHEST_PORT}, "
            "or 0 for any free port"
        )
    return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Only the port can be chosen; the address is always this computer."""
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port on 127.0.0.1 to serve on (default {DEFAULT_PORT}; 0 picks any free port)",
    )


def wizard_command(args: argparse.Namespace) -> str:
    """The command each browser tab runs: this Python, the chosen profile, and demo mode."""
    words = [sys.executable, "-m", "qbo_wizard", "--profile", args.profile]
    if getattr(args, "demo", False):
        words.append("--demo")
    return shlex.join(words)


def build_server(args: argparse.Namespace) -> Any:
    """The guarded textual-serve server for these options (not listening yet)."""
    from qbo_wizard.web.guard import guarded_server_class

    return guarded_server_class()(wizard_command(args), port=args.port, title=TITLE)


def run(args: argparse.Namespace) -> int:
    """Listen (a busy port is reported in words), print the address to open, serve until Ctrl+C."""
    server = build_server(args)
    address = server.listen()
    print(
        f"Open this address in a browser on this computer:\n\n    {address}\n\n"
        "It carries a secret made for this run only: anyone without it is refused, so keep it "
        "to yourself. Ctrl+C stops the server.",
        flush=True,
    )
    server.serve()
    return EXIT_OK
