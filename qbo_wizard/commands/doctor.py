"""`qbo-wizard doctor [--json] [--offline] [--refresh]`: check a profile's health.

Prints one line per check (verdict, what was checked, why) and the next command or wizard step
for anything that needs fixing. Exit codes: 0 healthy (warnings allowed), 1 problems found,
2 wrong usage, 4 reconnect required.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys

from qbo_wizard.core.health.doctor import render_text, run_doctor
from qbo_wizard.core.health.doctor_report import DoctorProgress, ProgressCallback


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--json, --offline and --refresh."""
    parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="only check this computer (profile, keyring, stored tokens and their expiry); "
        "no calls to Intuit",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="refresh the tokens even if the access token is still good (Intuit asks apps "
        "not to refresh early, so the doctor normally refreshes only when one is due)",
    )
    parser.epilog = (
        "Exit codes: 0 healthy (warnings allowed), 1 problems found, 2 wrong usage, "
        "4 reconnect required."
    )


def progress_printer() -> ProgressCallback | None:
    """A one-line 'Checking …' on standard error, only when someone is watching it."""
    if not sys.stderr.isatty():
        return None
    width = shutil.get_terminal_size((80, 24)).columns - 1

    def show(progress: DoctorProgress) -> None:
        if progress.result is not None and progress.index + 1 == progress.total:
            sys.stderr.write("\r" + " " * width + "\r")
        elif progress.result is None:
            detail = f": {progress.detail}" if progress.detail else ""
            line = f"Checking {progress.title.lower()}{detail}…"[:width]
            sys.stderr.write("\r" + line.ljust(width))
        sys.stderr.flush()

    return show


def run(args: argparse.Namespace) -> int:
    """Run the checks and print the report; the exit code follows the verdicts."""
    report = run_doctor(
        args.profile,
        live=not args.offline,
        force_refresh=args.refresh,
        on_progress=None if args.json else progress_printer(),
    )
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        width = max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
        print(render_text(report, width))
    return report.exit_code
