"""`qbo-wizard simulator` as a script would run it: JSON line first, then serve until stopped."""

from __future__ import annotations

import json
import os
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


@pytest.fixture
def running() -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [*COMMAND, "--port", "0", "--no-throttle"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "0"},
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


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
