"""Open the wizard's terminal UI (the only command path that imports Textual)."""

from __future__ import annotations

import argparse

from qbo_wizard.core.problems import EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The wizard uses the top-level options (--profile, --demo, --presenter) only."""


def run(args: argparse.Namespace) -> int:
    """Start the terminal UI on the chosen profile (or a throwaway demo profile)."""
    from qbo_wizard.tui.launch import run_wizard

    result = run_wizard(
        profile_name=args.profile,
        demo=bool(getattr(args, "demo", False)),
        presenter=True if getattr(args, "presenter", False) else None,
    )
    return EXIT_OK if result is None else result
