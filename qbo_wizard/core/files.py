"""Safe reading and writing of the wizard's YAML files.

Writes are atomic (a temporary file in the same folder, fsync, then replace) with owner-only
permissions, so Ctrl+C or a crash leaves either the old file or the new one, never half of one.
A file that cannot be parsed raises `ConfigFileError` naming the file and line; it is never
overwritten on the caller's behalf.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from qbo_wizard.core.paths import config_home, ensure_private_dir
from qbo_wizard.core.problems import WizardError

_FIX_BY_HAND = (
    "The file was left as it is; fix it in a text editor, or move it aside to start that "
    "part again."
)
_FIX_THE_FOLDER = (
    "Anything already there was left as it is. Check that the folder exists and that you may "
    "write to it, or choose another place."
)


class ConfigFileError(WizardError):
    """A wizard file exists but cannot be used as it is (or could not be written)."""

    def __init__(
        self, path: Path, problem: str, line: int | None = None, *, advice: str = _FIX_BY_HAND
    ) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}. {advice}")


def _inside_config_home(folder: Path) -> bool:
    try:
        return folder.resolve().is_relative_to(config_home().resolve())
    except (OSError, RuntimeError):
        return False


def atomic_write_text(path: Path, text: str, *, private_folder: bool = True) -> None:
    """Replace `path` with `text` atomically; the file ends up mode 0600.

    Folders inside the wizard's config folder are created as needed and kept owner-only
    (0700). A folder the user chose (an export to the current folder, to /tmp, a support
    bundle's folder, …) is used as it is: its permissions are never changed. With
    `private_folder=False` even a folder inside the config folder is left as it is. Failure to
    write is `ConfigFileError`.
    """
    try:
        _write_atomically(path, text, private_folder)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigFileError(
            path, f"it could not be written ({reason})", advice=_FIX_THE_FOLDER
        ) from None


def _write_atomically(path: Path, text: str, private_folder: bool) -> None:
    if private_folder and _inside_config_home(path.parent):
        ensure_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    # Persist the rename itself, so a power cut cannot bring the old file back.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_yaml_mapping(path: Path) -> dict[str, Any] | None:
    """Load a YAML file whose top level must be a mapping; `None` if the file does not exist.

    The checks (size, aliases, depth, encoding, …) are those of `yaml_reader.read_yaml_file`.
    """
    from qbo_wizard.core.yaml_reader import read_yaml_file  # it builds on ConfigFileError

    document = read_yaml_file(path)
    return None if document is None else document.data


def parse_yaml_mapping(text: str, path: Path) -> dict[str, Any]:
    """Parse YAML text whose top level must be a mapping; errors name `path` and the line."""
    from qbo_wizard.core.yaml_reader import parse_yaml_text  # it builds on ConfigFileError

    return parse_yaml_text(text, path).data


def write_yaml_mapping(path: Path, data: dict[str, Any], header: str = "") -> None:
    """Write `data` as YAML atomically, with an optional comment header."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    prefix = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    atomic_write_text(path, prefix + body)
