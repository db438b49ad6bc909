"""The support bundle's two lines of defence, and what a screen needs from it."""

from __future__ import annotations

import random
import string
from datetime import datetime, timezone

from qbo_wizard.core.connection.credentials import Credentials
from qbo_wizard.core.connection.keyring_entries import CLIENT_SECRET
from qbo_wizard.core.connection.vault import Vault
from qbo_wizard.core.health.diagnostics import build_bundle
from qbo_wizard.core.health.doctor import run_doctor
from qbo_wizard.core.health.errorlog import log_path, record_failure
from qbo_wizard.core.profile import load_profile, save_profile
from qbo_wizard.core.redact import fingerprint
from qbo_wizard.simulator.server import SimulatorServer
from tests.doctor_helpers import connected


def letters_only(length: int = 40) -> str:
    """A key with no digit at all: real Intuit secrets are like this now and then, and no
    pattern-based rule recognises one as a secret."""
    return "".join(random.choice(string.ascii_letters) for _ in range(length))


def test_a_secret_no_rule_would_spot_stays_out_of_the_log_once_the_wizard_held_it() -> None:
    secret = letters_only()
    Credentials("AB" + letters_only(48), secret)  # as when the keys are read or typed in
    record_failure("acme", source="oauth", code="invalid_client", message=f"sent {secret} !")
    text = log_path("acme").read_text()
    assert secret not in text
    assert f"[redacted {fingerprint(secret)}]" in text


def test_keyring_values_are_scrubbed_from_the_bundle_wherever_they_turn_up(
    simulator: SimulatorServer,
) -> None:
    connected(simulator)
    # A secret that this process never held as keys, pasted by hand into a setting.
    secret = letters_only()
    Vault("acme").set(CLIENT_SECRET, secret)
    profile = load_profile("acme")
    profile.extra["note"] = f"secret is {secret}"
    save_profile(profile)
    bundle = build_bundle("acme", live=False)
    assert secret not in bundle.text
    assert f"note                  secret is [redacted {fingerprint(secret)}]" in bundle.text


def test_a_screen_can_reuse_the_results_it_already_shows(simulator: SimulatorServer) -> None:
    connected(simulator)
    report = run_doctor("acme", live=False)
    moment = datetime(2026, 5, 1, 9, 30, 5, tzinfo=timezone.utc)
    bundle = build_bundle("acme", doctor_report=report, now=moment)
    assert bundle.doctor is report
    assert bundle.default_filename == "qbo-wizard-support-acme-20260501-093005.txt"
    assert "created               2026-05-01T09:30:05Z" in bundle.text
