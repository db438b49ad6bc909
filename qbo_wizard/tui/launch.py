"""Build and run the wizard app: a real profile, or demo mode on a throwaway one."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from qbo_wizard.core.paths import HOME_ENV_VAR
from qbo_wizard.core.profile import Profile, load_profile
from qbo_wizard.tui.session import DemoInfo

DEMO_PROFILE = "demo"


def _loopback_port() -> int:
    """The usual loopback port when it is free, else any free one (the simulator registers it)."""
    from qbo_wizard.core.callback import port_is_free
    from qbo_wizard.core.environments import DEFAULT_LOOPBACK_PORT

    if port_is_free(DEFAULT_LOOPBACK_PORT):
        return DEFAULT_LOOPBACK_PORT
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def demo_environment() -> Iterator[DemoInfo]:
    """The practice QuickBooks on 127.0.0.1, a throwaway config folder and an in-memory
    keyring; all of it is gone again afterwards."""
    from qbo_wizard.core.vault import use_memory_keyring
    from qbo_wizard.simulator.server import SimulatorServer

    home = tempfile.mkdtemp(prefix="qbo-wizard-demo-")
    previous_home = os.environ.get(HOME_ENV_VAR)
    os.environ[HOME_ENV_VAR] = home
    use_memory_keyring()
    simulator = SimulatorServer(port=0, loopback_port=_loopback_port(), seed="demo").start()
    keys = simulator.info["keys"]["development"]
    try:
        yield DemoInfo(
            home=home,
            simulator_url=simulator.url,
            prefill={"client_id": keys["client_id"], "client_secret": keys["client_secret"]},
        )
    finally:
        simulator.stop()
        if previous_home is None:
            os.environ.pop(HOME_ENV_VAR, None)
        else:
            os.environ[HOME_ENV_VAR] = previous_home
        shutil.rmtree(home, ignore_errors=True)


def demo_profile(info: DemoInfo) -> Profile:
    """The practice profile demo mode opens on: development keys against the simulator."""
    return Profile(
        name=DEMO_PROFILE,
        environment="simulator",
        key_set="development",
        simulator_url=info.simulator_url,
    )


def run_wizard(*, profile_name: str, demo: bool, presenter: bool | None) -> int | None:
    """Run the wizard until the user quits; returns the app's exit code."""
    from qbo_wizard.tui.app import WizardApp

    if demo:
        with demo_environment() as info:
            return WizardApp(demo_profile(info), presenter=presenter, demo=info).run()
    profile = load_profile(profile_name)
    return WizardApp(profile, presenter=presenter).run()
