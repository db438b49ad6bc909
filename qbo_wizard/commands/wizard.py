"""Open the wizard's terminal UI (the only command path that imports Textual)."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    """Start the terminal UI on the chosen profile."""
    print(
        "The wizard's screens are not installed in this build yet. "
        "Try `qbo-wizard --help` for the commands available.",
        file=sys.stderr,
    )
    return 1
