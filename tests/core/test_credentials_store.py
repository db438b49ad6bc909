"""Saving new keys can fail or be interrupted at any point without losing a working connection
or leaving the ID of one app with the secret of another."""

from __future__ import annotations

import keyring
import keyring.errors
import pytest

from qbo_wizard.core.connection.credentials import (
    Credentials,
    KeysNotSaved,
    load_credentials,
    store_credentials,
)
from qbo_wizard.core.connection.tokens import TokenStore
from qbo_wizard.core.connection.vault import MemoryKeyring, VaultUnavailable
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import connect_by_paste, keys, save_keys

OTHER_APP = Credentials(
    "ABotherAppClientId0123456789abcdefghijklmnopqrstuv", "otherAppSecret0123456789abcdefghijklmn"
)


class _RefusesWrites(MemoryKeyring):
    """A keyring that refuses the writes numbered in `refused` (1 = the first one from now):
    a collection locked part-way, a D-Bus hiccup."""

    def __init__(self, secrets: dict[tuple[str, str], str], refused: set[int]) -> None:
        super().__init__()
        self._secrets = dict(secrets)
        self.refused = refused
        self.writes = 0

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes += 1
        if self.writes in self.refused:
            raise keyring.errors.KeyringLocked("collection is locked")
        super().set_password(service, username, password)


@pytest.fixture
def connected(simulator: SimulatorServer) -> SimulatorServer:
    save_keys(simulator)
    connect_by_paste(simulator)
    return simulator


@pytest.mark.parametrize(
    "refused",
    [{1, 2, 3}, {2}],
    ids=["the-secret-is-refused", "the-id-is-refused"],
)
def test_a_refused_save_of_new_keys_keeps_the_old_pair_and_the_connection(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, refused: set[int]
) -> None:
    old_keys = keys(connected)
    tokens = TokenStore("default").load()
    keyring.set_keyring(_RefusesWrites(memory_keyring._secrets, refused))
    with pytest.raises(VaultUnavailable):
        store_credentials("default", "development", OTHER_APP, connected.url, verify=False)
    assert load_credentials("default") == old_keys  # whole, and still the old app's
    assert TokenStore("default").load() == tokens  # the connection made with them stands


def test_a_keyring_that_stops_part_way_says_so_and_keeps_the_connection(
    connected: SimulatorServer, memory_keyring: MemoryKeyring
) -> None:
    tokens = TokenStore("default").load()
    keyring.set_keyring(_RefusesWrites(memory_keyring._secrets, {2, 3}))
    with pytest.raises(KeysNotSaved) as caught:
        store_credentials("default", "development", OTHER_APP, connected.url, verify=False)
    assert "enter the keys again" in str(caught.value)
    assert OTHER_APP.client_secret not in str(caught.value)
    assert TokenStore("default").load() == tokens


def test_new_keys_that_are_saved_drop_the_old_apps_connection(
    connected: SimulatorServer,
) -> None:
    store_credentials("default", "development", OTHER_APP, connected.url, verify=False)
    assert load_credentials("default") == OTHER_APP
    assert TokenStore("default").load() is None
