"""`qbo-wizard simulator` as a script would run it: JSON line first, then serve until stopped."""

from __future__ import annotations

import json
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from qbo_wizard.cli import main
from qbo_wizard.simulator.companies import UK_REALM, US_REALM

COMMAND = [str(Path(sys.executable).with_name("qbo-wizard")), "simulator"]


def _first_line(process: subprocess.Popen[str], deadline: float = 15.0) -> str:
    """Wait for the first stdout line (a generous upper bound, not a timing assertion)."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    ready = selector.select(timeout=deadline)
    selector.close()
    assert ready, "the simulator printed nothing"
    return process.stdout.readline()


def _start(*options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@pytest.fixture
def running() -> Iterator[subprocess.Popen[str]]:
    process = _start("--no-throttle")
    try:
        yield process
    finally:
        _finish(process)


@pytest.fixture
def rehearsing() -> Iterator[subprocess.Popen[str]]:
    process = _start("--scenario", f"outage@{UK_REALM}", "--scenario", f"takeover@{US_REALM}")
    try:
        yield process
    finally:
        _finish(process)


def test_scenario_flags_apply_from_the_start(rehearsing: subprocess.Popen[str]) -> None:
    info = json.loads(_first_line(rehearsing))

    def mint(realm: str) -> str:
        answer = requests.post(
            info["control_url"], json={"action": "mint_tokens", "realm_id": realm}, timeout=5
        )
        token: str = answer.json()["tokens"]["access_token"]
        return token

    def company_info(realm: str, token: str) -> int:
        url = f"{info['api_base_url']}/company/{realm}/companyinfo/{realm}"
        answer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        return answer.status_code

    assert company_info(UK_REALM, mint(UK_REALM)) == 503
    us_token = mint(US_REALM)
    assert company_info(US_REALM, us_token) == 200  # the takeover comes after this call
    assert company_info(US_REALM, us_token) == 401
    rehearsing.terminate()
    assert rehearsing.wait(timeout=10) == 0


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_prints_info_json_first_serves_and_stops_cleanly(
    running: subprocess.Popen[str], stop_signal: signal.Signals
) -> None:
    info = json.loads(_first_line(running))
    assert info["api_base_url"].startswith("http://127.0.0.1:")
    assert set(info["keys"]) == {"development", "production"}
    served = requests.get(
        info["discovery_url"].replace("/.well-known/openid_configuration/", "/_simulator/info"),
        timeout=5,
    )
    assert served.json() == info
    running.send_signal(stop_signal)
    assert running.wait(timeout=10) == 0


def test_unknown_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulator", "--port", "0", "--scenario", "meteor-strike"]) == 2
    assert "Unknown scenario 'meteor-strike'" in capsys.readouterr().err


def test_a_taken_port_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["simulator", "--port", str(port)]) == 1
    message = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in message
    assert "--port 0" in message


def test_the_simulator_imports_nothing_of_the_app_and_no_textual() -> None:
    probe = (
        "import sys\n"
        "from qbo_wizard.cli import main\n"
        "import qbo_wizard.simulator.server\n"
        "code = main(['simulator', '--help'])\n"
        "names = ('qbo_wizard.tui', 'textual')\n"
        "print(sorted(m for m in sys.modules if m.startswith(names)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert "--rotate-every-refresh" in done.stdout
    source = Path(__file__).parents[2] / "qbo_wizard" / "simulator"
    for module in source.glob("*.py"):
        text = module.read_text()
        assert "qbo_wizard.core" not in text and "qbo_wizard.tui" not in text, module.name
