"""Safe reading and writing of the wizard's YAML files.

Writes are atomic (a temporary file in the same folder, fsync, then replace) with owner-only
permissions, so Ctrl+C or a crash leaves either the old file or the new one, never half of one.
A file that cannot be parsed raises `ConfigFileError` naming the file and line; it is never
overwritten on the caller's behalf.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from qbo_wizard.core.paths import config_home, ensure_private_dir, is_read_only_error
from qbo_wizard.core.problems import ConfigFileError, WizardError

# `filelock` and the YAML modules are imported where a lock is first taken and a file first
# read or written: the wizard's first screen needs neither, and each costs ~14 ms to import.

_FIX_THE_FOLDER = (
    "Anything already there was left as it is. Check that the folder exists and that you may "
    "write to it, or choose another place."
)


def _inside_config_home(folder: Path) -> bool:
    try:
        return folder.resolve().is_relative_to(config_home().resolve())
    except (OSError, RuntimeError):
        return False


def _write_failure(path: Path, exc: OSError) -> ConfigFileError:
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.EROFS:
        return ConfigFileError(
            path,
            f"it could not be written because the folder {path.parent} is read-only ({reason})",
            advice="Run this where that folder can be written to (for a systemd service, list "
            "it in ReadWritePaths=), or choose another folder with QBO_WIZARD_HOME.",
        )
    if exc.errno == errno.ENOSPC:
        return ConfigFileError(
            path,
            f"it could not be written ({reason})",
            advice="Free some space on that disk and try again; the previous file is unchanged.",
        )
    return ConfigFileError(path, f"it could not be written ({reason})", advice=_FIX_THE_FOLDER)


def atomic_write_text(
    path: Path, text: str | Iterable[str], *, private_folder: bool = True
) -> None:
    """Replace `path` with `text` atomically; the file ends up mode 0600. `text` may come in
    parts, written one after another, so a large file is never held whole.

    Folders inside the wizard's config folder are created as needed and kept owner-only
    (0700). A folder the user chose (an export to the current folder, to /tmp, a support
    bundle's folder, …) is used as it is: its permissions are never changed. With
    `private_folder=False` even a folder inside the config folder is left as it is. Failure to
    write is `ConfigFileError`.
    """
    staged = stage_text(path, text, private_folder=private_folder)
    staged.commit()


class StagedFile:
    """New content for a file, complete and on disk beside it, not yet in its place.

    Staging is where a write can fail for lack of space or a read-only folder; `commit` only
    renames, so a caller can stage first, do its other writes, and then commit, knowing the
    file will not be the part that fails. `discard` removes the staged content.
    """

    def __init__(self, path: Path, temporary: str) -> None:
        self.path = path
        self._temporary: str | None = temporary

    def commit(self) -> None:
        """Put the staged content in place (atomically) and make the rename durable."""
        if self._temporary is None:
            raise RuntimeError("already committed or discarded")
        temporary, self._temporary = self._temporary, None
        try:
            os.replace(temporary, self.path)
            # Persist the rename itself, so a power cut cannot bring the old file back.
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            if isinstance(exc, OSError):
                raise _write_failure(self.path, exc) from None
            raise

    def discard(self) -> None:
        """Forget the staged content; the file keeps what it had."""
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None


def stage_text(path: Path, text: str | Iterable[str], *, private_folder: bool = True) -> StagedFile:
    """Write `text` (or its parts, in order) to a 0600 temporary file beside `path` (fsynced);
    `ConfigFileError` if that fails. Nothing is replaced until `commit`."""
    try:
        if private_folder and _inside_config_home(path.parent):
            ensure_private_dir(path.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _write_failure(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise _write_failure(path, exc) from None
        raise
    return StagedFile(path, tmp_name)


@contextlib.contextmanager
def private_lock(path: Path, timeout: float, busy: Callable[[], WizardError]) -> Iterator[None]:
    """Hold the cross-process lock file `path` (created 0600); `busy()` is raised on timeout.

    In a read-only folder an existing lock file still works: it is locked through a read-only
    handle (the same `flock` lock `filelock` takes), so a service with a read-only view of the
    folder and a person with a writable one still exclude each other.
    """
    import filelock

    lock = filelock.FileLock(str(path), mode=0o600, timeout=timeout)
    read_only = False
    try:
        lock.acquire()
    except filelock.Timeout:
        raise busy() from None
    except OSError as exc:
        if not is_read_only_error(exc):
            raise
        read_only = True
    if read_only:
        with _read_only_flock(path, timeout, busy):
            yield
        return
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def _read_only_flock(path: Path, timeout: float, busy: Callable[[], WizardError]) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows has no read-only folders of this kind to work around
        raise ConfigFileError(
            path, "the lock file could not be created", advice=_FIX_THE_FOLDER
        ) from None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise ConfigFileError(
            path,
            f"the lock file is missing and its folder {path.parent} is read-only ({exc.strerror})",
            advice="Run the command once where the folder can be written to (it creates the "
            "lock file), or make the folder writable.",
        ) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy() from None
                time.sleep(0.05)  # polling, as filelock itself does
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def read_yaml_mapping(path: Path) -> dict[str, Any] | None:
    """Load a YAML file whose top level must be a mapping; `None` if the file does not exist.

    The checks (size, aliases, depth, encoding, …) are those of `yaml_reader.read_yaml_file`.
    """
    from qbo_wizard.core.yaml_reader import read_yaml_file

    document = read_yaml_file(path)
    return None if document is None else document.data


def parse_yaml_mapping(text: str, path: Path) -> dict[str, Any]:
    """Parse YAML text whose top level must be a mapping; errors name `path` and the line."""
    from qbo_wizard.core.yaml_reader import parse_yaml_text

    return parse_yaml_text(text, path).data


def yaml_text(data: dict[str, Any], header: str = "") -> str:
    """`data` as YAML, with an optional comment header."""
    import yaml

    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    prefix = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return prefix + body


def write_yaml_mapping(path: Path, data: dict[str, Any], header: str = "") -> None:
    """Write `data` as YAML atomically, with an optional comment header."""
    atomic_write_text(path, yaml_text(data, header))
