"""The scripting contract, end to end: credentials, login (three methods), token, logout.

Every command runs as its own `qbo-wizard` process sharing the real Secret Service, as support
scripts and integrations run it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from qbo_wizard.core.connection.tokens import TokenSet
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import (
    UK_REALM,
    US_REALM,
    CliLogin,
    approve,
    cli_save_keys,
    keyring_entry,
    run_qbo,
)


@pytest.fixture
def sim(simulator: SimulatorServer) -> SimulatorServer:
    return simulator


def test_paste_url_login_follows_the_scripting_contract(
    sim: SimulatorServer, shared_profile: str, isolated_home: Path
) -> None:
    saved = cli_save_keys(sim, shared_profile, isolated_home)
    assert saved.startswith("Saved the development keys (client ID AB")
    login = CliLogin(shared_profile, isolated_home, "--method", "paste-url")
    assert login.url.startswith(sim.url + "/connect/oauth2?")
    landed = approve(sim, login.url, US_REALM)
    code, out, err = login.finish(landed[:70] + "\n" + landed[70:] + "\n")  # wrapped, too
    assert code == 0, err
    assert out.strip() == f"Connected to Bluewater Freight Brokers LLC (company ID {US_REALM})."
    token = run_qbo(["token", "--profile", shared_profile], isolated_home)
    assert token.returncode == 0 and token.stderr == ""
    assert len(token.stdout.splitlines()) == 1
    answer = requests.get(
        f"{sim.api_base_url}/company/{US_REALM}/companyinfo/{US_REALM}",
        headers={"Authorization": f"Bearer {token.stdout.strip()}", "Accept": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 200
    logout = run_qbo(["logout", "--profile", shared_profile], isolated_home)
    assert logout.returncode == 0 and "Disconnected" in logout.stdout
    assert keyring_entry(shared_profile) is None
    again = run_qbo(["token", "--profile", shared_profile], isolated_home)
    assert again.returncode == 1 and "not connected" in again.stderr


def test_loopback_login_end_to_end(
    free_port_simulator: SimulatorServer, shared_profile: str, isolated_home: Path
) -> None:
    sim = free_port_simulator
    cli_save_keys(sim, shared_profile, isolated_home)
    login = CliLogin(shared_profile, isolated_home, "--method", "loopback", "--no-browser")
    landed = approve(sim, login.url, UK_REALM)
    assert landed.startswith(sim.info["keys"]["development"]["redirect_uris"][0])
    page = requests.get(landed, timeout=30)
    assert "Thames Gateway Haulage Ltd" in page.text and "close this tab" in page.text
    code, out, err = login.finish()
    assert code == 0, err
    assert f"(company ID {UK_REALM})" in out
    assert TokenSet.from_json(keyring_entry(shared_profile) or "").realm_id == UK_REALM


def test_paste_tokens_login_end_to_end(
    sim: SimulatorServer, shared_profile: str, isolated_home: Path
) -> None:
    cli_save_keys(sim, shared_profile, isolated_home)
    minted = sim.mint_tokens(US_REALM)
    done = run_qbo(
        ["login", "--profile", shared_profile, "--method", "paste-tokens"],
        isolated_home,
        stdin=f"{minted['refresh_token']}\n{US_REALM}\n",
    )
    assert done.returncode == 0, done.stderr
    assert "Connected to Bluewater Freight Brokers LLC" in done.stdout


def test_a_wrong_state_fails_clearly_and_saves_nothing(
    sim: SimulatorServer, shared_profile: str, isolated_home: Path
) -> None:
    cli_save_keys(sim, shared_profile, isolated_home)
    stale = CliLogin(shared_profile, isolated_home, "--method", "paste-url")
    stale_landed = approve(sim, stale.url, US_REALM)
    stale.process.kill()
    stale.finish()
    login = CliLogin(shared_profile, isolated_home, "--method", "paste-url")
    code, out, err = login.finish(stale_landed + "\n")
    assert code == 1
    assert "different sign-in attempt" in err and "Traceback" not in err
    assert out == ""
    assert keyring_entry(shared_profile) is None


def test_declining_fails_clearly(
    sim: SimulatorServer, shared_profile: str, isolated_home: Path
) -> None:
    cli_save_keys(sim, shared_profile, isolated_home)
    login = CliLogin(shared_profile, isolated_home, "--method", "paste-url")
    code, _, err = login.finish(approve(sim, login.url, US_REALM, decision="deny") + "\n")
    assert code == 1 and "declined" in err


def test_a_company_change_needs_confirmation_from_a_script(
    sim: SimulatorServer, shared_profile: str, isolated_home: Path
) -> None:
    cli_save_keys(sim, shared_profile, isolated_home)
    first = CliLogin(shared_profile, isolated_home, "--method", "paste-url")
    assert first.finish(approve(sim, first.url, US_REALM) + "\n")[0] == 0
    before = keyring_entry(shared_profile)
    second = CliLogin(shared_profile, isolated_home, "--method", "paste-url")
    code, _, err = second.finish(approve(sim, second.url, UK_REALM) + "\n")
    assert code == 1 and "--allow-company-change" in err
    assert keyring_entry(shared_profile) == before
    third = CliLogin(
        shared_profile, isolated_home, "--method", "paste-url", "--allow-company-change"
    )
    code, out, _ = third.finish(approve(sim, third.url, UK_REALM) + "\n")
    assert code == 0 and UK_REALM in out


def test_production_keys_refuse_loopback_with_the_reason(
    sim: SimulatorServer, shared_profile: str, isolated_home: Path
) -> None:
    cli_save_keys(sim, shared_profile, isolated_home, key_set="production")
    done = run_qbo(["login", "--profile", shared_profile, "--method", "loopback"], isolated_home)
    assert done.returncode == 2
    assert "only https://" in done.stderr and "--method paste-url" in done.stderr
    assert done.stdout == ""


def test_login_options_must_match_the_saved_keys(
    sim: SimulatorServer, shared_profile: str, isolated_home: Path
) -> None:
    cli_save_keys(sim, shared_profile, isolated_home)
    done = run_qbo(["login", "--profile", shared_profile, "--key-set", "production"], isolated_home)
    assert done.returncode == 2 and "--key-set production` first" in done.stderr
