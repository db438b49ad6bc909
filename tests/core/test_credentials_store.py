"""Saving new keys can fail or be interrupted at any point without losing a working connection
or leaving the ID of one app with the secret of another."""

from __future__ import annotations

import keyring
import keyring.errors
import pytest

from qbo_wizard.core.credentials import Credentials, load_credentials, store_credentials
from qbo_wizard.core.tokens import TokenStore
from qbo_wizard.core.vault import MemoryKeyring, VaultUnavailable
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import connect_by_paste, keys, save_keys

OTHER_APP = Credentials(
    "ABotherAppClientId0123456789abcdefghijklmnopqrstuv", "otherAppSecret0123456789abcdefghijklmn"
)


class _WritesFailAfter(MemoryKeyring):
    """A keyring that stops accepting writes after `allowed` more of them (a locked
    collection, a D-Bus hiccup, Ctrl+C in the middle)."""

    def __init__(self, secrets: dict[tuple[str, str], str], allowed: int) -> None:
        super().__init__()
        self._secrets = dict(secrets)
        self.allowed = allowed

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.allowed <= 0:
            raise keyring.errors.KeyringLocked("collection is locked")
        self.allowed -= 1
        super().set_password(service, username, password)


@pytest.fixture
def connected(simulator: SimulatorServer) -> SimulatorServer:
    save_keys(simulator)
    connect_by_paste(simulator)
    return simulator


@pytest.mark.parametrize("allowed", [0, 1], ids=["first-write-fails", "second-write-fails"])
def test_a_failed_save_of_new_keys_keeps_a_whole_pair_and_the_connection(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, allowed: int
) -> None:
    old_keys = keys(connected)
    tokens = TokenStore("default").load()
    keyring.set_keyring(_WritesFailAfter(memory_keyring._secrets, allowed))
    try:
        store_credentials("default", "development", OTHER_APP, connected.url, verify=False)
    except VaultUnavailable:
        # Nothing was saved: the old keys and the connection made with them still stand.
        assert load_credentials("default") == old_keys
        assert TokenStore("default").load() == tokens
    else:
        # Everything was saved: the new keys whole, and the old app's tokens gone.
        assert load_credentials("default") == OTHER_APP
        assert TokenStore("default").load() is None


def test_keys_saved_as_two_entries_are_still_read_and_replaced_by_one(
    simulator: SimulatorServer, memory_keyring: MemoryKeyring
) -> None:
    good = keys(simulator)
    memory_keyring.set_password("qbo-wizard/default", "client_id", good.client_id)
    memory_keyring.set_password("qbo-wizard/default", "client_secret", good.client_secret)
    assert load_credentials("default") == good
    store_credentials("default", "development", good, simulator.url, verify=False)
    assert load_credentials("default") == good
    assert sorted(name for _, name in memory_keyring._secrets) == ["keys"]
