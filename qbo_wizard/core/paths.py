"""Where qbo-wizard keeps its files: one config folder, one sub-folder per profile."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from qbo_wizard.core.problems import UsageError

APP_NAME = "qbo-wizard"
HOME_ENV_VAR = "QBO_WIZARD_HOME"
DEFAULT_PROFILE = "default"

# Profile names become folder names and keyring service names, so keep them plain.
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class InvalidProfileName(UsageError):
    """A profile name that cannot safely become a folder or keyring service name."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name!r} is not a usable profile name. Use letters, digits, '.', '_' or '-' "
            "(up to 64 characters), starting with a letter or digit."
        )


def validate_profile_name(name: str) -> str:
    """Return the name unchanged if it is usable as a profile name, else raise."""
    if not _PROFILE_NAME.match(name) or name in {".", ".."}:
        raise InvalidProfileName(name)
    return name


def config_home() -> Path:
    """The folder holding every profile: `QBO_WIZARD_HOME` if set, else the platform default."""
    override = os.environ.get(HOME_ENV_VAR)
    if override:
        return Path(override).expanduser()
    import platformdirs  # only when a folder is needed: keeps `--version` and `explain` quick

    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def profile_dir(profile: str) -> Path:
    """The folder of one profile (not created here)."""
    return config_home() / "profiles" / validate_profile_name(profile)


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) if missing and make the leaf readable by its owner only.

    A folder that is already owner-only is left untouched, so a read-only mount of the config
    folder (systemd's `ProtectHome=read-only`) is no obstacle to commands that only read it.
    """
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        os.chmod(path, 0o700)
    return path


def is_read_only_error(error: OSError) -> bool:
    """True when `error` says the file system (or folder) cannot be written at all."""
    return error.errno in (errno.EROFS, errno.EACCES, errno.EPERM)


def list_profiles() -> list[str]:
    """Names of the profiles that have a folder, sorted."""
    root = config_home() / "profiles"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and _PROFILE_NAME.match(p.name))


# The wizard's own data files: step wording, error knowledge, built-in integrations.
CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
