"""The keyring seam: real Secret Service round trips, and clear failures when there is none."""

from __future__ import annotations

import threading

import keyring
import keyring.backend
import pytest
from keyring.backends import chainer, fail, null

from qbo_wizard.core.vault import MemoryKeyring, Vault, VaultUnavailable


@pytest.mark.secret_service
def test_real_secret_service_stores_reads_and_deletes(secret_service: None) -> None:
    vault = Vault("ci-roundtrip")
    assert "SecretService" in vault.check()
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
