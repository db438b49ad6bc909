"""The README's server section, run as written: a Secret Service session on a machine with no
desktop, and the encrypted-file keyring from cron and from a systemd unit with LoadCredential=.

Only the machine-specific paths are swapped for the test's own (the user's home, where
qbo-wizard is installed, the QuickBooks address and company); every other character of the
recipes comes from README.md, so a recipe that stops working fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import QBO, US_REALM, keys_input
from tests.headless import PASSPHRASE, Headless, protected_home

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## On a server (no desktop): cron and systemd"
US_COMPANY = "Bluewater Freight Brokers LLC"
RECIPE_HOME = "/home/integration"
RECIPE_QBO = "/opt/qbo-wizard/bin/qbo-wizard"
RECIPE_API = "https://quickbooks.api.intuit.com/v3"
RECIPE_REALM = "9130347596240616"


def server_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return text[start:end]


def blocks(language: str) -> list[str]:
    """The section's fenced code blocks in `language`, in order, dedented."""
    found = re.findall(r"^( *)```" + language + r"\n(.*?)^\1```", server_section(), re.M | re.S)
    return [
        "".join(line[len(indent) :] for line in body.splitlines(True)) for indent, body in found
    ]


def localised(text: str, machine: Headless, simulator: SimulatorServer) -> str:
    return (
        text.replace(RECIPE_HOME, str(machine.home))
        .replace(RECIPE_QBO, QBO)
        .replace(RECIPE_API, simulator.info["api_base_url"])
        .replace(RECIPE_REALM, US_REALM)
    )


def cron_environment(machine: Headless) -> dict[str, str]:
    """What cron gives a job: a minimal PATH, HOME, LOGNAME and SHELL; nothing of a desktop."""
    return {
        "HOME": str(machine.home),
        "LOGNAME": "integration",
        "SHELL": "/bin/sh",
        "PATH": "/usr/bin:/bin",
    }


def install_script(machine: Headless, simulator: SimulatorServer) -> Path:
    script_text = next(b for b in blocks("sh") if b.startswith("#!/bin/sh"))
    script = machine.home / "bin" / "post-invoices.sh"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(localised(script_text, machine, simulator))
    script.chmod(0o755)
    return script


def set_up_profile(machine: Headless, simulator: SimulatorServer, **env: str) -> None:
    """The one-time setup, done as the README says but with the passphrase from a file (the
    test has no terminal to type it at); the profile lives in the default config folder."""
    base = {**cron_environment(machine), "PATH": "/usr/bin:/bin", **env}
    saved = subprocess.run(
        [QBO, "credentials", "--profile", "shop", "--simulator", simulator.url],
        input=keys_input(simulator), capture_output=True, text=True, env=base,
        timeout=180, check=False, start_new_session=True,
    )  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    minted = simulator.mint_tokens(US_REALM)
    login = subprocess.run(
        [QBO, "login", "--profile", "shop", "--method", "paste-tokens"],
        input=f"{minted['refresh_token']}\n{US_REALM}\n", capture_output=True, text=True,
        env=base, timeout=180, check=False, start_new_session=True,
    )  # fmt: skip
    assert login.returncode == 0, login.stderr


def expire_access(machine: Headless, **env: str) -> None:
    base = {**cron_environment(machine), **env}
    Headless(machine.root, extra=base).python(
        "from qbo_wizard.core.connection.tokens import TokenStore, refresh_lock\n"
        "store = TokenStore('shop')\n"
        "with refresh_lock('shop'):\n"
        "    store.save(store.load().expired_access())\n"
    )


@pytest.fixture
def machine(tmp_path: Path) -> Headless:
    machine = Headless(tmp_path / "server")
    machine.home.mkdir(parents=True)
    return machine


