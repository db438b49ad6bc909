"""The keyring seam: real Secret Service round trips, and clear failures when there is none."""

from __future__ import annotations

import contextlib
import threading

import keyring
import keyring.backend
import pytest
from keyring.backends import chainer, fail, null

from qbo_wizard.core.connection.vault import MemoryKeyring, Vault, VaultUnavailable


@pytest.mark.secret_service
def test_real_secret_service_stores_reads_and_deletes(secret_service: None) -> None:
    vault = Vault("ci-roundtrip")
    assert vault.check() == "Secret Service (GNOME Keyring or compatible)"
    vault.set("client_secret", "canary-secret-ROUNDTRIP")
    assert vault.get("client_secret") == "canary-secret-ROUNDTRIP"
    # Stored under the documented service name, so other tools can find it.
    assert keyring.get_password("qbo-wizard/ci-roundtrip", "client_secret") == (
        "canary-secret-ROUNDTRIP"
    )
    assert vault.delete("client_secret") is True
    assert vault.get("client_secret") is None
    assert vault.delete("client_secret") is False


def test_profiles_do_not_share_secrets(memory_keyring: MemoryKeyring) -> None:
    Vault("one").set("refresh_token", "first")
    Vault("two").set("refresh_token", "second")
    assert Vault("one").get("refresh_token") == "first"
    assert Vault("two").get("refresh_token") == "second"


class _EmptyChainer(chainer.ChainerBackend):
    """What keyring picks when it finds no real backend to chain."""

    backends: list[keyring.backend.KeyringBackend] = []  # noqa: RUF012


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), _EmptyChainer()],
    ids=["fail", "null", "empty-chainer"],
)
def test_no_usable_backend_names_the_fix(backend: keyring.backend.KeyringBackend) -> None:
    keyring.set_keyring(backend)
    with pytest.raises(VaultUnavailable) as caught:
        Vault("default").set("client_secret", "x")
    message = str(caught.value)
    assert "No usable keyring" in message
    assert "PYTHON_KEYRING_BACKEND" in message
    assert "plain file" in message


class _HangingKeyring(keyring.backend.KeyringBackend):
    """A keyring that waits forever, like one blocked on an unlock prompt nobody can see."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait()

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait()


def test_hanging_keyring_gives_up_with_a_clear_message() -> None:
    hanging = _HangingKeyring()
    keyring.set_keyring(hanging)
    try:
        with pytest.raises(VaultUnavailable) as caught:
            Vault("default", timeout=0.2).get("client_secret")
        assert "did not answer" in str(caught.value)
        assert "locked" in str(caught.value)
    finally:
        hanging.release.set()


class _RefusingKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("collection is locked")


def test_keyring_errors_become_plain_messages_without_the_secret() -> None:
    keyring.set_keyring(_RefusingKeyring())
    with pytest.raises(VaultUnavailable) as caught:
        Vault("default").set("client_secret", "canary-never-shown")
    assert "refused to save a secret" in str(caught.value)
    assert "canary-never-shown" not in str(caught.value)


class _BackendOwnError(Exception):
    """What a backend library raises with its own exception type (secretstorage does)."""


class _OwnErrorKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise _BackendOwnError(f"could not store {password}")


def test_a_backends_own_error_becomes_a_plain_message_without_the_secret() -> None:
    keyring.set_keyring(_OwnErrorKeyring())
    with pytest.raises(VaultUnavailable) as caught:
        Vault("default").set("tokens", "canary-secret-OWNERROR")
    message = str(caught.value)
    assert "_BackendOwnError" in message
    assert "refused to save a secret" in message
    assert "canary-secret-OWNERROR" not in message
    assert caught.value.__context__ is None and caught.value.__cause__ is None


class _SlowFirstWriteKeyring(MemoryKeyring):
    """A keyring whose first write stalls until released (an unlock prompt, a busy D-Bus)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.writes = 0

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes += 1
        if self.writes == 1:
            self.release.wait()
        super().set_password(service, username, password)


def _finish_keyring_threads() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("keyring-"):
            thread.join(10)


def test_a_timed_out_write_finishing_late_never_replaces_a_newer_one() -> None:
    slow = _SlowFirstWriteKeyring()
    keyring.set_keyring(slow)
    vault = Vault("default", timeout=0.1)
    with pytest.raises(VaultUnavailable):
        vault.set("tokens", "older token set")
    # Waiting behind the stalled write is allowed; losing the newer set is not.
    with contextlib.suppress(VaultUnavailable):
        vault.set("tokens", "newer token set")
    slow.release.set()
    _finish_keyring_threads()
    assert Vault("default").get("tokens") == "newer token set"
