"""Driving a connection against the practice QuickBooks the way a user would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import keyring
import requests

from qbo_wizard.core.connection.callback import parse_redirect
from qbo_wizard.core.connection.credentials import Credentials, store_credentials
from qbo_wizard.core.connection.oauth import finish_with_code, save_connection, start_authorization
from qbo_wizard.core.connection.tokens import TokenSet, refresh_lock
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
    """An in-process simulator with throttling off and a free registered loopback port."""
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


def expire_stored_access(profile: str) -> str:
    """Mark the stored access token expired (as an hour passing would), under the profile's
    refresh lock like any other writer, so the next `token` call refreshes; the new entry."""
    with refresh_lock(profile):
        tokens = TokenSet.from_json(keyring_entry(profile) or "")
        entry = tokens.expired_access().to_json()
        keyring.set_password(f"qbo-wizard/{profile}", "tokens", entry)
    return entry


# --- separate processes ------------------------------------------------------------------------

QBO = str(Path(sys.executable).with_name("qbo-wizard"))
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"


class SimulatorProcess:
    """`qbo-wizard simulator` in its own process, for tests where many processes share it."""

    def __init__(self, *flags: str) -> None:
        self.loopback_port = free_port()
        self.process = subprocess.Popen(
            [
                QBO,
                "simulator",
                "--port",
                "0",
                "--loopback-port",
                str(self.loopback_port),
                "--no-throttle",
                *flags,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.info: dict[str, Any] = json.loads(self.process.stdout.readline())
        self.url: str = self.info["url"]

    def control(self, action: str, **params: Any) -> dict[str, Any]:
        answer = requests.post(
            f"{self.url}/_simulator/control", json={"action": action, **params}, timeout=10
        )
        assert answer.ok, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def refresh(self, refresh_token: str, key_set: str = "development") -> requests.Response:
        """A raw refresh at the token endpoint (does not go through the wizard)."""
        found = self.info["keys"][key_set]
        return requests.post(
            f"{self.url}/oauth2/v1/tokens/bearer",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=(found["client_id"], found["client_secret"]),
            headers={"Accept": "application/json"},
            timeout=10,
        )

    def company_info(self, access_token: str, realm_id: str) -> requests.Response:
        return requests.get(
            f"{self.info['api_base_url']}/company/{realm_id}/companyinfo/{realm_id}",
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            params={"minorversion": "75"},
            timeout=10,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def cli_environment(home: Path, **extra: str) -> dict[str, str]:
    """What a `qbo-wizard` child process gets: the test's folder and the real Secret Service."""
    return {
        **os.environ,
        "QBO_WIZARD_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": SECRET_SERVICE_BACKEND,
        **extra,
    }


def run_qbo(
    args: list[str], home: Path, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QBO, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=cli_environment(home, **extra),
        timeout=120,
        check=False,
    )


def keys_input(sim: Any, key_set: str = "development") -> str:
    found = sim.info["keys"][key_set]
    return f"{found['client_id']}\n{found['client_secret']}\n"


def cli_save_keys(sim: Any, profile: str, home: Path, key_set: str = "development") -> str:
    done = run_qbo(
        ["credentials", "--profile", profile, "--key-set", key_set, "--simulator", sim.url],
        home,
        stdin=keys_input(sim, key_set),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class CliLogin:
    """`qbo-wizard login` running in the background, as a script drives it."""

    def __init__(self, profile: str, home: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [QBO, "login", "--profile", profile, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_environment(home),
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def finish(self, stdin: str = "") -> tuple[int, str, str]:
        out, err = self.process.communicate(stdin, timeout=60)
        return self.process.returncode, out, err


def cli_connect(sim: Any, profile: str, home: Path, realm_id: str = US_REALM) -> None:
    """Keys and a paste-url connection, each through its own `qbo-wizard` process."""
    cli_save_keys(sim, profile, home)
    login = CliLogin(profile, home, "--method", "paste-url")
    code, _, err = login.finish(approve(sim, login.url, realm_id) + "\n")
    assert code == 0, err
