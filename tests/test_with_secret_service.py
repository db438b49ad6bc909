"""scripts/with-secret-service, which every keyring test runs inside.

Each test starts the wrapper afresh (its own private D-Bus session and gnome-keyring) and looks
from inside it, the way the test suite does: the keyring answers and is unlocked as soon as the
command starts, and nothing can start a second, locked gnome-keyring in the middle of a run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

WRAPPER = Path(__file__).resolve().parent.parent / "scripts" / "with-secret-service"
RUN_LIMIT_SECONDS = 120  # a hung wrapper fails the test instead of hanging the suite

if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
    message = "needs dbus and gnome-keyring installed (CI installs them)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)


def _outside_any_session() -> dict[str, str]:
    """This process's environment less what ties it to the session it may already run in."""
    inherited = {
        "DBUS_SESSION_BUS_ADDRESS",
        "GNOME_KEYRING_CONTROL",
        "XDG_DATA_HOME",
        "QBO_WIZARD_SECRET_SERVICE",
        "QBO_WIZARD_SECRET_SERVICE_SCRATCH",
    }
    return {name: value for name, value in os.environ.items() if name not in inherited}


def _run_inside(probe: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WRAPPER), sys.executable, "-c", textwrap.dedent(probe)],
        env=env or _outside_any_session(),
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT_SECONDS,
        check=False,
    )


def test_the_keyring_is_unlocked_and_answers_when_the_command_starts() -> None:
    # No retry and no wait in the probe: its first call is the one that flaked when the daemon
    # was not yet answering.
    result = _run_inside(
        """
        import os, secretstorage
        connection = secretstorage.dbus_init()
        collection = secretstorage.get_default_collection(connection)
        assert not collection.is_locked(), "the default collection is locked"
        collection.create_item("canary", {"probe": "1"}, b"canary-secret-7f3a")
        (item,) = collection.search_items({"probe": "1"})
        print(item.get_secret().decode(), os.environ["QBO_WIZARD_SECRET_SERVICE"])
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["canary-secret-7f3a", "1"]


def test_no_second_keyring_can_be_started_on_demand_mid_run() -> None:
    # Stop the keyring the wrapper started, then ask D-Bus for the Secret Service the way a
    # library call does: with activation, D-Bus would start a fresh, locked gnome-keyring.
    result = _run_inside(
        """
        from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg
        import os, signal

        NAME = "org.freedesktop.secrets"
        bus = open_dbus_connection(bus="SESSION")
        call = lambda message: unwrap_msg(bus.send_and_get_reply(message, timeout=10))
        print("activatable:", *call(message_bus.ListActivatableNames())[0])

        gone = MatchRule(type="signal", interface="org.freedesktop.DBus",
                         member="NameOwnerChanged")
        gone.add_arg_condition(0, NAME)
        call(message_bus.AddMatch(gone))
        with bus.filter(gone) as owner_changes:
            (pid,) = call(message_bus.GetConnectionUnixProcessID(NAME))
            os.kill(pid, signal.SIGTERM)
            while bus.recv_until_filtered(owner_changes, timeout=30).body[2] != "":
                pass
        # What any library call does: a message to the name, which D-Bus may start on demand.
        ping = new_method_call(
            DBusAddress("/org/freedesktop/secrets", NAME, "org.freedesktop.DBus.Peer"), "Ping"
        )
        try:
            call(ping)
        except DBusErrorResponse as error:
            print("call to the keyring:", error.name)
        print("owned after the call:", call(message_bus.NameHasOwner(NAME))[0])
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "activatable: org.freedesktop.DBus",
        "call to the keyring: org.freedesktop.DBus.Error.ServiceUnknown",
        "owned after the call: False",
    ]


def test_a_keyring_that_never_answers_stops_the_run_with_a_clear_message(tmp_path: Path) -> None:
    # A gnome-keyring-daemon that exits without ever serving org.freedesktop.secrets, as a broken
    # install would: the wrapper must say so and not run the command.
    stand_in = tmp_path / "bin" / "gnome-keyring-daemon"
    stand_in.parent.mkdir()
    stand_in.write_text("#!/bin/sh\ncat >/dev/null\n")
    stand_in.chmod(0o755)
    ran = tmp_path / "command-ran"
    env = _outside_any_session()
    env["PATH"] = f"{stand_in.parent}{os.pathsep}{env['PATH']}"
    env["QBO_WIZARD_SECRET_SERVICE_WAIT"] = "2"

    result = subprocess.run(
        [str(WRAPPER), "touch", str(ran)],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT_SECONDS,
        check=False,
    )

    assert result.returncode == 1
    assert "org.freedesktop.secrets" in result.stderr
    assert "did not answer with an unlocked keyring within 2 seconds" in result.stderr
    assert "the command was not run" in result.stderr
    assert not ran.exists()


def test_the_command_exit_status_comes_back_and_nothing_is_left_behind(tmp_path: Path) -> None:
    result = _run_inside(
        """
        import os, sys
        print(os.environ["QBO_WIZARD_SECRET_SERVICE_SCRATCH"])
        sys.exit(7)
        """
    )
    assert result.returncode == 7, result.stderr
    scratch = Path(result.stdout.strip())
    assert scratch.is_absolute()
    assert not scratch.exists()  # the throwaway keyring and bus socket are removed
