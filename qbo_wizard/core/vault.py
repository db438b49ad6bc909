"""The only place secrets are kept: the operating system's keyring.

Every profile has its own keyring service, `qbo-wizard/<profile>`. Each call is time-boxed so a
keyring that waits for an unlock prompt nobody can see (SSH, headless Linux) cannot hang the wizard.
When no usable keyring exists the wizard stops with `VaultUnavailable`, whose message names the fix;
it never falls back to a plaintext file on its own.
"""

from __future__ import annotations

import itertools
import platform
import threading
from collections.abc import Callable
from typing import TypeVar

import keyring
import keyring.backend
import keyring.errors

from qbo_wizard.core.paths import validate_profile_name
from qbo_wizard.core.problems import WizardError

SERVICE_PREFIX = "qbo-wizard/"
DEFAULT_TIMEOUT_SECONDS = 3.0

# Backends that exist only to say "there is no keyring" (or to swallow secrets silently).
_UNUSABLE_BACKENDS = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}

T = TypeVar("T")


class VaultUnavailable(WizardError):
    """No usable keyring; the message says what happened and how to fix it."""


def _fix_hint() -> str:
    system = platform.system()
    if system == "Linux":
        where = (
            "On Linux this needs a running Secret Service, such as gnome-keyring or KeePassXC "
            "(install gnome-keyring, and on a server run the wizard inside `dbus-run-session`)."
        )
    elif system == "Darwin":
        where = "On macOS the login Keychain must be unlocked (log in at the Mac itself once)."
    elif system == "Windows":
        where = "On Windows the Credential Manager must be available to your user account."
    else:
        where = "This system needs a keyring service that the Python 'keyring' package supports."
    return (
        f"{where} To choose another keyring backend on purpose, set PYTHON_KEYRING_BACKEND "
        "(see the 'keyring' package's documentation). qbo-wizard never stores secrets in a "
        "plain file."
    )


def backend_name(backend: keyring.backend.KeyringBackend | None = None) -> str:
    """Dotted class name of the active (or given) keyring backend, for diagnostics."""
    backend = backend if backend is not None else keyring.get_keyring()
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_unusable(backend: keyring.backend.KeyringBackend) -> bool:
    if backend_name(backend) in _UNUSABLE_BACKENDS:
        return True
    inner = getattr(backend, "backends", None)
    if inner is not None:  # the chainer: usable only if it chains at least one real backend
        return not any(not _is_unusable(b) for b in inner)
    return False


def _time_boxed(call: Callable[[], T], what: str, timeout: float) -> T:
    """Run one keyring call in a daemon thread; give up with VaultUnavailable after `timeout`.

    Whatever the keyring raises (keyring's own errors, or a backend's own such as
    secretstorage's) becomes `VaultUnavailable` naming only the error's type: a backend's
    message may quote what it was given.
    """
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # turned into VaultUnavailable in the caller's thread
            outcome["error"] = type(exc)

    worker = threading.Thread(target=run, name=f"keyring-{what}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise VaultUnavailable(
            f"The keyring did not answer within {timeout:.0f} seconds while trying to {what}. "
            "It may be locked and waiting for a password prompt you cannot see. " + _fix_hint()
        )
    error = outcome.get("error")
    if isinstance(error, type):
        raise VaultUnavailable(f"The keyring refused to {what} ({error.__name__}). " + _fix_hint())
    return outcome.get("value")  # type: ignore[return-value]


class _WriteOrder:
    """Keeps this process's keyring writes in the order they were asked for.

    A write that timed out may still finish later (its thread cannot be stopped). Writes take
    a ticket when asked for and run one at a time; a write whose entry has already been written
    by a newer ticket is skipped, so a late, older token set can never replace a newer one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets = itertools.count()
        self._written: dict[tuple[str, str], int] = {}

    def ticket(self) -> int:
        return next(self._tickets)

    def run(self, service: str, name: str, ticket: int, write: Callable[[], T]) -> T | None:
        key = (service, name)
        with self._lock:
            if self._written.get(key, -1) > ticket:
                return None  # a newer write of this entry already went through
            result = write()
            self._written[key] = ticket
            return result


_WRITES = _WriteOrder()


class Vault:
    """The secrets of one profile, stored under the keyring service `qbo-wizard/<profile>`."""

    def __init__(self, profile: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.profile = validate_profile_name(profile)
        self.service = SERVICE_PREFIX + self.profile
        self.timeout = timeout

    def check(self) -> str:
        """Raise VaultUnavailable unless a usable keyring is configured; return its name."""
        backend = keyring.get_keyring()
        if _is_unusable(backend):
            raise VaultUnavailable("No usable keyring was found on this computer. " + _fix_hint())
        return backend_name(backend)

    def get(self, name: str) -> str | None:
        """The stored secret called `name`, or None if there is none."""
        self.check()
        return _time_boxed(
            lambda: keyring.get_password(self.service, name), "read a secret", self.timeout
        )

    def set(self, name: str, value: str) -> None:
        """Store (or replace) the secret called `name` (after this process's earlier writes)."""
        self.check()
        ticket = _WRITES.ticket()
        _time_boxed(
            lambda: _WRITES.run(
                self.service, name, ticket, lambda: keyring.set_password(self.service, name, value)
            ),
            "save a secret",
            self.timeout,
        )

    def delete(self, name: str) -> bool:
        """Remove the secret called `name`; True if it existed."""
        self.check()

        def remove() -> bool:
            try:
                keyring.delete_password(self.service, name)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        ticket = _WRITES.ticket()
        removed = _time_boxed(
            lambda: _WRITES.run(self.service, name, ticket, remove), "delete a secret", self.timeout
        )
        return bool(removed)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in this process only: for unit tests and demo mode.

    Select it with `use_memory_keyring()`, or for a whole process with
    `PYTHON_KEYRING_BACKEND=qbo_wizard.core.vault.MemoryKeyring`.
    """

    priority = 0.1  # never chosen automatically over a real keyring

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self._secrets[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


def use_memory_keyring() -> MemoryKeyring:
    """Make a fresh in-memory keyring the active backend for this process and return it."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend
