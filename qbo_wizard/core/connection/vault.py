"""The only place secrets are kept: a keyring, chosen so that nothing is ever kept by accident.

Every profile has its own keyring service, `qbo-wizard/<profile>`. Which keyring:

- **Found on its own**, only a keyring of the operating system: the Secret Service (GNOME
  Keyring, KWallet, KeePassXC), the macOS Keychain, the Windows Credential Manager. File-based
  or in-memory backends that happen to be installed are never picked up by discovery.
- **Named by the user** with keyring's own convention (`PYTHON_KEYRING_BACKEND`, or keyring's
  `keyringrc.cfg`): used as named. The supported choice for servers is the encrypted-file
  keyring from keyrings.cryptfile; a plaintext backend works too, and `doctor` warns about it.
- **Set in this process** (`use_memory_keyring()` for demo mode and tests): used as set.

With no usable keyring the wizard stops with `VaultUnavailable`, whose message gives the two
ways forward; it never falls back to a file or to memory on its own.

The encrypted-file keyring needs a passphrase (see `passphrase` for where it comes from); it
is handed to the backend in memory, once per process, and never written anywhere by the
wizard. Reads and writes of the file take a lock beside it, so processes never see each
other's half-written file.

Each keyring call is time-boxed so a keyring that waits for an unlock prompt nobody can see
(SSH, headless Linux) cannot hang the wizard. The encrypted file's key derivation (Argon2id,
about half a second per entry on a small server) gets a longer box: it is slow, never stuck.
"""

from __future__ import annotations

import configparser
import contextlib
import itertools
import os
import platform
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import keyring
import keyring.backend
import keyring.core
import keyring.errors
from keyring.backends.chainer import ChainerBackend
from keyring.compat import properties

from qbo_wizard.core.connection.passphrase import (
    PASSPHRASE_ENV_VAR,
    PASSPHRASE_FILE_ENV_VAR,
    PassphraseUnavailable,
    obtain_passphrase,
)
from qbo_wizard.core.paths import validate_profile_name
from qbo_wizard.core.problems import WizardError

SERVICE_PREFIX = "qbo-wizard/"
DEFAULT_TIMEOUT_SECONDS = 3.0
#: The encrypted file derives a key (Argon2id, 64 MB, 15 passes) for every entry it reads or
#: writes, about 0.4 s each on a 2-core server and several times that when the machine is busy.
ENCRYPTED_FILE_TIMEOUT_SECONDS = 30.0

BACKEND_ENV_VAR = "PYTHON_KEYRING_BACKEND"
ENCRYPTED_FILE_BACKEND = "keyrings.cryptfile.cryptfile.CryptFileKeyring"
MEMORY_BACKEND = "qbo_wizard.core.connection.vault.MemoryKeyring"

# Backends that exist only to say "there is no keyring" (or to swallow secrets silently).
_UNUSABLE_BACKENDS = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}
# The operating systems' own keyrings: the only ones discovery may choose.
_SYSTEM_KEYRINGS = {
    "keyring.backends.SecretService.Keyring": "Secret Service (GNOME Keyring or compatible)",
    "keyring.backends.libsecret.Keyring": "Secret Service (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KDE Wallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KDE Wallet",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
}
# Encrypted-file backends whose passphrase is set through `keyring_key`.
_ENCRYPTED_FILES = {ENCRYPTED_FILE_BACKEND, "keyrings.cryptfile.file.EncryptedKeyring"}

T = TypeVar("T")
KeyringKind = Literal["system", "encrypted-file", "plaintext", "memory", "named", "none"]


class VaultUnavailable(WizardError):
    """No usable keyring; the message says what happened and how to fix it."""

    def short(self) -> tuple[str, tuple[str, ...]]:
        """The first paragraph, and the ways forward one line each (for doctor's report)."""
        first, _, rest = str(self).partition("\n")
        if not rest:
            return first, ()
        return first.removesuffix(_WAYS_HEADING).removesuffix(":").rstrip(), WAYS_FORWARD

    def recipes(self) -> RecipeMessage:
        """The message in its parts, for screens that show each recipe as commands (kept
        line by line and indented, ready to copy) instead of as running text."""
        lines = str(self).splitlines()
        ways: list[tuple[str, list[str]]] = []
        closing: list[str] = []
        for line in lines[1:]:
            if line.startswith(_RECIPE_INDENT):
                if not ways:
                    ways.append(("", []))
                ways[-1][1].append(line.removeprefix(_RECIPE_INDENT))
            elif line.startswith("  ") and line.strip():
                ways.append((line.strip(), []))
            else:
                closing.append(line)
        return RecipeMessage(
            lines[0] if lines else "",
            tuple((heading, "\n".join(commands)) for heading, commands in ways),
            " ".join(closing).strip(),
        )


@dataclass(frozen=True)
class RecipeMessage:
    """A keyring refusal in parts: what happened, each way forward as a heading and its
    commands (one per line), and the closing sentence."""

    summary: str
    ways: tuple[tuple[str, str], ...]
    closing: str


KEYRING_SESSION_RECIPE = (
    "dbus-run-session -- bash\n"
    "read -rsp 'Keyring password: ' pw; printf '%s' \"$pw\" | gnome-keyring-daemon --unlock "
    "--components=secrets >/dev/null; unset pw\n"
    "qbo-wizard credentials"
)
ENCRYPTED_FILE_RECIPE = (
    "pip install 'qbo-wizard[encrypted-file]'\n"
    f"export {BACKEND_ENV_VAR}={ENCRYPTED_FILE_BACKEND}\n"
    f"export {PASSPHRASE_FILE_ENV_VAR}=$HOME/.qbo-keyring-passphrase"
    "   # a file only you can read (chmod 600) holding the passphrase\n"
    "qbo-wizard credentials"
)


#: The two ways forward in one line each, for reports that cannot show whole recipes.
WAYS_FORWARD = (
    "Run inside a Secret Service session: `dbus-run-session -- bash`, then unlock "
    "GNOME Keyring with `gnome-keyring-daemon --unlock --components=secrets` (it reads the "
    "keyring's password from standard input).",
    f"Or use the encrypted-file keyring: `pip install 'qbo-wizard[encrypted-file]'`, "
    f"{BACKEND_ENV_VAR}={ENCRYPTED_FILE_BACKEND} and {PASSPHRASE_FILE_ENV_VAR} naming a 0600 "
    "file that holds its passphrase.",
    "`qbo-wizard credentials` prints both recipes line by line, ready to copy; the README's "
    "server section explains them.",
)
_WAYS_HEADING = " Two ways forward:"


_RECIPE_INDENT = "      "


def _indented(recipe: str) -> str:
    return "".join(f"\n{_RECIPE_INDENT}{line}" for line in recipe.splitlines())


def _fix_hint() -> str:
    system = platform.system()
    if system == "Linux":
        return (
            "On Linux the wizard needs a Secret Service (such as GNOME Keyring), which is "
            "reached through a desktop session's D-Bus; servers, SSH sessions and scheduled jobs "
            "usually have none." + _WAYS_HEADING + "\n"
            "  1. Run inside a Secret Service session:" + _indented(KEYRING_SESSION_RECIPE) + "\n"
            "  2. Or use the encrypted-file keyring (made for servers):"
            + _indented(ENCRYPTED_FILE_RECIPE)
            + "\nqbo-wizard never stores secrets in a plain file on its own."
        )
    if system == "Darwin":
        where = "On macOS the login Keychain must be unlocked (log in at the Mac itself once)."
    elif system == "Windows":
        where = "On Windows the Credential Manager must be available to your user account."
    else:
        where = "This system needs a keyring service that the Python 'keyring' package supports."
    return (
        f"{where} On a server, use the encrypted-file keyring instead:"
        + _indented(ENCRYPTED_FILE_RECIPE)
        + "\nqbo-wizard never stores secrets in a plain file on its own."
    )


def backend_name(backend: keyring.backend.KeyringBackend | None = None) -> str:
    """Dotted class name of the active (or given) keyring backend, for diagnostics."""
    backend = backend if backend is not None else keyring.get_keyring()
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _class_names(backend: keyring.backend.KeyringBackend) -> set[str]:
    return {f"{cls.__module__}.{cls.__qualname__}" for cls in type(backend).__mro__}


def _named_backend() -> str | None:
    """The backend the user named: keyring's environment variable or its config file."""
    named = os.environ.get(BACKEND_ENV_VAR, "").strip()
    if named:
        return named
    from keyring.util import platform_

    config = configparser.RawConfigParser()
    try:
        config.read(Path(platform_.config_root()) / "keyringrc.cfg", encoding="utf-8")
        return config.get("backend", "default-keyring").strip() or None
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None


def _discover() -> keyring.backend.KeyringBackend:
    """The user's named backend, else the best keyring of the operating system (or `fail`)."""
    from keyring.backends import fail

    named = _named_backend()
    if named:
        try:
            return keyring.core.load_keyring(named)
        except Exception as error:  # an uninstalled or unusable backend: say which, plainly
            extra = (
                " Install it with: pip install 'qbo-wizard[encrypted-file]'."
                if named in _ENCRYPTED_FILES
                else ""
            )
            raise VaultUnavailable(
                f"The keyring backend named in {BACKEND_ENV_VAR} (or keyring's config file), "
                f"{named}, cannot be used here ({type(error).__name__}).{extra} Nothing was "
                "saved or read."
            ) from None
    system = [b for b in keyring.backend.get_all_keyring() if backend_name(b) in _SYSTEM_KEYRINGS]
    return max(system, key=keyring.backend.by_priority, default=fail.Keyring())  # type: ignore[no-untyped-call]


