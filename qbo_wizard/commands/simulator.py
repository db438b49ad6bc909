"""`qbo-wizard simulator`: run the practice QuickBooks until stopped.

The first line on standard output is one JSON object (discovery URL, API base URL, both key sets
and the practice companies), so scripts can start it with `--port 0` and read where it listens.
Ctrl+C or SIGTERM stops it cleanly with exit code 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from qbo_wizard.core.problems import EXIT_OK, UsageError, WizardError
from qbo_wizard.simulator.scenarios import SCENARIO_NAMES

DEFAULT_PORT = 8770


class SimulatorStartError(WizardError):
    """The simulator could not start (for example, its port is taken)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port on 127.0.0.1 to listen on; 0 picks a free one (default: {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--loopback-port",
        type=int,
        default=8765,
        metavar="N",
        help="port of the wizard's own callback listener, registered as "
        "http://localhost:N/callback on the development keys (default: 8765)",
    )
    parser.add_argument(
        "--no-throttle",
        action="store_true",
        help="do not limit requests to 10 a second and 500 a minute per company",
    )
    parser.add_argument(
        "--rotate-every-refresh",
        action="store_true",
        help="give out a new refresh token on every refresh (default: once a simulated day)",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME[@REALM]",
        help="rehearse a failure: "
        + ", ".join(SCENARIO_NAMES)
        + ". takeover and password-change happen right after the next successful API call; "
        "the others stay on. Repeat for several.",
    )
    parser.add_argument(
        "--seed",
        metavar="TEXT",
        help="derive the app's keys from TEXT, so they are the same on every start",
    )


def _scenarios(values: list[str]) -> list[tuple[str, str | None]]:
    chosen = []
    for value in values:
        name, _, realm = value.partition("@")
        if name not in SCENARIO_NAMES:
            raise UsageError(
                f"Unknown scenario {name!r}. Choose one of: {', '.join(SCENARIO_NAMES)}."
            )
        chosen.append((name, realm or None))
    return chosen


def run(args: argparse.Namespace) -> int:
    from qbo_wizard.simulator.server import SimulatorServer

    scenarios = _scenarios(args.scenario)
    simulator = SimulatorServer(
        port=args.port,
        throttle=not args.no_throttle,
        rotate_every_refresh=args.rotate_every_refresh,
        loopback_port=args.loopback_port,
        seed=args.seed,
    )
    for name, realm in scenarios:
        when = "next-call" if name in ("takeover", "password-change") else "now"
        try:
            simulator.control("scenario", name=name, realm_id=realm, when=when)
        except ValueError as error:
            raise UsageError(f"{error}. The realm IDs are listed in the JSON line.") from None
    try:
        simulator.start()
    except OSError as error:
        raise SimulatorStartError(
            f"The practice QuickBooks could not listen on 127.0.0.1:{args.port} "
            f"({error.strerror}). Choose another port with --port, or --port 0 for any free one."
        ) from None
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        sys.stdout.write(json.dumps(simulator.info) + "\n")
        sys.stdout.flush()
        print(
            f"Practice QuickBooks is running at {simulator.url} "
            f"(control panel: {simulator.url}/_simulator/). Press Ctrl+C to stop.",
            file=sys.stderr,
            flush=True,
        )
        while not stopping.wait(0.5):
            pass
    finally:
        simulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK
