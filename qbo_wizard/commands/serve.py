"""`qbo-wizard serve`: the same wizard in a browser tab, on this computer only.

textual-serve starts one wizard process per browser tab. The server listens on 127.0.0.1 and has
no login of its own, so it is never offered to other computers. Served in a browser, the wizard
starts in presenter mode (short company IDs, no reveal) and connects by pasting the address the
browser lands on.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from qbo_wizard.core.problems import EXIT_OK

HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Only the port can be chosen; the address is always this computer."""
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port on 127.0.0.1 to serve on (default {DEFAULT_PORT})",
    )


def wizard_command(args: argparse.Namespace) -> str:
    """The command each browser tab runs: this Python, the chosen profile, and demo mode."""
    words = [sys.executable, "-m", "qbo_wizard", "--profile", args.profile]
    if getattr(args, "demo", False):
        words.append("--demo")
    return shlex.join(words)


def build_server(args: argparse.Namespace) -> Any:
    """The textual-serve server for these options (not started)."""
    from textual_serve.server import Server

    return Server(
        wizard_command(args), host=HOST, port=args.port, title="qbo-wizard · setup wizard"
    )


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C."""
    server = build_server(args)
    print(f"Open {server.public_url} in a browser on this computer. Ctrl+C stops the server.")
    server.serve()
    return EXIT_OK
