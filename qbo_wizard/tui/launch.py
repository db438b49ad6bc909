"""Build and run the wizard app: a real profile, or demo mode on a throwaway one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from qbo_wizard.core.paths import HOME_ENV_VAR
from qbo_wizard.core.profile import Profile, load_profile
from qbo_wizard.tui.session import DemoInfo

DEMO_PROFILE = "demo"


@contextmanager
def demo_environment() -> Iterator[DemoInfo]:
    """A throwaway config folder and an in-memory keyring, removed again afterwards."""
    from qbo_wizard.core.vault import use_memory_keyring

    home = tempfile.mkdtemp(prefix="qbo-wizard-demo-")
    previous_home = os.environ.get(HOME_ENV_VAR)
    os.environ[HOME_ENV_VAR] = home
    use_memory_keyring()
    try:
        yield DemoInfo(home=home)
    finally:
        if previous_home is None:
            os.environ.pop(HOME_ENV_VAR, None)
        else:
            os.environ[HOME_ENV_VAR] = previous_home
        shutil.rmtree(home, ignore_errors=True)


def demo_profile() -> Profile:
    """The practice profile demo mode opens on."""
    return Profile(name=DEMO_PROFILE, environment="simulator", key_set="development")


def run_wizard(*, profile_name: str, demo: bool, presenter: bool | None) -> int | None:
    """Run the wizard until the user quits; returns the app's exit code."""
    from qbo_wizard.tui.app import WizardApp

    if demo:
        with demo_environment() as info:
            return WizardApp(demo_profile(), presenter=presenter, demo=info).run()
    profile = load_profile(profile_name)
    return WizardApp(profile, presenter=presenter).run()