def test_the_secret_service_session_recipe_works_with_no_desktop(
    machine: Headless, simulator: SimulatorServer
) -> None:
    recipe = blocks("sh")[0].splitlines()
    assert recipe[0] == "dbus-run-session -- bash"
    # The lines after the first are typed into that bash; `read` takes the password from there.
    typed = [
        recipe[1],
        "a keyring password",
        recipe[2].replace(
            "qbo-wizard credentials",
            f"{QBO} credentials --profile shop --simulator {simulator.url}",
        ),
        *keys_input(simulator).splitlines(),
    ]
    done = subprocess.run(
        ["dbus-run-session", "--", "bash"],
        input="\n".join(typed) + "\n", capture_output=True, text=True,
        env=machine.environment(), timeout=180, check=False, start_new_session=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Saved the development keys" in done.stdout
    secret = simulator.info["keys"]["development"]["client_secret"]
    assert (machine.data_home / "keyrings").is_dir()  # GNOME Keyring's own encrypted files
    assert machine.files_containing(secret) == []


def test_the_cron_recipe_gets_tokens_and_refreshes_with_no_terminal(
    machine: Headless, simulator: SimulatorServer
) -> None:
    crontab = localised(blocks("crontab")[0], machine, simulator).splitlines()
    settings = dict(line.split("=", 1) for line in crontab if re.match(r"^[A-Z_]+=", line))
    schedule = next(line for line in crontab if line.startswith("*/15 "))
    command = schedule.split(None, 5)[5]
    passphrase_file = Path(settings["QBO_WIZARD_KEYRING_PASSPHRASE_FILE"])
    passphrase_file.parent.mkdir(mode=0o700, parents=True)
    passphrase_file.write_text(PASSPHRASE + "\n")
    passphrase_file.chmod(0o600)
    set_up_profile(machine, simulator, **settings)
    install_script(machine, simulator)

    def run_job() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["/bin/sh", "-c", command], env={**cron_environment(machine), **settings},
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180,
            check=False, start_new_session=True,
        )  # fmt: skip

    first = run_job()
    assert first.returncode == 0, first.stderr
    expire_access(machine, **settings)
    second = run_job()  # this run has to refresh, under the lock, with nobody at a terminal
    assert second.returncode == 0, second.stderr
    log = (machine.home / "post-invoices.log").read_text()
    assert log.count(f'"CompanyName":"{US_COMPANY}"') == 2, log
    assert "qbo-wizard:" not in log  # no warnings: the config folder is writable for cron


def test_the_systemd_unit_is_valid_and_runs_with_a_read_only_home(
    machine: Headless, simulator: SimulatorServer, tmp_path: Path
) -> None:
    service_text, timer_text = blocks("ini")
    service = localised(service_text, machine, simulator)
    script = install_script(machine, simulator)
    passphrase_source = tmp_path / "etc" / "keyring-passphrase"
    service = service.replace("/etc/qbo-wizard/keyring-passphrase", str(passphrase_source))
    passphrase_source.parent.mkdir()
    passphrase_source.write_text(PASSPHRASE + "\n")
    passphrase_source.chmod(0o600)

    # systemd's own checker accepts both units (run as root: the recipe's user is local).
    units = tmp_path / "units"
    units.mkdir()
    (units / "post-invoices.service").write_text(service.replace("User=integration", "User=root"))
    (units / "post-invoices.timer").write_text(timer_text)
    if shutil.which("systemd-analyze"):
        checked = subprocess.run(
            ["systemd-analyze", "verify", *(str(p) for p in sorted(units.iterdir()))],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stderr

    # What systemd does for this unit: copy the credential into a private folder, expand %d,
    # set the Environment= lines, and make the home read-only except ReadWritePaths=.
    def values(key: str) -> list[str]:
        return [line.split("=", 1)[1] for line in service.splitlines() if line.startswith(key)]

    name, source = values("LoadCredential=")[0].split(":", 1)
    credentials_directory = tmp_path / "credentials"
    credentials_directory.mkdir(mode=0o700)
    (credentials_directory / name).write_bytes(Path(source).read_bytes())
    environment = dict(
        line.replace("%d", str(credentials_directory)).split("=", 1)
        for line in values("Environment=")
    )
    environment.update(
        HOME=str(machine.home), USER="integration", PATH="/usr/bin:/bin",
        CREDENTIALS_DIRECTORY=str(credentials_directory),
    )  # fmt: skip
    set_up_profile(machine, simulator, **environment)
    expire_access(machine, **environment)
    writable = Path(values("ReadWritePaths=")[0])
    assert writable == machine.data_home / "python_keyring"
    assert values("ExecStart=") == [str(script)]
    assert values("ProtectHome=") == ["read-only"]

    with protected_home(machine.home, writable):
        done = subprocess.run(
            [str(script)], env=environment, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=180, check=False, start_new_session=True,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert US_COMPANY in done.stdout
    # The refresh was saved in the encrypted keyring; only the expiry copy could not be made.
    assert "saved in the keyring, but its new expiry dates could not be copied" in done.stderr
    assert "is read-only" in done.stderr
    assert machine.files_containing(simulator.info["keys"]["development"]["client_secret"]) == []
