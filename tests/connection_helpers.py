"""Driving a connection against the practice QuickBooks the way a user would."""

from __future__ import annotations

import socket
from typing import Any

import keyring

from qbo_wizard.core.callback import parse_redirect
from qbo_wizard.core.credentials import Credentials, store_credentials
from qbo_wizard.core.oauth import finish_with_code, save_connection, start_authorization
from qbo_wizard.core.profile import KeySet, Profile
from qbo_wizard.simulator.server import SimulatorServer
from tests.simulator.helpers import consent

US_REALM = "9341452962835018"
UK_REALM = "9341452962835139"
LARGE_REALM = "9341452962835260"
PRODUCTION_REALM = "123146096291789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_simulator(**options: Any) -> SimulatorServer:
    """A simulator whose registered loopback port is free on this machine right now."""
    settings = {"throttle": False, "loopback_port": free_port(), **options}
    return SimulatorServer(port=0, **settings).start()


def keys(sim: SimulatorServer, key_set: str = "development") -> Credentials:
    found = sim.info["keys"][key_set]
    return Credentials(found["client_id"], found["client_secret"])


def save_keys(
    sim: SimulatorServer, profile: str = "default", key_set: KeySet = "development"
) -> Profile:
    return store_credentials(profile, key_set, keys(sim, key_set), sim.url)


def approve(
    sim: SimulatorServer, authorize_url: str, realm_id: str, decision: str = "allow"
) -> str:
    """Press Connect (or Cancel) on the consent page; the address the browser is sent to."""
    answer = consent(sim, authorize_url, realm_id, decision)
    assert answer.status_code == 302, answer.text
    return str(answer.headers["Location"])


def connect_by_paste(
    sim: SimulatorServer, profile: str = "default", realm_id: str = US_REALM
) -> Profile:
    """A complete paste-url connection, saved."""
    authorization = start_authorization(profile, "paste-url")
    landed = approve(sim, authorization.url, realm_id)
    pending = finish_with_code(authorization, parse_redirect(landed, authorization.state))
    return save_connection(pending)


def keyring_entry(profile: str, name: str = "tokens") -> str | None:
    value: str | None = keyring.get_password(f"qbo-wizard/{profile}", name)
    return value
