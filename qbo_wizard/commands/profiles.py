"""`qbo-wizard profiles`: list the saved setups and where they live."""

from __future__ import annotations

import argparse

from qbo_wizard.core.paths import config_home, list_profiles


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """This command takes no options of its own."""


def run(args: argparse.Namespace) -> int:
    """Print one profile name per line, then the folder they are kept in."""
    names = list_profiles()
    for name in names:
        print(name)
    if not names:
        print("No profiles yet. Run `qbo-wizard` to create the default one.")
    print(f"(kept in {config_home() / 'profiles'})")
    return 0
