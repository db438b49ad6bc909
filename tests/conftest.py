"""Shared fixtures: every test gets its own config folder and an in-memory keyring."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, settings

from qbo_wizard.core.connection.vault import MemoryKeyring, use_memory_keyring
from qbo_wizard.simulator.server import SimulatorServer

from .request_clock import RequestClock

# No hypothesis test is judged by how fast it runs: on a busy machine (CI shares two cores)
# a deadline or the too-slow health check fails tests that found nothing wrong. CI (CI set)
# also prints how to reproduce any failing example.
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "simulator_options(**kwargs): keyword arguments for the `simulator` fixture's "
        "SimulatorServer (e.g. throttle=True, rotate_every_refresh=True)",
    )


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point QBO_WIZARD_HOME at a fresh folder so no test touches a real profile."""
    home = tmp_path / "qbo-wizard-home"
    monkeypatch.setenv("QBO_WIZARD_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Unit tests store secrets in memory; the secret_service fixture swaps in the real thing."""
    previous = keyring.get_keyring()
    backend = use_memory_keyring()
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def secret_service() -> Iterator[None]:
    """Use the real Secret Service (gnome-keyring over D-Bus) for this test.

    `python3 dev.py test` provides one through scripts/with-secret-service. Outside it the test
    is skipped locally, but in CI (CI set) a missing Secret Service is a failure, never a skip.
    """
    if os.environ.get("QBO_WIZARD_SECRET_SERVICE") != "1":
        message = "needs a Secret Service: run the tests with `python3 dev.py test`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from keyring.backends import SecretService

    previous = keyring.get_keyring()
    keyring.set_keyring(SecretService.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def request_clock() -> RequestClock:
    """The clock the `simulator` fixture's request limits are measured on: it stands still."""
    return RequestClock()


@pytest.fixture
def simulator(
    request: pytest.FixtureRequest, request_clock: RequestClock
) -> Iterator[SimulatorServer]:
    """A running practice QuickBooks on 127.0.0.1 for this test only.

    Request throttling is off unless the test asks for it with
    `@pytest.mark.simulator_options(throttle=True)`. When on, Intuit's 10-a-second limit is
    measured on `request_clock`, which stands still: the eleventh request is refused however slow
    the machine, and the second moves on only when the test (or the client's
    `sleep=request_clock.sleep`) moves it. Other SimulatorServer arguments can be given the same
    way.
    """
    marker = request.node.get_closest_marker("simulator_options")
    options = {
        "throttle": False,
        "throttle_clock": request_clock,
        **(marker.kwargs if marker else {}),
    }
    server = SimulatorServer(port=0, **options).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def free_port_simulator() -> Iterator[SimulatorServer]:
    """A simulator whose registered loopback redirect (`http://localhost:N/callback`) uses a
    port that is free right now, for tests that run the wizard's loopback listener (the
    default 8765 may be taken by another test run on the same machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = SimulatorServer(port=0, throttle=False, loopback_port=port).start()
    try:
        yield server
    finally:
        server.stop()
