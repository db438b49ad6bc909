"""A refresh whose answer cannot be kept: the user gets the plain message and the failure log
says what happened, whatever the keyring raised."""

from __future__ import annotations

import keyring
import pytest

from qbo_wizard.core.connection.tokens import TokenKeeper, TokensNotSaved
from qbo_wizard.core.connection.vault import MemoryKeyring
from qbo_wizard.core.health.errorlog import recent_failures
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import connect_by_paste, save_keys


class _ItemNotFoundException(Exception):
    """The kind of error secretstorage raises on its own, outside keyring's error types."""


class _LockedAfterConnecting(MemoryKeyring):
    """The stored connection can be read, but every write now fails with the backend's own
    error (the collection was locked after the screen locked, say)."""

    def __init__(self, secrets: dict[tuple[str, str], str]) -> None:
        super().__init__()
        self._secrets = dict(secrets)

    def set_password(self, service: str, username: str, password: str) -> None:
        raise _ItemNotFoundException(f"no such item while writing {password}")


def test_a_keyring_refusing_the_new_tokens_ends_in_plain_words_and_the_log(
    simulator: SimulatorServer, memory_keyring: MemoryKeyring
) -> None:
    save_keys(simulator)
    connect_by_paste(simulator)
    keyring.set_keyring(_LockedAfterConnecting(memory_keyring._secrets))
    with pytest.raises(TokensNotSaved) as caught:
        TokenKeeper("default").tokens(force=True)
    message = str(caught.value)
    assert caught.value.exit_code == 4
    assert "keyring refused to save the new tokens" in message
    assert "_ItemNotFoundException" in message
    assert "no such item while writing" not in message  # the backend's words may quote secrets
    logged = recent_failures("default")[0]
    assert (logged["source"], logged["code"]) == ("tokens", "keyring-write")
