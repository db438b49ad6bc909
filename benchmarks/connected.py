"""Profiles connected to a running practice QuickBooks, the way step 6 leaves them.

Tokens come from the simulator's `mint_tokens` control action (no consent page), so setting a
profile up costs no Accounting API call and does not count against what is measured.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from typing import Any

import requests

from benchmarks.common import PYTHON, ROOT, child_environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def control(simulator_url: str, action: str, **params: Any) -> dict[str, Any]:
    """One simulator control action over HTTP; its JSON answer."""
    answer = requests.post(
        f"{simulator_url}/_simulator/control", json={"action": action, **params}, timeout=30
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def mint(simulator_url: str, realm_id: str) -> dict[str, Any]:
    """A token response for a new connection to `realm_id` (development keys)."""
    tokens: dict[str, Any] = control(simulator_url, "mint_tokens", realm_id=realm_id)["tokens"]
    return tokens


def quiet_second() -> None:
    """Wait (untimed) until the requests of the last second leave Intuit's per-second window,
    so a run starts with the company's whole allowance, not what the run before it left."""
    time.sleep(1.05)


def connect_profile(simulator_url: str, profile_name: str, realm_id: str) -> None:
    """Store development keys and fresh tokens for `realm_id` in the profile (no API calls),
    with the company's name and country, as step 6 keeps them from its CompanyInfo read."""
    from qbo_wizard.core.connection.credentials import Credentials, store_credentials
    from qbo_wizard.core.connection.intuit import TokenResponse
    from qbo_wizard.core.connection.tokens import TokenSet, store_new_connection
    from qbo_wizard.core.profile import load_profile, save_profile

    info = requests.get(f"{simulator_url}/_simulator/info", timeout=10).json()
    keys = info["keys"]["development"]
    store_credentials(
        profile_name,
        "development",
        Credentials(keys["client_id"], keys["client_secret"]),
        simulator_url=simulator_url,
        verify=False,
    )
    answer = TokenResponse(mint(simulator_url, realm_id), intuit_tid=None)
    store_new_connection(profile_name, TokenSet.from_response(answer, realm_id, time.time()))
    profile = load_profile(profile_name)
    profile.realm_id = realm_id
    company = next(c for c in info["companies"] if c["realm_id"] == realm_id)
    profile.company_name, profile.country = company["name"], company["country"]
    save_profile(profile)


class SimulatorProcess:
    """The practice QuickBooks in its own process (`benchmarks/scaled.py`: the simulator's
    companies plus two sized for scaling), so its work is not timed as the client's and a
    client under test shares no interpreter lock with it. Throttling is off unless asked."""

    def __init__(self, *, throttle: bool = False) -> None:
        command = [PYTHON, str(ROOT / "benchmarks" / "scaled.py")]
        if throttle:
            command.append("--throttle")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=child_environment(),
        )
        assert self.process.stdout is not None
        self.info: dict[str, Any] = json.loads(self.process.stdout.readline())
        self.url: str = self.info["url"]

    def set_throttle(self, enabled: bool) -> None:
        """Turn Intuit's limits (10 requests a second, 500 a minute per company) on or off."""
        control(self.url, "set_throttle", enabled=enabled)

    def counts(self, reset: bool = False) -> dict[str, int]:
        """Requests the simulator has received, by route (see its `request_counts` action)."""
        counts: dict[str, int] = control(self.url, "request_counts", reset=reset)["counts"]
        return counts

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.terminate()
        self.process.wait(timeout=10)

    def __enter__(self) -> SimulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
