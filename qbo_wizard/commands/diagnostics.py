"""`qbo-wizard diagnostics [-o FILE] [--yes] [--offline]`: a support bundle without secrets.

The bundle is printed first, so the person sending it sees every line. On a terminal the
command then asks before writing the file; `--yes` writes it without asking (scripts). With
neither a terminal nor `--yes` it only prints, and says how to save it. The file is readable by
its owner only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qbo_wizard.commands.doctor import progress_printer
from qbo_wizard.commands.terminal import interactive, say
from qbo_wizard.core.health.diagnostics import build_bundle, write_bundle
from qbo_wizard.core.problems import EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """-o FILE, --yes and --offline."""
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        help="where to write the bundle (default: qbo-wizard-support-PROFILE-TIME.txt here)",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="write the file without asking (for scripts); it is still printed first",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="leave out the live health checks (no calls to Intuit)",
    )


def _confirmed(path: Path) -> bool:
    replacing = " (replacing the file already there)" if path.exists() else ""
    sys.stderr.write(f"Write this to {path}{replacing}? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    """Print the bundle; write it when confirmed (or with --yes)."""
    bundle = build_bundle(args.profile, live=not args.offline, on_progress=progress_printer())
    path: Path = args.output or Path(bundle.default_filename)
    print(bundle.text, end="", flush=True)
    print(file=sys.stderr)
    if args.yes:
        write_bundle(bundle, path)
    elif interactive():
        if not _confirmed(path):
            say("Nothing was written.")
            return EXIT_OK
        write_bundle(bundle, path, replace=True)
    else:
        say(
            "The bundle above was not written to a file: no one could be asked to confirm "
            "(standard input is not a terminal). Run again with --yes to write it to "
            f"{path}, or save this output yourself, for example: "
            f"qbo-wizard diagnostics --profile {args.profile} > bundle.txt"
        )
        return EXIT_OK
    say(
        f"Wrote the support bundle to {path} (readable by you only). Read it, then send it "
        "to your integration's support team. It contains no secrets."
    )
    return EXIT_OK