def _active_backend() -> keyring.backend.KeyringBackend:
    """The keyring this process uses; on first use, chosen by `_discover` (not keyring's own
    discovery, which would also chain file and in-memory backends)."""
    if getattr(keyring.core, "_keyring_backend", None) is None:  # nobody has chosen yet
        keyring.set_keyring(_discover())
    return keyring.get_keyring()


def _file_path(backend: keyring.backend.KeyringBackend) -> str:
    path = str(getattr(backend, "file_path", "") or "")
    home = str(Path.home())
    return "~" + path[len(home) :] if home and path.startswith(home + os.sep) else path


@dataclass(frozen=True)
class KeyringChoice:
    """The keyring the wizard will use, in words, and whether it can keep secrets."""

    kind: KeyringKind
    description: str
    backend: keyring.backend.KeyringBackend | None = None
    problem: str = ""

    @property
    def usable(self) -> bool:
        """True when secrets can be stored and read back later."""
        return self.backend is not None

    @property
    def plaintext(self) -> bool:
        """True when the secrets sit in clear text in a file (the user chose this backend)."""
        return self.kind == "plaintext"


def _classify(backend: keyring.backend.KeyringBackend) -> KeyringChoice:
    name = backend_name(backend)
    classes = _class_names(backend)
    if isinstance(backend, ChainerBackend):
        chained = [b for b in getattr(backend, "backends", ()) if _is_system(b)]
        if chained:
            return _classify(chained[0])
        return _none()
    if name in _UNUSABLE_BACKENDS:
        return _none()
    if isinstance(backend, MemoryKeyring):
        return KeyringChoice(
            "memory", "in-memory keyring (gone when the program ends: demo mode only)", backend
        )
    if name in _SYSTEM_KEYRINGS:
        return KeyringChoice("system", _SYSTEM_KEYRINGS[name], backend)
    if classes & _ENCRYPTED_FILES:
        return KeyringChoice("encrypted-file", f"encrypted file {_file_path(backend)}", backend)
    if any("plaintext" in c.lower() for c in classes):
        where = _file_path(backend) or "a plain file"
        return KeyringChoice("plaintext", f"PLAIN-TEXT file {where} (chosen by you)", backend)
    return KeyringChoice("named", f"{name} (chosen by you)", backend)


def _is_system(backend: keyring.backend.KeyringBackend) -> bool:
    return backend_name(backend) in _SYSTEM_KEYRINGS


def _none() -> KeyringChoice:
    return KeyringChoice(
        "none",
        "none usable",
        None,
        "No usable keyring was found on this computer, so secrets can be neither saved nor "
        "read. " + _fix_hint(),
    )


def keyring_choice() -> KeyringChoice:
    """The keyring the wizard uses here, described in words (never raises for a missing one)."""
    try:
        return _classify(_active_backend())
    except VaultUnavailable as error:
        return KeyringChoice("none", "none usable", None, str(error))


def describe_keyring() -> str:
    """Where secrets are kept, in words (for doctor, diagnostics and the status screen)."""
    return keyring_choice().description


class _EncryptedFile:
    """Unlocks an encrypted-file backend once per process and serialises its file access."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._unlocked: weakref.WeakSet[keyring.backend.KeyringBackend] = weakref.WeakSet()

    def unlock(self, backend: keyring.backend.KeyringBackend, timeout: float) -> None:
        with self._lock:
            # The backend's own key attribute is checked too: should it ever be unset, the
            # backend would ask for a passphrase on the terminal by itself.
            if backend in self._unlocked and getattr(backend, "_keyring_key", None) is not None:
                return
            where = _file_path(backend)
            path = Path(str(getattr(backend, "file_path", "")))
            new = not path.exists()
            try:
                passphrase = obtain_passphrase(where, new)
            except PassphraseUnavailable as missing:
                raise VaultUnavailable(str(missing)) from None
            if new and not path.parent.exists():
                path.parent.mkdir(parents=True, mode=0o700)

            def apply() -> None:
                try:
                    with file_lock(path):
                        backend.keyring_key = passphrase  # type: ignore[attr-defined]
                except ValueError:
                    del backend.keyring_key  # type: ignore[attr-defined]
                    raise

            try:
                _time_boxed(apply, "open the encrypted keyring file", timeout, raw=True)
            except ValueError:
                raise VaultUnavailable(
                    f"The passphrase did not open the encrypted keyring {where}. Check the "
                    f"passphrase ({PASSPHRASE_FILE_ENV_VAR}, {PASSPHRASE_ENV_VAR} or what was "
                    "typed); nothing was changed."
                ) from None
            self._unlocked.add(backend)


_ENCRYPTED = _EncryptedFile()


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold the lock beside a keyring file (`<file>.lock`, 0600) for one read or write."""
    import filelock

    lock = filelock.FileLock(f"{path}.lock", mode=0o600, timeout=ENCRYPTED_FILE_TIMEOUT_SECONDS)
    with lock:
        yield


def _time_boxed(call: Callable[[], T], what: str, timeout: float, *, raw: bool = False) -> T:
    """Run one keyring call in a daemon thread; give up with VaultUnavailable after `timeout`.

    Whatever the keyring raises (keyring's own errors, or a backend's own such as
    secretstorage's) becomes `VaultUnavailable` naming only the error's type: a backend's
    message may quote what it was given. With `raw`, a `ValueError` is re-raised as itself
    (without its message) for the caller to explain.
    """
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # turned into VaultUnavailable in the caller's thread
            outcome["error"] = type(exc)
            if isinstance(exc, OSError):  # a file keyring's own file: say which and why
                outcome["file"] = f"{exc.strerror or 'unknown reason'}: {exc.filename}"

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
        if raw and issubclass(error, ValueError):
            raise ValueError(what)
        if "file" in outcome:
            raise VaultUnavailable(
                f"The keyring could not {what}: its file could not be used ({outcome['file']}). "
                "Check that the file and its folder exist and that this user may read and "
                "write them (for a systemd service, list the folder in ReadWritePaths=)."
            )
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

    def choice(self) -> KeyringChoice:
        """The usable keyring, or `VaultUnavailable` saying what is missing and the ways out."""
        choice = _classify(_active_backend())
        if not choice.usable:
            raise VaultUnavailable(choice.problem)
        return choice

    def check(self) -> str:
        """Raise VaultUnavailable unless a usable keyring is configured; return its name."""
        return self.choice().description

    def open(self) -> str:
        """Like `check`, and also unlock an encrypted-file keyring now (asking for its
        passphrase if need be), so a command can stop before it asks for anything else."""
        choice = self.choice()
        if choice.kind == "encrypted-file" and choice.backend is not None:
            timeout = max(self.timeout, ENCRYPTED_FILE_TIMEOUT_SECONDS)
            _ENCRYPTED.unlock(choice.backend, timeout)
        return choice.description

    def _call(self, call: Callable[[keyring.backend.KeyringBackend], T], what: str) -> T:
        choice = self.choice()
        backend = choice.backend
        assert backend is not None
        if choice.kind != "encrypted-file":
            return _time_boxed(lambda: call(backend), what, self.timeout)
        timeout = max(self.timeout, ENCRYPTED_FILE_TIMEOUT_SECONDS)
        _ENCRYPTED.unlock(backend, timeout)
        path = Path(str(getattr(backend, "file_path", "")))

        def locked() -> T:
            with file_lock(path):
                return call(backend)

        return _time_boxed(locked, what, timeout)

    def get(self, name: str) -> str | None:
        """The stored secret called `name`, or None if there is none."""
        return self._call(lambda b: b.get_password(self.service, name), "read a secret")

    def set(self, name: str, value: str) -> None:
        """Store (or replace) the secret called `name` (after this process's earlier writes)."""
        ticket = _WRITES.ticket()
        self._call(
            lambda b: _WRITES.run(
                self.service, name, ticket, lambda: b.set_password(self.service, name, value)
            ),
            "save a secret",
        )

    def delete(self, name: str) -> bool:
        """Remove the secret called `name`; True if it existed."""

        def remove(backend: keyring.backend.KeyringBackend) -> bool:
            try:
                backend.delete_password(self.service, name)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        ticket = _WRITES.ticket()
        removed = self._call(
            lambda b: _WRITES.run(self.service, name, ticket, lambda: remove(b)),
            "delete a secret",
        )
        return bool(removed)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in this process only: for unit tests and demo mode.

    Select it with `use_memory_keyring()`, or for a whole process with
    `PYTHON_KEYRING_BACKEND=qbo_wizard.core.connection.vault.MemoryKeyring`.
    """

    @properties.classproperty
    def priority(cls) -> float:
        """Viable only when named in PYTHON_KEYRING_BACKEND: discovery never chooses it."""
        if os.environ.get(BACKEND_ENV_VAR, "").strip() != MEMORY_BACKEND:
            raise RuntimeError("the in-memory keyring is used only when asked for by name")
        return 0.1

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
